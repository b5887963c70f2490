import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { exitThroughWrapper } from "@rtt/connector-sdk";
import { type CatalogSymbol, type JsonValue, RttError } from "@rtt/core";
import fc from "fast-check";
import { workspacePaths } from "../workspace/workspace.ts";
import { type DriverAccess, driverAccess, type Mount, needsNetwork } from "./access.ts";
import { bwrapArgs } from "./bwrap-args.ts";
import { chooseSandbox } from "./driver-sandbox.ts";
import { INSTALL_ROOT, nodePermissionArgs } from "./node-args.ts";

const found = () => ({ ok: true as const, path: "/usr/bin/bwrap" });
const missing = () => ({ ok: false as const, reason: "bwrap not found on PATH" });

describe("chooseSandbox", () => {
  it("auto takes bwrap when it works, and says why it fell back to node when not", () => {
    assert.deepEqual(chooseSandbox("auto", found), { setting: "auto", level: "bwrap", note: "" });
    assert.deepEqual(chooseSandbox("auto", missing), {
      setting: "auto",
      level: "node",
      note: "degraded to node: bwrap not found on PATH",
    });
  });

  it("bwrap asked for and not there stops the start: never less confined than asked", () => {
    assert.throws(
      () => chooseSandbox("bwrap", missing),
      (e: unknown) =>
        e instanceof RttError &&
        e.code === "RTT_ERR_SANDBOX_UNAVAILABLE" &&
        e.message.includes("bwrap not found on PATH"),
    );
    assert.equal(chooseSandbox("bwrap", found).level, "bwrap");
  });

  it("node and none do not probe; none carries a warning", () => {
    const never = () => assert.fail("probed");
    assert.deepEqual(chooseSandbox("node", never), { setting: "node", level: "node", note: "" });
    const none = chooseSandbox("none", never);
    assert.equal(none.level, "none");
    assert.match(none.note, /unconfined/);
  });
});

const mountArb: fc.Arbitrary<Mount> = fc.record({
  path: fc.stringMatching(/^\/[a-z0-9/_.-]{1,30}$/).filter((p) => p !== "/dev/shm"),
  mode: fc.constantFrom("rw" as const, "ro" as const),
  optional: fc.boolean(),
});
const accessArb: fc.Arbitrary<DriverAccess> = fc.record({
  mounts: fc.array(mountArb, { maxLength: 8 }),
  network: fc.constantFrom("host" as const, "none" as const),
});

describe("bwrapArgs", () => {
  it("starts read-only, then opens each mount in order; no network only when none is needed", () => {
    fc.assert(
      fc.property(accessArb, (access) => {
        const args = bwrapArgs(access);
        assert.deepEqual(args.slice(0, 3), ["--ro-bind", "/", "/"]);
        assert.ok(args.indexOf("--dev") < args.indexOf("/dev/shm"), "/dev/shm after the new /dev");
        // The mounts appear as triples, in the order given, after the read-only root.
        const binds: Mount[] = [];
        for (let i = 3; i < args.length; i++) {
          const flag = args[i];
          const bind = /^--(ro-)?bind(-try)?$/.exec(flag ?? "");
          if (bind !== null && args[i + 1] !== "/dev/shm") {
            assert.equal(args[i + 1], args[i + 2]);
            binds.push({
              path: args[i + 1] as string,
              mode: bind[1] === undefined ? "rw" : "ro",
              optional: bind[2] !== undefined,
            });
            i += 2;
          }
        }
        assert.deepEqual(
          binds,
          access.mounts.map((m) => ({ path: m.path, mode: m.mode, optional: m.optional === true })),
        );
        assert.equal(args.includes("--unshare-net"), access.network === "none");
        for (const always of ["--unshare-ipc", "--cap-drop"]) assert.ok(args.includes(always));
        // Each of these would break what RTT relies on (bwrap-args.ts says why).
        for (const never of ["--unshare-pid", "--die-with-parent", "--new-session"])
          assert.ok(!args.includes(never), never);
      }),
    );
  });
});

describe("driverAccess", () => {
  it("opens allow_paths prefixes, if they exist, before .rtt/ closes again", () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-access-"));
    try {
      const paths = workspacePaths(root);
      const access = driverAccess(paths, "file", ["shm"], [], ["/var/log/app", root]);
      const order = access.mounts.map((m) => m.path);
      for (const prefix of ["/var/log/app", root]) {
        const i = order.lastIndexOf(prefix);
        assert.deepEqual(access.mounts[i], { path: prefix, mode: "rw", optional: true });
        assert.ok(i < order.indexOf(paths.rttDir), `${prefix} before .rtt/ is made read-only`);
      }
      assert.equal(bwrapArgs(access).filter((a) => a === "--bind-try").length, 2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("nodePermissionArgs", () => {
  const access: DriverAccess = {
    mounts: [
      { path: "/ws", mode: "rw" },
      { path: "/ws/.rtt", mode: "ro" },
      { path: "/ws/.rtt/run", mode: "rw" },
    ],
    network: "none",
  };

  it("writes only where a mount is writable, reads RTT itself, /proc and those", () => {
    const args = nodePermissionArgs("file", access);
    assert.equal(args[0], "--permission");
    const writes = args.filter((a) => a.startsWith("--allow-fs-write=")).map((a) => a.slice(17));
    assert.deepEqual(writes, ["/ws", "/ws/.rtt/run"]);
    const reads = args.filter((a) => a.startsWith("--allow-fs-read=")).map((a) => a.slice(16));
    assert.deepEqual(reads, [INSTALL_ROOT, "/proc", "/ws", "/ws/.rtt/run"]);
    assert.ok(!args.includes("--allow-child-process"), "the file driver runs no program");
  });

  it("lets the drivers that run programs start them", () => {
    for (const name of ["process", "http", "mine"])
      assert.ok(nodePermissionArgs(name, access).includes("--allow-child-process"), name);
  });
});

describe("needsNetwork", () => {
  const symbol = (extensions: Record<string, JsonValue>) =>
    ({ saddr: "rtt://a/api/b@1.0.0", type: "bus", extensions }) as unknown as CatalogSymbol;

  it("http always; the others only when TCP is the first lane kind asked for", () => {
    assert.equal(needsNetwork("http", ["shm"], []), true);
    assert.equal(needsNetwork("process", ["shm", "uds", "tcp"], []), false);
    assert.equal(needsNetwork("process", ["inproc", "tcp", "shm"], []), true);
    assert.equal(needsNetwork("file", ["uds", "tcp"], []), false);
  });

  it("a driver that opens a symbol naming a URL keeps the network; other drivers do not", () => {
    const catalog = [symbol({ "x-driver": "mine", "x-url": "http://127.0.0.1:9/x" })];
    assert.equal(needsNetwork("mine", ["shm"], catalog), true);
    assert.equal(needsNetwork("process", ["shm"], catalog), false);
    const noUrl = [symbol({ "x-driver": "mine", "x-run": ["true"] })];
    assert.equal(needsNetwork("mine", ["shm"], noUrl), false);
  });
});

describe("exitThroughWrapper", () => {
  const forks = { name: "x", command: "bwrap", forks: true };
  it("reads a forking wrapper's 128 + N as death by signal N", () => {
    assert.deepEqual(exitThroughWrapper(forks, 137, null), { code: null, signal: "SIGKILL" });
    assert.deepEqual(exitThroughWrapper(forks, 143, null), { code: null, signal: "SIGTERM" });
    assert.deepEqual(exitThroughWrapper(forks, 1, null), { code: 1, signal: null });
  });
  it("leaves a driver that is spawned itself as it is", () => {
    const plain = { name: "x", command: "node" };
    assert.deepEqual(exitThroughWrapper(plain, 137, null), { code: 137, signal: null });
    assert.deepEqual(exitThroughWrapper(undefined, null, "SIGKILL"), {
      code: null,
      signal: "SIGKILL",
    });
  });
});

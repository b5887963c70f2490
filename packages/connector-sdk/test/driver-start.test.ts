// Start-up of real driver processes: the handshake on descriptor 3, and a named, quoted error
// for every way it can go wrong
// (docs/design.md §Processes and sockets: the handshake on descriptor 3).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import {
  COOKIE_ENV,
  DriverHost,
  type DriverLogLine,
  DriverStartError,
  parseHandshake,
} from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { shortSocketDir } from "@rtt/fabric";
import {
  fixture,
  nodeDriver,
  procState,
  quietOptions,
  socketFileGone,
  stopAll,
} from "./helpers.ts";

const hosts: DriverHost[] = [];
after(() => stopAll(hosts));

function isStartError(code: string, ...patterns: RegExp[]) {
  return (e: unknown) => {
    assert.ok(e instanceof DriverStartError, `not a DriverStartError: ${String(e)}`);
    assert.ok(e instanceof RttError);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  };
}

describe("driver start-up", () => {
  test("handshake OK: record, GetInfo and stdout mirrored with the driver's name", async () => {
    const lines: DriverLogLine[] = [];
    const host = await DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions(lines));
    hosts.push(host);
    assert.equal(host.state, "running");
    const info = await host.info();
    assert.equal(info.name, "echo");
    assert.equal(info.version, "1.0.0");
    assert.equal(info.protocol_version, 1);
    assert.equal(info.pid, host.pid);
    assert.equal(info.nonce, host.record.nonce);
    assert.equal(info.start_time, host.record.startTime);
    assert.equal(info.socket, host.record.socket);
    assert.match(host.record.nonce, /^[0-9a-f]{32}$/);
    assert.equal(statSync(info.socket).mode & 0o777, 0o600, "the socket is the user's alone");
    const symbols = await host.probe("/tmp");
    assert.deepEqual(
      symbols.map((s) => s.saddr),
      ["rtt://demo/api/echo@1.0.0"],
    );
    assert.match(symbols[0]?.contract_hash ?? "", /^[0-9a-f]{64}$/);
    await host.stop();
    assert.equal(host.state, "stopped");
    assert.ok(socketFileGone(info.socket), "socket file removed");
    await eventually(() => procState(info.pid) === undefined, { what: "pid reaped" });
  });

  test("a socket folder too deep for a socket path: the driver falls back and still answers", async () => {
    const deep = mkdtempSync(join(tmpdir(), "rtt-deep-"));
    const socketDir = join(deep, "a-folder-name-long-enough".repeat(5));
    try {
      const host = await DriverHost.launch(
        nodeDriver("echo", "echo-driver.ts"),
        quietOptions([], { socketDir }),
      );
      hosts.push(host);
      const socket = host.record.socket;
      // A file in the short per-user folder: never the abstract namespace ("@…").
      assert.match(socket, /^\/.*\/driver-echo-\d+-[0-9a-f]+\.sock$/);
      assert.equal(dirname(socket), shortSocketDir());
      assert.equal(statSync(socket).mode & 0o777, 0o600);
      assert.ok(Buffer.byteLength(socket) <= 107, socket);
      assert.equal((await host.info()).socket, socket);
      await host.stop();
    } finally {
      rmSync(deep, { recursive: true, force: true });
    }
  });

  test("a driver that prints on stdout and stderr before its handshake still starts", async () => {
    const lines: DriverLogLine[] = [];
    const host = await DriverHost.launch(
      nodeDriver("chatty", "chatty-driver.ts"),
      quietOptions(lines),
    );
    hosts.push(host);
    assert.equal((await host.info()).name, "echo");
    await eventually(() => lines.some((l) => l.line === "chatty: serving"), {
      what: "the lines after the handshake",
    });
    const out = lines.filter((l) => l.stream !== "host").map((l) => `${l.stream}: ${l.line}`);
    assert.ok(out.includes("stdout: RTT|this|looks|like|a|handshake|but|is|stdout"));
    assert.ok(out.includes("stdout: chatty: starting up"));
    assert.ok(out.includes("stderr: chatty: a warning on stderr"));
    assert.ok(lines.every((l) => l.driver === "chatty" && l.pid === host.pid));
    await host.stop();
  });

  test("default log sink prefixes each line with [name]", async () => {
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DriverHost } from "@rtt/connector-sdk";
         const h = await DriverHost.launch({ name: "chatty", command: process.execPath, args: [${JSON.stringify(fixture("chatty-driver.ts"))}] });
         await new Promise((r) => setTimeout(r, 200));
         await h.stop();`,
      ],
      { encoding: "utf8", cwd: new URL("..", import.meta.url), timeout: 15_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^\[chatty\] chatty: starting up$/m);
    assert.match(r.stderr, /^\[chatty\] chatty: a warning on stderr$/m);
  });

  test("a driver that hangs before its handshake: timeout naming it, with its last lines", async () => {
    const started = Date.now();
    let pid = 0;
    await assert.rejects(
      DriverHost.launch(
        nodeDriver("hang", "hang-driver.ts"),
        quietOptions([], { startTimeoutMs: 600 }),
      ),
      isStartError(
        "RTT_ERR_DRIVER_TIMEOUT",
        /driver "hang" \(.*hang-driver\.ts\) did not write its handshake on descriptor 3 within 600 ms/,
        /last output:/,
        /hang: line 12/,
        /hang: waiting for something that never comes/,
      ),
    );
    assert.ok(Date.now() - started < 4000);
    // Ten lines kept (of 13), the oldest dropped.
    await assert.rejects(
      DriverHost.launch(
        nodeDriver("hang", "hang-driver.ts"),
        quietOptions([], { startTimeoutMs: 600, log: (l) => (pid = l.pid) }),
      ),
      (e: unknown) =>
        e instanceof DriverStartError &&
        e.lastLines.length === 10 &&
        !e.lastLines.includes("hang: line 1") &&
        e.lastLines.includes("hang: line 12"),
    );
    assert.ok(pid > 0);
    await eventually(() => procState(pid) === undefined, {
      what: "the hung driver killed and reaped",
    });
  });

  test("a driver that exits at once: its exit code and last lines", async () => {
    await assert.rejects(
      DriverHost.launch(nodeDriver("quitter", "exit-driver.ts"), quietOptions()),
      isStartError(
        "RTT_ERR_DRIVER_EXITED",
        /driver "quitter" .* exited with code 3 before its handshake/,
        /exit: loading configuration/,
        /exit: fatal: config.toml not found/,
      ),
    );
  });

  test("a malformed handshake line: which field, what was received", async () => {
    await assert.rejects(
      DriverHost.launch(nodeDriver("garbled", "malformed-driver.ts"), quietOptions()),
      isStartError(
        "RTT_ERR_DRIVER_HANDSHAKE",
        /driver "garbled" .* wrote a malformed handshake line: field 6 \(protocol\) must be "grpc", got "http"/,
        /malformed: about to greet/,
      ),
    );
  });

  test("a driver that dies right after its handshake: said at once, not after a connect timeout", async () => {
    const started = Date.now();
    await assert.rejects(
      DriverHost.launch(nodeDriver("vanish", "vanish-driver.ts"), quietOptions()),
      isStartError(
        "RTT_ERR_DRIVER_EXITED",
        /driver "vanish" .* wrote its handshake, but it exited with code 2 before answering/,
        /vanish: gone/,
      ),
    );
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  test("a command that does not exist: RTT_ERR_DRIVER_SPAWN", async () => {
    await assert.rejects(
      DriverHost.launch(
        { name: "ghost", command: "/nonexistent/rtt-driver-ghost" },
        quietOptions(),
      ),
      isStartError("RTT_ERR_DRIVER_SPAWN", /cannot start driver "ghost"/, /ENOENT/),
    );
  });

  test("run by hand without the cookie, a driver refuses and says how it is used", () => {
    const env = { ...process.env };
    delete env[COOKIE_ENV];
    const r = spawnSync(process.execPath, [fixture("echo-driver.ts")], {
      env,
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /RTT connector driver \("echo" 1\.0\.0\); it is not meant to be run by hand/,
    );
    assert.match(r.stderr, /RTT_DRIVER_COOKIE/);
    assert.match(r.stderr, /docs\/connectors\.md/);
    assert.match(r.stderr, /RTT_ERR_DRIVER_COOKIE/);
  });

  test("with the cookie but no descriptor 3, it refuses too", () => {
    const r = spawnSync(process.execPath, [fixture("echo-driver.ts")], {
      env: {
        ...process.env,
        [COOKIE_ENV]: "rtt-connector-driver-v1-5f0c9a8e6b7d4c1a",
        RTT_PROTOCOL_VERSIONS: "1",
      },
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no file descriptor 3/);
  });

  test("no common protocol version: refused, naming both sides' versions", async () => {
    await assert.rejects(
      DriverHost.launch(
        nodeDriver("echo", "echo-driver.ts"),
        quietOptions([], { protocolVersions: [7, 8] }),
      ),
      isStartError(
        "RTT_ERR_DRIVER_VERSION",
        /driver "echo" .* refused to start: driver "echo" speaks protocol versions 1, but the host offered 7,8/,
      ),
    );
  });

  test("the handshake on descriptor 3 is exactly one parseable line", async () => {
    // stdout goes nowhere, fd 3 to us: whatever the driver prints, fd 3 holds the handshake.
    const child = spawn(process.execPath, [fixture("echo-driver.ts")], {
      stdio: ["pipe", "ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        [COOKIE_ENV]: "rtt-connector-driver-v1-5f0c9a8e6b7d4c1a",
        RTT_PROTOCOL_VERSIONS: "3,1",
      },
    });
    const fd3 = child.stdio[3] as Readable;
    fd3.setEncoding("utf8");
    let out = "";
    fd3.on("data", (d: string) => {
      out += d;
    });
    // Wait for the first line however slow the machine is, then a little longer, so a
    // second line (which must never come) would have arrived too.
    await eventually(() => out.includes("\n"), {
      what: "the handshake line on fd 3",
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGKILL");
    await once(child, "exit");
    const lines = out.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, out);
    const h = parseHandshake(lines[0] ?? "");
    assert.equal(h.coreVersion, 1);
    assert.equal(h.appVersion, 1);
    assert.equal(h.network, "unix");
    assert.equal(h.protocol, "grpc");
  });
});

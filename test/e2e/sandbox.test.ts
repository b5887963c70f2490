/**
 * The quickstart with its drivers in a sandbox (docs/adr/0023-driver-sandbox.md), for real:
 * under bwrap the events still flow, `rtt panel status` says so, and each driver shows
 * NoNewPrivs 1, no capabilities and a mount namespace of its own (a network one too, but for
 * http); a route's program that writes outside the workspace fails with EROFS as it starts, so
 * the apply fails (issue 16), and the panel's log says so. Under the node level the driver runs
 * under Node's permission model and its programs run free, even on a Node that refuses the
 * permission flags.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { probeBwrap } from "@rtt/panel";
import { processTree } from "../support/panel-processes.ts";
import {
  bothRoutesLive,
  quickstartSuite,
  scanAndApply,
  type Workspace,
} from "../support/quickstart-workspace.ts";
import { makeTempDir, runRtt } from "../support/run-rtt.ts";

const suite = quickstartSuite();
const bwrap = probeBwrap();
const needsBwrap = bwrap.ok
  ? false
  : `${bwrap.reason} (scripts/ensure-test-deps.sh installs bubblewrap as root)`;

/** Sets panel.yaml's security.sandbox. */
function sandbox(ws: Workspace, level: string): void {
  ws.editText(".rtt/panel.yaml", (text) =>
    text.replace(/^security:\n/m, `security:\n  sandbox: ${level}\n`),
  );
}

function procStatus(pid: number, field: string): string | undefined {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  return new RegExp(`^${field}:\\s*(\\S+)`, "m").exec(text)?.[1];
}

const ns = (pid: number | "self", kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);

/** The logger's program, run by `node`, writes its events to `file`. */
function loggerWritesTo(ws: Workspace, file: string, node = "node"): void {
  ws.editManifest("services/logger/rtt.manifest.json", (symbol) => {
    symbol["x-run"] = [node, "logger.mjs", file];
  });
}

/** The logger's program writes its file outside the workspace; returns that file. */
function loggerWritesOutside(ws: Workspace): string {
  const outside = join(makeTempDir("rtt-sandbox-outside-"), "events.ndjson");
  loggerWritesTo(ws, outside);
  return outside;
}

describe("the quickstart with its drivers sandboxed", () => {
  it("bwrap: events flow; every driver has NoNewPrivs 1, no capabilities, its own mounts", {
    skip: needsBwrap,
  }, async () => {
    const ws = suite.use();
    sandbox(ws, "bwrap");
    await scanAndApply(ws);
    const status = await bothRoutesLive(ws);
    await eventually(() => ws.count("logs/events.ndjson") >= 3, ws.wait("events in the log"));

    const r = await ws.ok(["panel", "status", "--json"]);
    assert.deepEqual(JSON.parse(r.stdout).sandbox, { setting: "bwrap", level: "bwrap", note: "" });
    const text = await ws.ok(["panel", "status"]);
    assert.match(text.stdout, /^drivers sandboxed: bwrap \(security\.sandbox: bwrap\)$/m);

    for (const name of ["process", "http"]) {
      const pid = ws.driverPid(status, name);
      assert.equal(procStatus(pid, "NoNewPrivs"), "1", name);
      assert.equal(procStatus(pid, "CapEff"), "0000000000000000", name);
      assert.notEqual(ns(pid, "mnt"), ns("self", "mnt"), `${name}: its own mount namespace`);
    }
    // http serves and calls loopback URLs; process needs no network at all.
    assert.equal(ns(ws.driverPid(status, "http"), "net"), ns("self", "net"));
    assert.notEqual(ns(ws.driverPid(status, "process"), "net"), ns("self", "net"));
    await ws.stopLeavingNothing(ws.trackTree(status));
  });

  it("bwrap: a route's program that writes outside the workspace fails with EROFS: no apply", {
    skip: needsBwrap,
  }, async () => {
    const ws = suite.use({ routes: ["events-to-log"] });
    sandbox(ws, "bwrap");
    const outside = loggerWritesOutside(ws);
    // It fails as it starts: long enough a settle window that a loaded machine's slow Node
    // start cannot take it past the start check (issue 16: a failed start fails the apply).
    ws.editManifest("services/logger/rtt.manifest.json", (symbol) => {
      symbol["x-settle-ms"] = 5000;
    });
    await ws.ok(["scan"]);
    const apply = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(apply.code, 1, apply.stdout);
    assert.match(
      apply.stdout,
      /RTT_ERR_PROGRAM_START: route events-to-log: .*logger\.mjs.* did not start: exited with code 1/,
    );
    await eventually(
      () => /\[process stderr\].*EROFS: read-only file system/.test(ws.panelLog()),
      ws.wait("the logger's EROFS in the panel log"),
    );
    assert.ok(!existsSync(outside), `${outside} was written`);
    const status = await ws.status();
    await ws.stopLeavingNothing(ws.trackTree(status));
  });

  it("node: the driver runs under --permission; its programs run free, on any Node", async () => {
    const ws = suite.use({ routes: ["events-to-log"] });
    sandbox(ws, "node");
    // The machine's own Node when there is one (often an older one, which refuses --permission
    // in NODE_OPTIONS): the driver's flags must not reach it (ADR 0023).
    const node = existsSync("/usr/bin/node") ? "/usr/bin/node" : process.execPath;
    const events = join(ws.root, "logs", "free.ndjson");
    loggerWritesTo(ws, events, node);
    await scanAndApply(ws);
    await eventually(
      () => existsSync(events) && readFileSync(events, "utf8").includes("\n"),
      ws.wait(`events in ${events}, written by ${node}`),
    );
    const status = await ws.status();
    const cmdline = readFileSync(`/proc/${ws.driverPid(status, "process")}/cmdline`, "utf8");
    assert.match(cmdline, /\0--permission\0/, "the process driver runs under the permission model");
    assert.doesNotMatch(ws.panelLog(), /not allowed in NODE_OPTIONS/);
    const r = await ws.ok(["panel", "status", "--json"]);
    assert.deepEqual(JSON.parse(r.stdout).sandbox, { setting: "node", level: "node", note: "" });
    await ws.stopLeavingNothing(ws.trackTree(status));
  });

  it("auto without bwrap on PATH: node, and status says why; bwrap asked for: no start", async () => {
    const ws = suite.use({ routes: ["events-to-log"] });
    // A PATH with no bwrap on it (the CLI and the panel run on this Node, found without PATH).
    const env = { PATH: makeTempDir("rtt-sandbox-path-") };
    const start = await runRtt(["panel", "start"], { cwd: ws.root, env });
    assert.equal(start.code, 0, start.stderr);
    const r = await runRtt(["panel", "status", "--json"], { cwd: ws.root, env });
    assert.deepEqual(JSON.parse(r.stdout).sandbox, {
      setting: "auto",
      level: "node",
      note: "degraded to node: bwrap not found on PATH",
    });
    const text = await runRtt(["panel", "status"], { cwd: ws.root, env });
    assert.match(text.stdout, /^WARNING: degraded to node: bwrap not found on PATH$/m);
    await ws.ok(["panel", "stop"]);

    sandbox(ws, "bwrap");
    const refused = await runRtt(["panel", "start"], { cwd: ws.root, env });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /security\.sandbox is bwrap, but bwrap not found on PATH \(RTT_ERR_SANDBOX_UNAVAILABLE\)/,
    );
  });

  it("a Node driver's compile cache: its own folder in .rtt/cache/compile, written while it runs, not its programs'", async () => {
    const ws = suite.use({ routes: ["events-to-log"] });
    await scanAndApply(ws);
    const status = await ws.status();
    const driver = ws.driverPid(status, "process");
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const given = environ(driver).find((v) => v.startsWith("NODE_COMPILE_CACHE="));
    const dir = given?.slice("NODE_COMPILE_CACHE=".length) ?? "";
    assert.match(dir, /\/\.rtt\/cache\/compile\/[0-9a-f]{16}$/, `the process driver's: ${given}`);
    // Written while it runs (a driver killed later still leaves it for its next start).
    await eventually(
      () => readdirSync(dir, { recursive: true }).length > 1,
      ws.wait(`the process driver's compile cache in ${dir}`),
    );
    const programs = processTree([driver]).filter((pid) => pid !== driver);
    assert.ok(programs.length > 0, "the route's program runs");
    for (const pid of programs)
      assert.ok(
        !environ(pid).some((v) => v.startsWith("NODE_COMPILE_CACHE=")),
        `program ${pid} was handed the driver's compile cache`,
      );
    await ws.stopLeavingNothing(ws.trackTree(status));
  });

  it("none: status warns that the drivers run unconfined", async () => {
    const ws = suite.use({ routes: ["events-to-log"] });
    sandbox(ws, "none");
    await scanAndApply(ws);
    const r = await ws.ok(["panel", "status"]);
    assert.match(r.stdout, /^drivers sandboxed: none \(security\.sandbox: none\)$/m);
    assert.match(r.stdout, /^WARNING: drivers run unconfined/m);
    const status = await ws.status();
    await ws.stopLeavingNothing(ws.trackTree(status));
  });
});

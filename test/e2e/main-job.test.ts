/**
 * The product's main job, end to end with real processes: on a temp copy of examples/quickstart,
 * `rtt scan && rtt plan && rtt apply` wires its two routes and real bytes flow — emit.py's ten
 * events reach logs/events.ndjson through the logger, and the UI refresh hook's request reaches
 * the metrics API and its response comes back into logs/refresh.ndjson. A second apply changes
 * nothing, `rtt panel stop` leaves no process, socket or shm segment behind, the audit ledger
 * holds both binds and catches an edit, and a panel killed with SIGKILL re-attaches its live
 * drivers when started again.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import {
  assertNothingLeft,
  cmdline,
  describePids,
  processTree,
  shmEntries,
  TrackedProcesses,
} from "../support/panel-processes.ts";
import {
  copyQuickstart,
  describeRun,
  panelLogTail,
  panelWait,
  parseJson,
  type RunResult,
  removeTempDirs,
  runRtt,
} from "./helpers.ts";

const EVENTS_ROUTE = "events-to-log";
const REFRESH_ROUTE = "ui-refresh";
/** emit.py's default: 10 events, 100 ms apart. */
const EVENT_COUNT = 10;
/** Generous: each step may take seconds on a loaded 2-core machine. */
const RTT_TIMEOUT_MS = 60_000;

interface PanelStatus {
  readonly running: boolean;
  readonly pid: number;
  readonly routes: number;
  readonly committed_seq: number;
  readonly drivers: readonly { readonly name: string; readonly pid: number }[];
}

/** Every process this file saw the panel start (so a reused pid is spared). */
const processes = new TrackedProcesses();
/** Workspaces whose panel may still be running. */
const workspaces: string[] = [];

after(async () => {
  for (const ws of workspaces) {
    if (existsSync(join(ws, ".rtt", "sockets", "panel.sock"))) {
      await runRtt(["panel", "stop"], { cwd: ws, timeoutMs: RTT_TIMEOUT_MS }).catch(() => {});
    }
  }
  processes.killLeft();
  removeTempDirs();
});

/** `rtt <args>` in `cwd`, with a timeout fit for a loaded machine. */
function rtt(cwd: string, args: readonly string[]): Promise<RunResult> {
  return runRtt(args, { cwd, timeoutMs: RTT_TIMEOUT_MS });
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

async function panelStatus(ws: string): Promise<PanelStatus> {
  const r = await rtt(ws, ["panel", "status", "--json"]);
  assert.equal(r.code, 0, describeRun(r));
  return parseJson(r.stdout) as PanelStatus;
}

/** A temp copy of examples/quickstart as git has it (copyQuickstart leaves out runtime state). */
function freshQuickstart(): string {
  const ws = copyQuickstart();
  workspaces.push(ws);
  return ws;
}

/** scan + apply on a fresh temp copy of the quickstart, asserting only that both exit 0. */
async function scanAndApply(ws: string): Promise<RunResult> {
  const scan = await rtt(ws, ["scan"]);
  assert.equal(scan.code, 0, describeRun(scan));
  const apply = await rtt(ws, ["apply", "--auto-approve"]);
  assert.equal(apply.code, 0, `${describeRun(apply)}\n${panelLogTail(ws)}`);
  return apply;
}

/** The daemon, its drivers and all their descendants, tracked; the daemon and drivers must be alive. */
function collectPids(status: PanelStatus): number[] {
  const roots = [status.pid, ...status.drivers.map((d) => d.pid)];
  for (const pid of roots) assert.ok(isAlive(pid), `pid ${pid} from rtt panel status is not alive`);
  const pids = processTree(roots);
  processes.track(pids);
  return pids;
}

describe("rtt scan && rtt plan && rtt apply on the quickstart: routes wired, real bytes flow", {
  timeout: 300_000,
}, () => {
  let ws = "";
  let shmBefore: ReadonlySet<string> = new Set();
  let pids: number[] = [];
  let since = 0;

  before(() => {
    since = Date.now();
    shmBefore = shmEntries();
    ws = freshQuickstart();
  });

  it("scan exits 0, plan --detailed-exitcode exits 2, apply commits both routes", async () => {
    const scan = await rtt(ws, ["scan"]);
    assert.equal(scan.code, 0, describeRun(scan));

    const plan = await rtt(ws, ["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 2, describeRun(plan));
    assert.match(plan.stdout, /Plan: 2 to add, 0 to change, 0 to destroy\./);

    const apply = await rtt(ws, ["apply", "--auto-approve"]);
    assert.equal(apply.code, 0, `${describeRun(apply)}\n${panelLogTail(ws)}`);
    assert.match(apply.stdout, new RegExp(`✓ batch \\d+ \\(${EVENTS_ROUTE}\\): committed`));
    assert.match(apply.stdout, new RegExp(`✓ batch \\d+ \\(${REFRESH_ROUTE}\\): committed`));
    assert.match(apply.stdout, /Apply complete! Routes: 2 added, 0 changed, 0 destroyed\./);
  });

  it("emit.py's 10 events arrive in logs/events.ndjson, seq 1..10 in order, each once", async () => {
    const path = join(ws, "logs", "events.ndjson");
    await eventually(
      () => readLines(path).length >= EVENT_COUNT,
      panelWait(ws, `${EVENT_COUNT} lines in logs/events.ndjson`),
    );
    // emit.py stops after its 10th event: give a duplicate or stray line time to show up.
    await sleep(1000);
    const lines = readLines(path);
    assert.equal(lines.length, EVENT_COUNT, `logs/events.ndjson:\n${lines.join("\n")}`);
    const seqs = lines.map((l) => (JSON.parse(l) as { record: { seq: number } }).record.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: EVENT_COUNT }, (_, i) => i + 1),
    );
  });

  it("the refresh request reaches the metrics API and its 200 response lands in logs/refresh.ndjson", async () => {
    const path = join(ws, "logs", "refresh.ndjson");
    const line = await eventually(
      () =>
        readLines(path)
          .map((l) => JSON.parse(l) as { status?: number; series?: Record<string, number> })
          .find(
            (r) =>
              r.status === 200 &&
              typeof r.series === "object" &&
              r.series !== null &&
              (r.series.http_requests_total ?? 0) >= 1,
          ),
      panelWait(
        ws,
        "a status-200 line with series.http_requests_total >= 1 in logs/refresh.ndjson",
      ),
    );
    assert.ok(line.series !== undefined);
  });

  it("a second apply says No changes and plan --detailed-exitcode exits 0", async () => {
    const apply = await rtt(ws, ["apply", "--auto-approve"]);
    assert.equal(apply.code, 0, describeRun(apply));
    assert.match(apply.stdout, /No changes/);
    const plan = await rtt(ws, ["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 0, describeRun(plan));
    assert.match(plan.stdout, /No changes/);
  });

  it("panel status --json: running, 2 routes, drivers with pids", async () => {
    const status = await panelStatus(ws);
    assert.equal(status.running, true);
    assert.equal(status.routes, 2);
    assert.deepEqual(status.drivers.map((d) => d.name).sort(), ["http", "process"]);
    for (const d of status.drivers) assert.ok(Number.isInteger(d.pid) && d.pid > 0, d.name);
    pids = collectPids(status);
    // The daemon, 2 drivers, and the programs they run (logger.mjs, server.mjs) at least.
    assert.ok(pids.length >= 5, `process tree:\n${describePids(pids)}`);
  });

  it("panel stop exits 0 and leaves no process, socket or shm segment behind", async () => {
    assert.ok(pids.length > 0, "no pids collected (the status step failed)");
    const stop = await rtt(ws, ["panel", "stop"]);
    assert.equal(stop.code, 0, `${describeRun(stop)}\n${panelLogTail(ws)}`);
    await assertNothingLeft(
      { root: ws, createdAt: since, shmBefore, tail: () => panelLogTail(ws) },
      pids,
      processes,
    );
  });

  it("audit --verify exits 0 with bind records for both routes; an edited `why` exits 1 naming the line", async () => {
    const verify = await rtt(ws, ["audit", "--verify"]);
    assert.equal(verify.code, 0, describeRun(verify));
    // The two binds, and maybe breaker trips and heals the health loop recorded on a loaded
    // machine (the quickstart's 5 ms p95 bound).
    assert.match(verify.stdout, /^ledger intact: \d+ records, head [0-9a-f]{12}\n$/);

    const json = await rtt(ws, ["audit", "--json"]);
    assert.equal(json.code, 0, describeRun(json));
    const records = json.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; action: string; route: string });
    assert.deepEqual(
      records
        .filter((r) => r.action !== "trip" && r.action !== "heal")
        .map((r) => [r.action, r.route])
        .sort(),
      [
        ["bind", EVENTS_ROUTE],
        ["bind", REFRESH_ROUTE],
      ],
    );

    const ledger = join(ws, ".rtt", "audit", "ledger.ndjson");
    const text = readFileSync(ledger, "utf8");
    const lines = text.split("\n");
    const at = lines.findIndex((l, i) => i > 0 && l.includes('"why":"rtt apply"'));
    assert.ok(at > 0, `no second "why":"rtt apply" record in the ledger:\n${text}`);
    lines[at] = (lines[at] ?? "").replace('"why":"rtt apply"', '"why":"rtt Apply"');
    writeFileSync(ledger, lines.join("\n"));

    const tampered = await rtt(ws, ["audit", "--verify"]);
    assert.equal(tampered.code, 1, describeRun(tampered));
    assert.match(
      tampered.stderr,
      new RegExp(
        `\\.rtt/audit/ledger\\.ndjson:${at + 1}: ledger tampered: edited: record seq ${at + 1} was edited`,
      ),
    );
  });
});

describe("a panel killed with SIGKILL re-attaches its live drivers on rtt panel start", {
  timeout: 300_000,
}, () => {
  let ws = "";
  let shmBefore: ReadonlySet<string> = new Set();
  let pids: number[] = [];
  let first: PanelStatus | undefined;
  let since = 0;

  before(() => {
    since = Date.now();
    shmBefore = shmEntries();
    ws = freshQuickstart();
  });

  it("apply, then kill -9 the daemon: its drivers and their programs live on", async () => {
    await scanAndApply(ws);
    // Let the one-shot programs (emit.py, refresh.mjs) finish: only the long-lived ones
    // (the drivers, logger.mjs, server.mjs) are expected to outlive the daemon.
    await eventually(
      () => readLines(join(ws, "logs", "events.ndjson")).length >= EVENT_COUNT,
      panelWait(ws, `${EVENT_COUNT} lines in logs/events.ndjson`),
    );
    await eventually(
      () => readLines(join(ws, "logs", "refresh.ndjson")).length > 0,
      panelWait(ws, "a line in logs/refresh.ndjson"),
    );
    first = await panelStatus(ws);
    const roots = [first.pid, ...first.drivers.map((d) => d.pid)];
    await eventually(
      () => !processTree(roots).some((pid) => /emit\.py|refresh\.mjs/.test(cmdline(pid))),
      panelWait(ws, "emit.py and refresh.mjs to exit"),
    );
    assert.equal(first.routes, 2);
    pids = collectPids(first);
    const daemon = first.pid;
    process.kill(daemon, "SIGKILL");
    await eventually(
      () => !isAlive(daemon),
      panelWait(ws, `the daemon (pid ${daemon}) to die of SIGKILL`),
    );
    const others = pids.filter((p) => p !== daemon);
    assert.deepEqual(
      processes.live(others),
      others,
      `drivers or their programs died with the daemon:\n${describePids(others)}`,
    );
  });

  it("rtt panel start re-attaches the same driver pids with the same 2 routes wired", async () => {
    assert.ok(first !== undefined, "the apply step failed");
    const start = await rtt(ws, ["panel", "start"]);
    assert.equal(start.code, 0, `${describeRun(start)}\n${panelLogTail(ws)}`);

    const status = await panelStatus(ws);
    processes.track([status.pid]);
    pids.push(status.pid);
    assert.equal(status.running, true);
    assert.notEqual(status.pid, first.pid, "the daemon pid should be a new one");
    assert.equal(status.routes, 2, `status after restart: ${JSON.stringify(status)}`);
    assert.equal(status.committed_seq, first.committed_seq);
    const byName = (s: PanelStatus) =>
      Object.fromEntries(s.drivers.map((d) => [d.name, d.pid] as const));
    assert.deepEqual(
      byName(status),
      byName(first),
      `driver pids changed (relaunched, not re-attached)\n${panelLogTail(ws)}`,
    );

    const log = readFileSync(join(ws, ".rtt", "panel.log"), "utf8");
    assert.match(log, new RegExp(`took over the lock of a dead panel \\(pid ${first.pid}\\)`));
    for (const d of first.drivers) {
      assert.match(
        log,
        new RegExp(`re-attached driver ${d.name} \\(pid ${d.pid}\\)`),
        `no "re-attached driver ${d.name} (pid ${d.pid})" in panel.log:\n${panelLogTail(ws)}`,
      );
    }

    // The restarted panel agrees with routes.json: nothing to re-wire.
    const apply = await rtt(ws, ["apply", "--auto-approve"]);
    assert.equal(apply.code, 0, describeRun(apply));
    assert.match(apply.stdout, /No changes/);
  });

  it("panel stop after the re-attach leaves no process, socket or shm segment behind", async () => {
    assert.ok(pids.length > 0, "no pids collected (the apply step failed)");
    // Anything the re-attached drivers started since.
    pids = [...new Set([...pids, ...processTree(pids.filter(isAlive))])];
    processes.track(pids);
    const stop = await rtt(ws, ["panel", "stop"]);
    assert.equal(stop.code, 0, `${describeRun(stop)}\n${panelLogTail(ws)}`);
    await assertNothingLeft(
      { root: ws, createdAt: since, shmBefore, tail: () => panelLogTail(ws) },
      pids,
      processes,
    );
  });
});

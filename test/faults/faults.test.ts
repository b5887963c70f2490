/**
 * The fault suite (docs/design.md §The life of a route: recover), with real processes through the
 * real `rtt` binary on temp copies of examples/quickstart, emit.py streaming as fast as it can:
 *
 *   1. kill -9 the `process` driver under load: the panel restarts it and rewires its routes; the
 *      programs of the journaled `buffer` route outlive the driver and the new one adopts them;
 *      every message the source program handed over before (and while) the driver was dead
 *      reaches the logger, in order, at most one twice; nothing is left after stop.
 *  1b. the same route with its target in another driver (a file sink), and that driver killed:
 *      the panel closes the surviving source end *detached* (its program runs on), the rewire
 *      adopts the same emit.py, and nothing is lost at the sink.
 *   2. kill -9 the panel under load: the data keeps flowing over the lanes with no panel, `rtt
 *      panel start` re-attaches the same drivers without rewiring, traffic continues.
 *   3. a slow consumer (one line every 10 ms): the route stays up and in order; the drivers'
 *      memory and the route's qdepth stay bounded (backpressure reaches the source program).
 *   4. garbage on the sockets of a uds route (driver and panel gRPC sockets, and the lane sockets
 *      while the route is wired): the panel survives and the route recovers.
 *   5. a wall-clock jump (unit level, RouteHealth): with an injected clock, what a jump does to
 *      the breakers and their backoff; with the daemon's own clock, a Date.now jump does nothing.
 */
import assert from "node:assert/strict";
import { watch } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { linkSample, wiredOneWay } from "../../packages/panel/src/daemon/route-fixtures.ts";
import { RouteHealth } from "../../packages/panel/src/daemon/route-health.ts";
import { breakerConfig } from "../../packages/panel/src/health/breaker.ts";
import { panelWait } from "../e2e/helpers.ts";
import {
  assertNothingLeft,
  cmdline,
  describePids,
  ppidOf,
  processTree,
  SOCKET_DIR,
  socketsOf,
} from "../support/panel-processes.ts";
import type { QuickstartSetup } from "../support/quickstart.ts";
import {
  cleanup,
  EVENTS_ROUTE,
  type PanelStatus,
  processes,
  type RouteListing,
  rssKiB,
  type TapSample,
  Workspace,
} from "./helpers.ts";

const EVENTS_FILE = "logs/events.ndjson";
/** What the route's source end took (emit-recorded.py's record, case 1). */
const EMITTED_FILE = "logs/emitted.ndjson";
const EVENTS_MANIFEST = "services/events/rtt.manifest.json";
const LOGGER_MANIFEST = "services/logger/rtt.manifest.json";
/** The quickstart's policy: qos for rtt://core/bus/* is `drop: buffer` with `buffer: 1024`. */
const POLICY_BUFFER = 1024;

after(cleanup);

/**
 * emit.py forever, as fast as it can, recording each event's seq in argv[1] once the write to
 * stdout (the process driver's pipe) succeeded: what the route's source end took.
 */
const EMIT_RECORDED = `import json, os, sys, time
os.makedirs(os.path.dirname(os.path.abspath(sys.argv[1])), exist_ok=True)
record = open(sys.argv[1], "a")
seq = 0
try:
    while True:
        seq += 1
        event = {"seq": seq, "type": "tick", "ts_ms": int(time.time() * 1000)}
        sys.stdout.write(json.dumps(event, separators=(",", ":")) + "\\n")
        sys.stdout.flush()
        record.write('{"seq":%d}\\n' % seq)
        record.flush()
except OSError:
    sys.exit(0)
`;

/** emit.py forever, as fast as it can. */
const STREAM_FOREVER: QuickstartSetup = { emit: { count: 0, intervalMs: 0 } };

/** The seqs of the records in logs/events.ndjson (or the raw events in logs/emitted.ndjson). */
function seqs(ws: Workspace, rel: string): number[] {
  return ws.lines(rel).map((l) => {
    const v = JSON.parse(l) as { seq?: number; record?: { seq: number } };
    return v.record?.seq ?? v.seq ?? Number.NaN;
  });
}

/** The runs of a seq list: a new run starts wherever seq drops back (a restarted emit.py). */
function runsOf(list: readonly number[]): number[][] {
  const runs: number[][] = [];
  let prev = Number.POSITIVE_INFINITY;
  for (const s of list) {
    if (s <= prev) runs.push([]);
    runs.at(-1)?.push(s);
    prev = s;
  }
  return runs;
}

/** Processes under `root` whose command line matches `re`. */
function programsUnder(root: number, re: RegExp): number[] {
  return processTree([root]).filter((pid) => pid !== root && re.test(cmdline(pid)));
}

async function scanAndApply(ws: Workspace): Promise<void> {
  await ws.ok(["scan"]);
  await ws.ok(["apply", "--auto-approve"]);
}

/**
 * The panel's status once both routes are live (a rewire runs batch by batch). `rtt panel
 * status` runs per check, so every 500 ms.
 */
async function bothRoutesLive(ws: Workspace): Promise<PanelStatus> {
  let last: PanelStatus | undefined;
  return eventually(
    async () => {
      last = await ws.status();
      return last.routes >= 2 && last;
    },
    {
      ...panelWait(ws.root, "both routes live again"),
      intervalMs: 500,
      detail: () => `${JSON.stringify(last)}\n${ws.tail()}`,
    },
  );
}

async function waitForGrowth(ws: Workspace, what: string, by: number): Promise<number> {
  const from = ws.count(EVENTS_FILE);
  return eventually(
    () => {
      const n = ws.count(EVENTS_FILE);
      return n >= from + by ? n : undefined;
    },
    panelWait(ws.root, `${what}: ${EVENTS_FILE} to grow by ${by} lines (from ${from})`),
  );
}

/**
 * No loss across a crash, at least once: the seqs at `rel` (deduplicated) are 1..n with no gap,
 * n is past what the source took before the kill, and at most one came twice — the one message
 * a crash can land between the target's pipe taking it and its mark recording it (a replay then
 * starts below the last seq).
 */
function assertNoLoss(t: TestContext, ws: Workspace, rel: string, emittedAtKill: number): void {
  const firsts: number[] = [];
  let duplicates = 0;
  for (const s of seqs(ws, rel)) {
    if (s <= (firsts.at(-1) ?? 0)) duplicates++;
    else firsts.push(s);
  }
  assert.ok(firsts.length > 0, `nothing at ${rel}`);
  const gap = firsts.findIndex((s, i) => s !== i + 1);
  assert.equal(
    gap,
    -1,
    `${rel} skips from seq ${firsts[gap - 1]} to ${firsts[gap]} (the kill at ~${emittedAtKill}): lost\n${ws.tail(80)}`,
  );
  const newest = firsts.at(-1) ?? 0;
  t.diagnostic(
    `${rel} has seq 1..${newest}, ${duplicates} duplicate(s); the kill at ~${emittedAtKill}`,
  );
  assert.ok(duplicates <= 1, `${duplicates} duplicates; at most the one a crash can cut`);
  // What was in flight at the kill (the journal, the FIFOs) arrived: the target is past it.
  assert.ok(
    newest >= emittedAtKill,
    `${rel} at seq ${newest}, the source took ${emittedAtKill} before the kill`,
  );
}

// -----------------------------------------------------------------------------------------------

describe("1. kill -9 the process driver under load", { timeout: 360_000 }, () => {
  const ws = new Workspace();
  let before: PanelStatus | undefined;
  let oldDriver = 0;
  let oldPrograms: number[] = [];
  let pids: number[] = [];
  let emittedAtKill = 0;

  it("the panel restarts the driver and logs the rewiring of its routes", async () => {
    // emit.py's events, each recorded once the driver's pipe took it: what the source end took.
    ws.write("services/events/emit-recorded.py", EMIT_RECORDED);
    ws.editManifest(EVENTS_MANIFEST, (s) => {
      s["x-run"] = ["python3", "emit-recorded.py", `../../${EMITTED_FILE}`];
    });
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the logger", 2000);
    before = await ws.status();
    pids = ws.trackTree(before);
    oldDriver = ws.driverPid(before, "process");
    oldPrograms = programsUnder(oldDriver, /emit-recorded\.py|logger\.mjs/);
    assert.ok(
      oldPrograms.length >= 2,
      `emit-recorded.py and logger.mjs under the driver:\n${describePids(processTree([oldDriver]))}`,
    );

    process.kill(oldDriver, "SIGKILL");
    emittedAtKill = ws.count(EMITTED_FILE);
    await eventually(
      () => !isAlive(oldDriver),
      panelWait(ws.root, `the driver (pid ${oldDriver}) to die`),
    );
    await eventually(
      () => {
        const log = ws.panelLog();
        return (
          /\[process\] driver was killed by SIGKILL/.test(log) &&
          /driver process restarted: its links are gone, rewiring its routes/.test(log) &&
          new RegExp(`rewiring \\d+ committed route\\(s\\): .*${EVENTS_ROUTE}`).test(log)
        );
      },
      panelWait(ws.root, "the restart and the rewiring in panel.log"),
    );
  });

  it("the old driver's programs live on and the new driver adopts them", async () => {
    assert.ok(oldPrograms.length > 0, "the kill step failed");
    // They run in process groups of their own, and hold the far ends of their own stdio FIFOs
    // (the route is journaled): the SIGKILL neither reaches them nor closes their pipes.
    assert.deepEqual(
      oldPrograms.filter((p) => !isAlive(p)),
      [],
      `the old driver's programs died with it:\n${describePids(oldPrograms)}`,
    );
    // Each runs under its exit-status waiter (an `sh`, the process recorded and adopted).
    await eventually(
      () => {
        const adopted = [...ws.panelLog().matchAll(/adopted the running program \(pid (\d+)\)/g)];
        const pidsAdopted = new Set(adopted.map((m) => Number(m[1])));
        return pidsAdopted.size >= 2 && [...pidsAdopted].every((p) => oldPrograms.includes(p));
      },
      panelWait(ws.root, "both programs adopted in panel.log"),
    );
  });

  it("the route is wired again on a new driver, and the same emit.py streams on", async () => {
    assert.ok(before !== undefined, "the kill step failed");
    // The rewire runs batch by batch: wait until both routes are live again.
    const after = await bothRoutesLive(ws);
    const newDriver = ws.driverPid(after, "process");
    assert.notEqual(newDriver, oldDriver, "the process driver should have a new pid");
    assert.equal(after.pid, before.pid, "the panel itself is the same process");
    assert.equal(after.drivers.find((d) => d.name === "process")?.restarts, 1);
    assert.equal(after.routes, 2, `both routes live again: ${JSON.stringify(after)}`);
    pids = [...new Set([...pids, ...ws.trackTree(after)])];

    const route = await ws.route(EVENTS_ROUTE);
    assert.ok(route.live?.wired, `not wired: ${JSON.stringify(route)}`);
    assert.ok(route.live.from_link.ok && route.live.to_link.ok, JSON.stringify(route.live));

    await waitForGrowth(ws, "messages after the rewire", 2000);
    assert.equal(runsOf(seqs(ws, EMITTED_FILE)).length, 1, "emit.py was not restarted");
  });

  it("no message loss within the buffer bound: what the source took reaches the logger, in order", (t) => {
    const emitted = seqs(ws, EMITTED_FILE);
    t.diagnostic(`source took ${emitted.length} messages; policy buffer ${POLICY_BUFFER}`);
    assertNoLoss(t, ws, EVENTS_FILE, emittedAtKill);
  });

  it("panel stop leaves none of the processes, old or new, behind", async () => {
    const now = await ws.status();
    pids = [...new Set([...pids, ...oldPrograms, ...ws.trackTree(now)])];
    processes.track(oldPrograms);
    await ws.ok(["panel", "stop"]);
    await assertNothingLeft(ws, pids, processes);
  });
});

// -----------------------------------------------------------------------------------------------

/**
 * The events route's target moved to the file driver (an NDJSON sink it appends to), so the
 * route's two ends are in two drivers.
 */
const SINK_FILE = "sink/events.ndjson";

function routeToSink(ws: Workspace): void {
  ws.write(SINK_FILE, "");
  ws.write(
    "sink/rtt.manifest.json",
    JSON.stringify({
      $schema: "https://rtt/spec/v1",
      symbol: {
        saddr: "rtt://obs/extension/sink@1.0.0#ndjson",
        type: "extension",
        direction: "consumer",
        capabilities: ["stream"],
        io: "stream",
        inputs: [{ name: "record", schema: "json://logger.record" }],
        "x-driver": "file",
        "x-path": ws.path(SINK_FILE),
      },
    }),
  );
  const routes = JSON.parse(ws.lines(".rtt/routes.json").join("\n")) as {
    routes: { id: string; to: string; params?: Record<string, string> }[];
  };
  for (const r of routes.routes)
    if (r.id === EVENTS_ROUTE) {
      r.to = "rtt://obs/extension/sink#ndjson";
      r.params = { append: "lines" };
    }
  ws.write(".rtt/routes.json", JSON.stringify(routes));
  // The sink appends slower than emit.py writes (lag past the failover SLO): no failover here,
  // the route must stay on the sink whose driver is killed.
  const policy = JSON.parse(ws.lines(".rtt/policy.json").join("\n")) as { failover?: unknown };
  delete policy.failover;
  ws.write(".rtt/policy.json", JSON.stringify(policy));
}

describe("1b. kill -9 the target's driver of a buffer route under load", {
  timeout: 360_000,
}, () => {
  const ws = new Workspace();
  let emitPids: number[] = [];
  let emittedAtKill = 0;
  let pids: number[] = [];

  it("the source's program is left running for the rewire, which adopts it", async () => {
    ws.write("services/events/emit-recorded.py", EMIT_RECORDED);
    ws.editManifest(EVENTS_MANIFEST, (s) => {
      s["x-run"] = ["python3", "emit-recorded.py", `../../${EMITTED_FILE}`];
    });
    routeToSink(ws);
    await scanAndApply(ws);
    const grown = ws.count(SINK_FILE) + 2000;
    await eventually(
      () => ws.count(SINK_FILE) >= grown,
      panelWait(ws.root, "the stream to reach the sink"),
    );
    const before = await ws.status();
    pids = ws.trackTree(before);
    // emit-recorded.py and its exit-status waiter (an `sh`, the process recorded and adopted).
    emitPids = programsUnder(ws.driverPid(before, "process"), /emit-recorded\.py/);
    assert.ok(emitPids.length > 0, "emit-recorded.py runs under the process driver");
    const fileDriver = ws.driverPid(before, "file");

    process.kill(fileDriver, "SIGKILL");
    emittedAtKill = ws.count(EMITTED_FILE);
    await eventually(
      () => {
        const log = ws.panelLog();
        return emitPids.some(
          (p) =>
            log.includes(`left running for the next link (pid ${p})`) &&
            log.includes(`adopted the running program (pid ${p})`),
        );
      },
      panelWait(ws.root, "the source's program left running, then adopted, in panel.log"),
    );
    assert.deepEqual(
      emitPids.filter((p) => !isAlive(p)),
      [],
      "the same emit-recorded.py streams on",
    );
    const after = await bothRoutesLive(ws);
    assert.equal(after.routes, 2, `both routes live again: ${JSON.stringify(after)}\n${ws.tail()}`);
    pids = [...new Set([...pids, ...ws.trackTree(after)])];
    const from = ws.count(SINK_FILE);
    await eventually(
      () => ws.count(SINK_FILE) >= from + 2000,
      panelWait(ws.root, "messages after the rewire"),
    );
    assert.equal(runsOf(seqs(ws, EMITTED_FILE)).length, 1, "emit-recorded.py was not restarted");
  });

  it("no message loss: every seq the source took reaches the sink, in order, at most one twice", (t) => {
    assertNoLoss(t, ws, SINK_FILE, emittedAtKill);
  });

  it("panel stop leaves nothing behind", async () => {
    pids = [...new Set([...pids, ...emitPids, ...ws.trackTree(await ws.status())])];
    processes.track(pids);
    await ws.ok(["panel", "stop"]);
    await assertNothingLeft(ws, pids, processes);
  });
});

// -----------------------------------------------------------------------------------------------

describe("2. kill -9 the panel under load", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  let first: PanelStatus | undefined;
  let pids: number[] = [];
  let emitPid = 0;

  it("the data keeps flowing over the lanes while no panel runs", async () => {
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the logger", 2000);
    first = await ws.status();
    pids = ws.trackTree(first);
    emitPid = programsUnder(ws.driverPid(first, "process"), /emit\.py/)[0] ?? 0;
    assert.ok(emitPid > 0, "emit.py runs under the process driver");

    const panel = first.pid;
    process.kill(panel, "SIGKILL");
    await eventually(() => !isAlive(panel), panelWait(ws.root, `the panel (pid ${panel}) to die`));
    const atKill = ws.count(EVENTS_FILE);
    await sleep(1500);
    const later = ws.count(EVENTS_FILE);
    assert.ok(
      later > atKill,
      `${EVENTS_FILE} did not grow in the 1.5 s after the panel died (${atKill} → ${later})`,
    );
    const others = pids.filter((p) => p !== panel);
    assert.deepEqual(
      others.filter((p) => !isAlive(p)),
      [],
      `processes died with the panel:\n${describePids(others)}`,
    );
  });

  it("rtt panel start re-attaches the same drivers, rewires nothing, traffic continues", async () => {
    assert.ok(first !== undefined, "the kill step failed");
    const logBefore = ws.panelLog().length;
    await ws.ok(["panel", "start"]);
    const status = await ws.status();
    processes.track([status.pid]);
    pids.push(status.pid);
    assert.notEqual(status.pid, first.pid);
    assert.equal(status.routes, 2);
    const byName = (s: PanelStatus) =>
      Object.fromEntries(s.drivers.map((d) => [d.name, [d.pid, d.restarts]] as const));
    assert.deepEqual(
      byName(status),
      byName(first),
      `drivers relaunched, not re-attached\n${ws.tail()}`,
    );

    const log = ws.panelLog().slice(logBefore);
    assert.match(log, new RegExp(`took over the lock of a dead panel \\(pid ${first.pid}\\)`));
    for (const d of first.drivers)
      assert.match(log, new RegExp(`re-attached driver ${d.name} \\(pid ${d.pid}\\)`), ws.tail());
    assert.doesNotMatch(log, /rewiring|restarted: its links are gone/, ws.tail());
    assert.ok(isAlive(emitPid), "emit.py was not restarted: the same process streams on");

    await waitForGrowth(ws, "traffic after the re-attach", 2000);
    const route = await ws.route(EVENTS_ROUTE);
    assert.ok(route.live?.wired && route.live.to_link.ok, JSON.stringify(route));
  });

  it("panel stop after the re-attach leaves nothing behind", async () => {
    pids = [...new Set([...pids, ...processTree(pids.filter(isAlive))])];
    processes.track(pids);
    await ws.ok(["panel", "stop"]);
    await assertNothingLeft(ws, pids, processes);
  });
});

// -----------------------------------------------------------------------------------------------

/** A consumer that takes one line from stdin every 10 ms (its stream buffer is 4 KiB). */
const SLOW_LOGGER = `// A slow consumer for the fault suite: one line from stdin every 10 ms, appended to a file.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
const out = resolve(process.argv[2]);
mkdirSync(dirname(out), { recursive: true });
let buf = "";
let ended = false;
process.stdin.setEncoding("utf8");
process.stdin.pause();
process.stdin.on("end", () => { ended = true; });
process.stdin.on("readable", () => {});
setInterval(() => {
  while (!buf.includes("\\n")) {
    const chunk = process.stdin.read(4096);
    if (chunk === null) break;
    buf += chunk;
  }
  const i = buf.indexOf("\\n");
  if (i < 0) { if (ended) process.exit(0); return; }
  appendFileSync(out, buf.slice(0, i + 1));
  buf = buf.slice(i + 1);
}, 10);
`;

describe("3. slow consumer", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  const rss: { driver: string; at: number; kib: number }[] = [];
  let samples: TapSample[] = [];

  it("the route stays up; the slow logger gets the stream in order, each once", async () => {
    ws.write("services/logger/slow-logger.mjs", SLOW_LOGGER);
    ws.editManifest(LOGGER_MANIFEST, (s) => {
      s["x-run"] = [process.execPath, "slow-logger.mjs", `../../${EVENTS_FILE}`];
    });
    await scanAndApply(ws);
    await eventually(
      () => ws.count(EVENTS_FILE) > 20,
      panelWait(ws.root, "the first lines at the slow logger"),
    );
    const status = await ws.status();
    ws.trackTree(status);

    // ~6 s: the drivers' RSS every 500 ms, and tap samples alongside.
    const tap = ws.tap(EVENTS_ROUTE, 6, 1000);
    const start = Date.now();
    while (Date.now() - start < 6000) {
      for (const d of status.drivers) {
        const kib = rssKiB(d.pid);
        if (kib !== undefined) rss.push({ driver: d.name, at: Date.now() - start, kib });
      }
      await sleep(500);
    }
    samples = await tap;
    assert.ok(samples.length === 6, `6 tap samples: ${JSON.stringify(samples)}`);
    assert.ok(
      samples.every((s) => s.to_link.ok && s.from_link.ok),
      `both links ok while the consumer is slow: ${JSON.stringify(samples.at(-1))}`,
    );
    const got = seqs(ws, EVENTS_FILE);
    const wrong = got.findIndex((s, i) => s !== i + 1);
    assert.equal(
      wrong,
      -1,
      `seq 1..n in order at the slow logger: line ${wrong + 1} has seq ${got[wrong]} ` +
        `(${got.length} lines, first ${got.slice(0, 3).join(", ")})\n${ws.tail()}`,
    );
    assert.equal(isAlive(status.pid), true, "the panel survived");
  });

  // Backpressure: the target link pauses its lane reader above 1024 queued frames, the lane
  // (the 8 MiB shm ring, or a socket buffer) fills, the source's writer waits for 'drain', the
  // process driver pauses the program's stdout, and emit.py blocks on its pipe. What the source
  // link sends beyond the target's frames_in sits in the ring: bounded by its size.
  it("the drivers' memory and the route's queue stay bounded while the consumer lags", (t) => {
    assert.ok(samples.length > 0, "the slow-consumer step failed");
    const q = samples.map((s) => s.qdepth);
    const proc = rss.filter((r) => r.driver === "process");
    t.diagnostic(`qdepth per tap sample (1 s apart): ${q.join(", ")}`);
    t.diagnostic(
      `from frames_out ${samples.map((s) => s.from_link.frames_out).join(", ")}; to frames_in ${samples.map((s) => s.to_link.frames_in).join(", ")}`,
    );
    t.diagnostic(`process driver VmRSS (KiB) every 500 ms: ${proc.map((r) => r.kib).join(", ")}`);
    t.diagnostic(`breaker per tap sample: ${samples.map((s) => s.breaker).join(", ")}`);
    const first = proc[2]?.kib ?? 0; // after ~1 s: past start-up allocation
    const last = proc.at(-1)?.kib ?? 0;
    assert.ok(
      Math.max(...q) <= POLICY_BUFFER,
      `qdepth beyond the policy's buffer (${POLICY_BUFFER}): ${q.join(", ")}`,
    );
    assert.ok(
      last - first <= 32 * 1024,
      `process driver RSS grew ${Math.round((last - first) / 1024)} MiB in ~5 s`,
    );
  });

  it("panel stop ends the slow consumer too", async () => {
    const status = await ws.status();
    const pids = ws.trackTree(status);
    await ws.ok(["panel", "stop"]);
    await assertNothingLeft(ws, pids, processes);
  });
});

// -----------------------------------------------------------------------------------------------

/** Opens a Unix socket, writes `bytes`, and keeps it until the returned function is called. */
function garbageTo(
  path: string,
  bytes: Uint8Array,
): Promise<{ connected: boolean; close(): void }> {
  return new Promise((resolve) => {
    const s: Socket = connect(path);
    s.on("error", () => resolve({ connected: false, close: () => s.destroy() }));
    s.once("connect", () => {
      s.write(bytes);
      s.resume(); // whatever the peer answers
      resolve({ connected: true, close: () => s.destroy() });
    });
  });
}

function garbage(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  b.set(new TextEncoder().encode("GARBAGE\n{not a frame}\r\n"), 0);
  return b;
}

describe("4. corrupt bytes on the sockets of a uds route", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  let panelPid = 0;
  const hits: string[] = [];
  const held: { close(): void }[] = [];

  it("garbage written onto the route's lane sockets as they appear: the panel survives", async (t) => {
    ws.write(
      ".rtt/panel.yaml",
      ws
        .lines(".rtt/panel.yaml")
        .join("\n")
        .replace(/prefer: \[[^\]]*\]/, 'prefer: ["uds"]'),
    );
    assert.match(ws.lines(".rtt/panel.yaml").join("\n"), /prefer: \["uds"\]/);
    await ws.ok(["scan"]);
    await ws.ok(["panel", "start"]);
    panelPid = (await ws.status()).pid;
    processes.track([panelPid]);

    // Every lane socket a driver of this panel creates is connected to at once (the listener
    // takes one peer: when we are first, the garbage is what it reads).
    const watcher = watch(SOCKET_DIR, (_event, name) => {
      const m = /^lane-(\d+)-[0-9a-f]+\.sock$/.exec(String(name));
      if (m === null || ppidOf(Number(m[1])) !== panelPid) return;
      void garbageTo(join(SOCKET_DIR, String(name)), garbage(4096)).then((g) => {
        held.push(g);
        if (g.connected) hits.push(String(name));
      });
    });
    try {
      const apply = await ws.rtt(["apply", "--auto-approve"]);
      await sleep(2000);
      const status = await ws.rtt(["panel", "status", "--json"]);
      assert.equal(status.code, 0, `the panel does not answer after the garbage\n${ws.tail()}`);
      assert.ok(isAlive(panelPid), "the panel died");
      // Report what happened (the report of the suite quotes it).
      const tap = await ws.rtt(["tap", `route/${EVENTS_ROUTE}`, "--json", "--count", "1"]);
      const said = (text: string) =>
        text
          .split("\n")
          .filter((l) => /batch|fail|error|lane|garbage|frame/i.test(l))
          .join(" | ");
      t.diagnostic(`garbage reached ${hits.length} lane socket(s) first: ${hits.join(", ")}`);
      t.diagnostic(`apply exit ${apply.code}: ${said(apply.stdout + apply.stderr)}`);
      t.diagnostic(`panel.log: ${said(ws.panelLog())}`);
      t.diagnostic(`tap: exit ${tap.code} ${tap.stdout.trim()}${tap.stderr.trim()}`);
      if (tap.code === 0) {
        const s = JSON.parse(tap.stdout.trim().split("\n")[0] ?? "{}") as TapSample;
        // Reported down, or healthy and carrying the stream.
        if (s.ok) assert.ok(s.to_link.frames_in > 0, JSON.stringify(s));
        else assert.notEqual(s.err, "", "a route that is not ok says why");
      }
    } finally {
      watcher.close();
      for (const g of held) g.close();
    }
  });

  it("the route recovers: a second apply wires it over uds and the stream flows", async () => {
    assert.ok(panelPid > 0, "the first step failed");
    await ws.ok(["apply", "--auto-approve"]);
    let last: RouteListing | undefined;
    const ok = await eventually(
      async () => {
        last = await ws.route(EVENTS_ROUTE);
        return last.live?.wired && last.live.from_link.ok && last.live.to_link.ok && last;
      },
      {
        ...panelWait(ws.root, "the route to recover"),
        intervalMs: 1000,
        detail: () => `not recovered: ${JSON.stringify(last)}\n${ws.tail()}`,
      },
    );
    assert.ok(ok.live?.wired);
    assert.equal(ok.live.lane, "uds");
    await waitForGrowth(ws, "the stream over the recovered route", 2000);
  });

  it("garbage into the driver and panel gRPC sockets: the panel, drivers and route survive", async () => {
    const status = await ws.status();
    const pids = ws.trackTree(status);
    const targets = [
      ...socketsOf(
        status.drivers.map((d) => d.pid),
        ws.createdAt,
      )
        .filter((n) => n.startsWith("driver-"))
        .map((n) => join(SOCKET_DIR, n)),
      ws.path(".rtt/sockets/panel.sock"),
    ];
    assert.ok(targets.length >= 3, `driver sockets and the panel socket: ${targets.join(", ")}`);
    const conns = await Promise.all(targets.map((p) => garbageTo(p, garbage(65_536))));
    try {
      assert.ok(
        conns.every((c) => c.connected),
        "every gRPC socket accepted the connection",
      );
      await sleep(2000);
      const again = await ws.status();
      assert.equal(again.pid, status.pid);
      const byName = (s: PanelStatus) =>
        Object.fromEntries(s.drivers.map((d) => [d.name, [d.pid, d.restarts]] as const));
      assert.deepEqual(byName(again), byName(status), "no driver died or restarted");
      await waitForGrowth(ws, "the stream after the gRPC garbage", 2000);
      const [s] = await ws.tap(EVENTS_ROUTE, 1);
      assert.ok(s?.ok, `route ok after the gRPC garbage: ${JSON.stringify(s)}`);
    } finally {
      for (const c of conns) c.close();
    }
    await ws.ok(["panel", "stop"]);
    await assertNothingLeft(ws, [...new Set([...pids, panelPid])], processes);
  });
});

// -----------------------------------------------------------------------------------------------

describe("5. wall-clock jumps and the health loop (RouteHealth with an injected clock)", () => {
  const route = wiredOneWay();
  const sample = (ok: boolean) => linkSample(ok);

  /** A RouteHealth whose wall clock the test moves; `up` decides the samples. */
  function harness(start = 1_800_000_000_000) {
    const clock = { now: start, up: true };
    const transitions: string[] = [];
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(sample(clock.up)),
      configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 5000 } }),
      onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
      now: () => clock.now,
      random: () => 0,
    });
    /** One heartbeat (250 ms of real time). */
    const beat = async (jumpMs = 0) => {
      clock.now += 250 + jumpMs;
      await health.tick();
    };
    return { clock, health, transitions, beat };
  }

  it("a forward jump does not open a closed breaker (healthy, or below the error threshold)", async () => {
    const h = harness();
    for (let i = 0; i < 4; i++) await h.beat();
    await h.beat(3_600_000);
    h.clock.up = false;
    for (let i = 0; i < 4; i++) await h.beat(); // 4 errors < 5
    await h.beat(3_600_000);
    assert.deepEqual(h.transitions, [], "no transition from a jump alone");
    assert.equal(h.health.view("r")?.breaker.state, "closed");
  });

  it("a backward jump cannot hold an open breaker beyond the backoff cap (30 s)", async () => {
    const h = harness();
    h.clock.up = false;
    for (let i = 0; i < 5; i++) await h.beat();
    assert.deepEqual(h.transitions, ["closed→open"]);
    await h.beat(-86_400_000); // the clock goes back a day
    const retryAt = h.health.view("r")?.breaker.retryAt ?? 0;
    assert.ok(retryAt - h.clock.now <= 30_000, `retry ${retryAt - h.clock.now} ms ahead`);
    h.clock.up = true;
    for (let i = 0; i < 30_000 / 250 + 1; i++) await h.beat();
    assert.deepEqual(h.transitions.slice(0, 2), ["closed→open", "open→half-open"]);
  });

  it("a forward jump does not close a half-open breaker: closing needs successes, not time", async () => {
    const h = harness();
    h.clock.up = false;
    for (let i = 0; i < 5; i++) await h.beat();
    h.clock.up = true;
    await h.beat(750); // backoff (500 ms, jitter 0) over: half-open at this tick, 1 success
    assert.deepEqual(h.transitions, ["closed→open", "open→half-open"]);
    await h.beat(3_600_000);
    assert.equal(h.health.view("r")?.breaker.state, "half-open", "one jump is one success");
  });

  it("the daemon's health clock is monotonic: a wall-clock jump does not end a backoff early", async (t) => {
    // No injected clock: what the daemon runs. Trip the breaker with errors at real time, then
    // jump the wall clock (Date.now) an hour ahead: the open breaker must stay open.
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(sample(false)),
      configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 5000 } }),
      onTransition: () => {},
      random: () => 0,
    });
    for (let i = 0; i < 5; i++) await health.tick();
    assert.equal(health.view("r")?.breaker.state, "open");
    const realNow = Date.now;
    t.mock.method(Date, "now", () => realNow() + 3_600_000);
    await health.tick();
    assert.equal(health.view("r")?.breaker.state, "open", "a wall-clock jump changes nothing");
  });
});

/**
 * The stream the fault cases run under (emit.py as fast as it can, optionally recording what the
 * route's source end took) and the checks on what arrived: seqs in order, growth, no loss.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { eventually } from "@rtt/core/testing";
import { readNdjson } from "../support/files.ts";
import type { QuickstartSetup } from "../support/quickstart.ts";
import { EVENTS_ROUTE, Workspace } from "../support/quickstart-workspace.ts";

export const EVENTS_FILE = "logs/events.ndjson";
/** What the route's source end took (emit-recorded.py's record, cases 1 and 1b). */
export const EMITTED_FILE = "logs/emitted.ndjson";
const EVENTS_MANIFEST = "services/events/rtt.manifest.json";
/** The quickstart's policy: qos for rtt://core/bus/* is `drop: buffer` with `buffer: 1024`. */
export const POLICY_BUFFER = 1024;

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

/**
 * Makes the events source emit-recorded.py (EMIT_RECORDED): emit.py's events, each recorded in
 * EMITTED_FILE once the driver's pipe took it — what the route's source end took.
 */
export function recordEmitted(ws: Workspace): void {
  ws.write("services/events/emit-recorded.py", EMIT_RECORDED);
  ws.editManifest(EVENTS_MANIFEST, (s) => {
    s["x-run"] = ["python3", "emit-recorded.py", `../../${EMITTED_FILE}`];
  });
}

/** emit.py forever, as fast as it can. */
export const STREAM_FOREVER: QuickstartSetup = { emit: { count: 0, intervalMs: 0 } };

/** The seqs of the records in logs/events.ndjson (or the raw events in logs/emitted.ndjson). */
export function seqs(ws: Workspace, rel: string): number[] {
  return readNdjson<{ seq?: number; record?: { seq: number } }>(ws.path(rel)).map(
    (v) => v.record?.seq ?? v.seq ?? Number.NaN,
  );
}

/** The runs of a seq list: a new run starts wherever seq drops back (a restarted emit.py). */
export function runsOf(list: readonly number[]): number[][] {
  const runs: number[][] = [];
  let prev = Number.POSITIVE_INFINITY;
  for (const s of list) {
    if (s <= prev) runs.push([]);
    runs.at(-1)?.push(s);
    prev = s;
  }
  return runs;
}

/** Waits until the NDJSON file at `rel` (the logger's, by default) has `by` more lines. */
export async function waitForGrowth(
  ws: Workspace,
  what: string,
  by: number,
  rel = EVENTS_FILE,
): Promise<number> {
  const from = ws.count(rel);
  return eventually(
    () => {
      const n = ws.count(rel);
      return n >= from + by ? n : undefined;
    },
    ws.wait(`${what}: ${rel} to grow by ${by} lines (from ${from})`),
  );
}

/**
 * No loss across a crash, at least once: the seqs at `rel` (deduplicated) are 1..n with no gap,
 * n is past what the source took before the kill, and at most one came twice — the one message
 * a crash can land between the target's pipe taking it and its mark recording it (a replay then
 * starts below the last seq).
 */
export function assertNoLoss(
  t: TestContext,
  ws: Workspace,
  rel: string,
  emittedAtKill: number,
): void {
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

/**
 * Exactly once across targets (the panel stopped, so nothing is still on its way): the seqs at
 * `rels` together are 1..n, each once — none reached two of them, or one twice.
 */
export function assertEachSeqOnce(t: TestContext, ws: Workspace, rels: readonly string[]): void {
  const all = rels.flatMap((rel) => seqs(ws, rel)).sort((a, b) => a - b);
  const doubled = all.filter((s, i) => i > 0 && all[i - 1] === s);
  assert.deepEqual(
    doubled.slice(0, 10),
    [],
    `${doubled.length} seq(s) reached two targets (or one twice)`,
  );
  const missing = all.findIndex((s, i) => s !== i + 1);
  assert.equal(
    missing,
    -1,
    `seq ${missing + 1} never arrived (${rels.join(", ")} have ${all.length} seqs up to ${all.at(-1)})`,
  );
  t.diagnostic(`${rels.join(", ")} have seq 1..${all.length}, each once`);
}

/**
 * What the qc fault cases flip: the events route under a steady stream (~1,000 events/s at most,
 * so the loggers' files stay small enough to check), logger2 its failover target, and no breaker
 * failing the route over by itself — on a loaded machine the stream's p95 passes the example's
 * 50 ms, and a failover would race the flips and the checks.
 */
export function flipWorkspace(): Workspace {
  return new Workspace({
    emit: { count: 0, intervalMs: 1 },
    logger2Failover: true,
    routes: [EVENTS_ROUTE],
    policy: (p) => {
      for (const rule of p.failover ?? []) rule.health = "p95<60000ms,err<50%";
    },
  });
}

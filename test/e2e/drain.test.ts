/**
 * Drain means the program finished (issue 16, ADR 0024), through the real binary on a temp copy
 * of the quickstart whose event stream goes to consumers that hold everything until EOF:
 * `sort -n` appending to logs/out-N (two such manifests, sorter1 and sorter2). emit.py sends
 * 20,000 numbered events; midway the route moves to the second sorter (`rtt qc`, or a failover
 * that `rtt trip` sets off); `rtt panel stop` ends it. The moved-off sorter is drained — EOF,
 * time to finish — not killed, so the two files together hold every event exactly once; the
 * panel log, the audit ledger and `rtt ls routes --json` say how it ended and what it took.
 * A consumer that exits non-zero after EOF leaves its frames unaccounted for, and says so.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import type { QuickstartPolicy } from "../support/quickstart.ts";
import {
  EVENTS_ROUTE,
  quickstartSuite,
  scanAndApply,
  type Workspace,
} from "../support/quickstart-workspace.ts";
import { parseJson } from "./helpers.ts";

/** emit.py's events, 1 ms apart: the move lands midway. */
const N = 20_000;
const SORTER = (n: number) => `rtt://obs/extension/sorter${n}`;
const SORTER_ADDR = (n: number) => `${SORTER(n)}@1.0.0#ndjson`;

const { use } = quickstartSuite();

/** A consumer manifest under services/sorterN running `run` (a shell command) in its folder. */
function addConsumer(w: Workspace, n: number, run: string): void {
  const logger = JSON.parse(w.read("services/logger/rtt.manifest.json")) as {
    symbol: Record<string, unknown>;
  };
  logger.symbol.saddr = SORTER_ADDR(n);
  logger.symbol["x-run"] = ["sh", "-c", run];
  delete logger.symbol["x-reattach"];
  mkdirSync(w.path("services", `sorter${n}`));
  writeFileSync(w.path("services", `sorter${n}`, "rtt.manifest.json"), JSON.stringify(logger));
}

/** Two sorters, the event route on the first; `failover`: the policy's list names both. */
function setUp(failover: boolean): Workspace {
  const w = use({
    emit: { count: N, intervalMs: 1 },
    routes: [EVENTS_ROUTE],
    policy: (p: QuickstartPolicy) => {
      p.failover = failover
        ? [
            {
              route: `rtt://core/bus/events -> [${SORTER(1)}#ndjson, ${SORTER(2)}#ndjson]`,
              // Only `rtt trip` fails it over: a stream's queue is its latency.
              health: "p95<60000ms",
            },
          ]
        : [];
    },
  });
  mkdirSync(w.path("logs"), { recursive: true });
  // Appending: a sorter started again (a prebound spare, a half-open trial) keeps what its
  // predecessor wrote.
  for (const n of [1, 2]) addConsumer(w, n, `sort -n >> ../../logs/out-${n}`);
  w.editJson<{ routes: { id: string; to: string }[] }>(".rtt/routes.json", (f) => {
    for (const r of f.routes) if (r.id === EVENTS_ROUTE) r.to = `${SORTER(1)}#ndjson`;
  });
  return w;
}

interface Retired {
  readonly to: string;
  readonly ended: string;
  readonly code: number | null;
  readonly frames: number;
  readonly unaccounted: number;
}

async function retiredOf(w: Workspace): Promise<Retired[]> {
  const r = await w.ok(["ls", "routes", "--json"]);
  const routes = parseJson(r.stdout) as { id: string; live: { retired?: Retired[] } | null }[];
  return routes.find((x) => x.id === EVENTS_ROUTE)?.live?.retired ?? [];
}

/** Waits until the route's targets, retired and current, have taken all N events. */
async function allTaken(w: Workspace): Promise<Retired[]> {
  let retired: Retired[] = [];
  await eventually(
    async () => {
      retired = await retiredOf(w);
      const now = (await w.wiredRoute(EVENTS_ROUTE))?.to_link.frames_in ?? 0;
      return retired.reduce((sum, t) => sum + t.frames, 0) + now >= N;
    },
    { ...w.wait(`all ${N} events taken`), intervalMs: 500 },
  );
  return retired;
}

/** Waits until the current target has taken `n` events. */
async function taken(w: Workspace, n: number): Promise<void> {
  await eventually(async () => ((await w.wiredRoute(EVENTS_ROUTE))?.to_link.frames_in ?? 0) >= n, {
    ...w.wait(`${n} events at the first sorter`),
    intervalMs: 300,
  });
}

/** The seqs in logs/out-1 and logs/out-2, together. */
function seqs(w: Workspace): { all: number[]; first: number; second: number } {
  const read = (n: number) => {
    const file = w.path("logs", `out-${n}`);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
  };
  const a = read(1);
  const b = read(2);
  return { all: [...a, ...b], first: a.length, second: b.length };
}

function assertEachOnce(all: readonly number[]): void {
  assert.equal(all.length, N, `${N} events, none lost, none twice (got ${all.length})`);
  const sorted = [...all].sort((x, y) => x - y);
  for (let i = 0; i < N; i++) assert.equal(sorted[i], i + 1, `event ${i + 1} exactly once`);
}

describe("drain means the program finished", () => {
  it(`qc midway between two sort consumers: ${N} events, each in exactly one output`, async () => {
    const w = setUp(false);
    await scanAndApply(w);
    await taken(w, N / 4);
    const qc = await w.ok(["qc", `${EVENTS_ROUTE} -> ${SORTER(2)}`, "--json"]);
    const swap = parseJson(qc.stdout) as { changed: boolean; old_frames: number; warm: boolean };
    assert.equal(swap.changed, true);
    assert.ok(swap.old_frames < N, "the qc landed before the stream ended");

    const retired = await allTaken(w);
    // sorter1 had no x-reattach: no warm spare; it was drained to its exit, which acknowledged
    // what it took.
    assert.deepEqual(
      retired.map((t) => [t.to, t.ended, t.code, t.frames, t.unaccounted]),
      [[SORTER_ADDR(1), "exited", 0, swap.old_frames, 0]],
    );
    assert.match(
      w.panelLog(),
      new RegExp(
        `route ${EVENTS_ROUTE}: retired ${SORTER_ADDR(1).replace(/[/.@#]/g, "\\$&")} \\([^)]*\\): exited 0 after EOF, ${swap.old_frames} frames taken`,
      ),
    );
    const audit = await w.ok(["audit", "--json", "--route", EVENTS_ROUTE]);
    const retire = audit.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; who: string; after: Record<string, unknown> })
      .find((r) => r.action === "retire");
    assert.ok(retire !== undefined, "a retire record");
    assert.equal(retire.who, "panel");
    assert.deepEqual(
      [retire.after.ended, retire.after.code, retire.after.frames, retire.after.unaccounted],
      ["exited", 0, swap.old_frames, 0],
    );

    await w.ok(["panel", "stop"]);
    const out = seqs(w);
    assert.equal(out.first, swap.old_frames, "the first sorter wrote all it took");
    assert.ok(out.second > 0, "the second sorter wrote the rest at the panel's stop");
    // The stop drained it too, and its driver said so in the panel's log.
    assert.match(
      w.panelLog(),
      new RegExp(`program exited 0 after EOF \\(${out.second} frames taken\\)`),
    );
    assertEachOnce(out.all);
  });

  it(`a failover set off by rtt trip, midway: ${N} events, each in exactly one output`, async () => {
    const w = setUp(true);
    await scanAndApply(w);
    await taken(w, N / 4);
    const trip = await w.ok(["trip", `route/${EVENTS_ROUTE}`, "--why", "e2e", "--json"]);
    assert.equal((parseJson(trip.stdout) as { state: string }).state, "open");
    await eventually(
      async () => (await w.wiredRoute(EVENTS_ROUTE))?.to === SORTER_ADDR(2),
      w.wait("the failover to the second sorter"),
    );
    const retired = await allTaken(w);
    assert.ok(retired.length > 0, "the first sorter was retired");
    for (const t of retired) {
      assert.equal(t.ended, "exited", `${t.to} exited by itself after EOF`);
      assert.equal(t.unaccounted, 0);
    }
    await w.ok(["panel", "stop"]);
    const out = seqs(w);
    assert.ok(out.first > 0 && out.second > 0, `both sorters wrote: ${out.first} / ${out.second}`);
    assertEachOnce(out.all);
  });

  it("a target program that dies mid-route holding frames: rtt ls routes counts them unaccounted", async () => {
    const w = setUp(false);
    // Reads a little, then fails; respawned (on-failure), it does so again.
    w.editManifest("services/sorter1/rtt.manifest.json", (s) => {
      s["x-run"] = ["sh", "-c", "head -n 5 > /dev/null; exit 4"];
    });
    await scanAndApply(w);
    await eventually(
      async () => ((await w.wiredRoute(EVENTS_ROUTE))?.to_link.unaccounted ?? 0) > 0,
      w.wait("frames unaccounted for at the target"),
    );
    const human = await w.ok(["ls", "routes"]);
    assert.match(
      human.stdout,
      /target .*sorter1.*'s program died \(non-zero or by a signal\) holding \d+ frames, unaccounted for/,
    );
    await w.ok(["panel", "stop"]);
  });

  it("a buffer route replays from the last acknowledged mark what a failed target took", async () => {
    const w = use({ emit: { count: 30, intervalMs: 10 }, routes: [EVENTS_ROUTE] });
    mkdirSync(w.path("logs"), { recursive: true });
    // Appends what it reads as it reads it; at EOF it acknowledges only once logs/ok exists.
    addConsumer(w, 1, "cat >> ../../logs/seen; [ -e ../../logs/ok ] || exit 5");
    w.editJson<{ routes: { id: string; to: string }[] }>(".rtt/routes.json", (f) => {
      for (const r of f.routes) if (r.id === EVENTS_ROUTE) r.to = `${SORTER(1)}#ndjson`;
    });
    const seen = () =>
      existsSync(w.path("logs", "seen"))
        ? readFileSync(w.path("logs", "seen"), "utf8")
            .split("\n")
            .filter((l) => l !== "")
        : [];
    await scanAndApply(w);
    await eventually(() => seen().length >= 30, w.wait("the 30 events at the target"));
    const first = seen();
    // The stop drains it: it exits 5, acknowledging nothing; the route's mark goes back.
    await w.ok(["panel", "stop"]);
    assert.match(
      w.panelLog(),
      /program exited 5 after EOF \(30 frames taken, 30 unaccounted for\): journal mark back to 0/,
    );
    writeFileSync(w.path("logs", "ok"), "");
    await w.ok(["panel", "start"]);
    // The new source link replays the journal from the mark: the same 30 lines, byte for byte.
    await eventually(
      () => first.every((line) => seen().filter((l) => l === line).length >= 2),
      w.wait("the 30 events replayed to the target"),
    );
    await w.ok(["panel", "stop"]);
  });

  it("rtt panel stop waits out a drain longer than the driver's stop steps (x-drain-ms 12000)", async () => {
    const w = use({ emit: { count: 30, intervalMs: 10 }, routes: [EVENTS_ROUTE] });
    mkdirSync(w.path("logs"), { recursive: true });
    // Needs 10 s after EOF: more than the ~9 s the driver host's three 3 s steps (Shutdown,
    // exit, TERM) allowed before a stop gave its drains their time.
    addConsumer(w, 1, "cat > /dev/null; sleep 10; echo done > ../../logs/out");
    w.editManifest("services/sorter1/rtt.manifest.json", (s) => {
      s["x-drain-ms"] = 12_000;
    });
    w.editJson<{ routes: { id: string; to: string }[] }>(".rtt/routes.json", (f) => {
      for (const r of f.routes) if (r.id === EVENTS_ROUTE) r.to = `${SORTER(1)}#ndjson`;
    });
    await scanAndApply(w);
    await taken(w, 30);
    await w.ok(["panel", "stop"]);
    assert.equal(readFileSync(w.path("logs", "out"), "utf8"), "done\n");
    assert.match(w.panelLog(), /program exited 0 after EOF \(30 frames taken\)/);
    assert.doesNotMatch(w.panelLog(), /cut short/);
  });

  it("a consumer that exits non-zero after EOF leaves its frames unaccounted for, and says so", async () => {
    const w = setUp(false);
    // sorter1 reads everything, then fails.
    w.editManifest("services/sorter1/rtt.manifest.json", (s) => {
      s["x-run"] = ["sh", "-c", "cat > /dev/null; exit 3"];
      s["x-drain-ms"] = 2000;
    });
    await w.ok(["scan"]);
    // The plan shows how each program target is retired.
    const plan = await w.ok(["plan"]);
    assert.match(
      plan.stdout,
      /retired: EOF, 2000 ms to finish \(x-drain-ms\), then TERM; no warm spare/,
    );
    await w.ok(["apply", "--auto-approve"]);
    await taken(w, 100);
    const qc = await w.ok(["qc", `${EVENTS_ROUTE} -> ${SORTER(2)}`, "--json"]);
    const { old_frames } = parseJson(qc.stdout) as { old_frames: number };
    let retired: Retired[] = [];
    await eventually(async () => {
      retired = await retiredOf(w);
      return retired.length > 0;
    }, w.wait("the first consumer retired"));
    assert.deepEqual(
      retired.map((t) => [t.ended, t.code, t.frames, t.unaccounted]),
      [["exited", 3, old_frames, old_frames]],
    );
    const human = await w.ok(["ls", "routes"]);
    assert.match(
      human.stdout,
      new RegExp(
        `retired target .*sorter1.* exited 3 with ${old_frames} of its ${old_frames} frames unaccounted for`,
      ),
    );
    await w.ok(["panel", "stop"]);
  });
});

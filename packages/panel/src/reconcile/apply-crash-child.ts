/**
 * The process apply-crash.test.ts kills: it applies plan A (three routes) and then plan B (one
 * route replaced, one deleted, two created, in two batches) through the real reconciler, WAL
 * and in-process drivers, and is SIGKILLed somewhere inside plan B — at its n-th step
 * (`RTT_CRASH_AT_STEP`) or whenever the parent's timer fires. Printed lines tell the parent where
 * it is: "A" once plan A committed, "B" when plan B starts, "done" if it was not killed.
 */
import { join } from "node:path";
import type { CatalogSymbol, RouteSpec } from "@rtt/core";
import { AuditLedger } from "../audit/ledger.ts";
import { makePlan, NOT_STRICT, type PlanInputs } from "../plan/plan.ts";
import { Wal } from "../wal/wal.ts";
import { MemoryPool } from "./memory-drivers.ts";
import { Reconciler } from "./reconciler.ts";
import { symbol } from "./reconciler-fixtures.ts";

/** A symbol of the crash's catalog: one-way, inproc lanes only. */
const streamSymbol = (saddr: string, rest: Record<string, unknown>): CatalogSymbol =>
  symbol(saddr, { capabilities: ["inproc"], io: "stream", ...rest });

export const CATALOG: CatalogSymbol[] = [
  streamSymbol("rtt://c/bus/s1@1.0.0", { "x-emit": 3, "x-driver": "ma" }),
  streamSymbol("rtt://c/bus/s2@1.0.0", { "x-emit": 3, "x-driver": "ma" }),
  streamSymbol("rtt://c/bus/s3@1.0.0", { "x-emit": 3, "x-driver": "mb" }),
  streamSymbol("rtt://c/extension/d1@1.0.0", { direction: "consumer", "x-driver": "mb" }),
  streamSymbol("rtt://c/extension/d2@1.0.0", { direction: "consumer", "x-driver": "mc" }),
  streamSymbol("rtt://c/extension/d3@1.0.0", { direction: "consumer", "x-driver": "mc" }),
];

const route = (id: string, from: string, to: string): RouteSpec => ({
  id,
  from: `rtt://c/bus/${from}`,
  to: `rtt://c/extension/${to}`,
});

export const ROUTES_A: RouteSpec[] = [
  route("a", "s1", "d1"),
  route("b", "s2", "d2"),
  route("c", "s3", "d3"),
];
/** a: replaced (d1 → d2); b: kept; c: deleted; d, e: created. */
export const ROUTES_B: RouteSpec[] = [
  route("a", "s1", "d2"),
  route("b", "s2", "d2"),
  route("d", "s3", "d1"),
  route("e", "s1", "d3"),
];

export function inputsFor(routes: RouteSpec[]): PlanInputs {
  return {
    catalog: CATALOG,
    routes,
    // Two priorities, so plan B has two batches: {a, e} (s1, prio 0) and {c, d} (s3, prio 1).
    policy: {
      qos: [
        { match: "rtt://c/bus/s1", prio: 0 },
        { match: "rtt://c/bus/s3", prio: 1 },
      ],
    },
    prefer: ["inproc"],
    security: NOT_STRICT,
  };
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error("usage: apply-crash-child.ts <dir>");
  const crashAt = Number(process.env.RTT_CRASH_AT_STEP ?? 0);
  const wal = Wal.open({ dir: join(dir, "wal") });
  // Its sockets live in the run's folder: a SIGKILLed child cannot remove them itself.
  const pool = new MemoryPool({ socketDir: dir });
  let armed = false;
  let steps = 0;
  const reconciler = new Reconciler({
    wal,
    audit: new AuditLedger(join(dir, "audit.ndjson")),
    pool,
    root: dir,
    beforeStep() {
      if (!armed) return;
      steps++;
      if (steps === crashAt) process.kill(process.pid, "SIGKILL");
    },
  });
  const meta = { who: "crash-test", why: "crash test" };
  const a = await reconciler.apply(
    makePlan(inputsFor(ROUTES_A), reconciler.graph, 0),
    CATALOG,
    meta,
  );
  if (a.batches.some((b) => b.outcome !== "committed")) throw new Error("plan A failed");
  process.stdout.write("A\n");
  armed = true;
  process.stdout.write("B\n");
  await reconciler.apply(makePlan(inputsFor(ROUTES_B), reconciler.graph, a.seq), CATALOG, meta);
  process.stdout.write(`done ${steps}\n`);
  await pool.close();
  wal.close();
}

if (import.meta.main) await main();

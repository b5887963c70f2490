// Properties of apply over random route sets, through real in-process drivers and lanes:
// - idempotent: applying a plan, then planning again, gives no edits; a second apply is a no-op;
// - atomic per batch: with a failure injected at any prepare or commit step of any route, every
//   batch ends exactly old (rolled back, or skipped after a failure) or exactly new (committed);
// - nothing orphaned: the drivers hold exactly two links per wired route, after every apply;
// - convergent: applying again without the failure reaches the desired graph.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { CatalogSymbol, Contract, RouteSpec } from "@rtt/core";
import { symbolFromContract } from "@rtt/core";
import fc from "fast-check";
import { AuditLedger } from "../audit/ledger.ts";
import { desiredGraph, makePlan, NOT_STRICT, type PlanInputs } from "../plan/plan.ts";
import { Wal } from "../wal/wal.ts";
import { MemoryPool } from "./memory-drivers.ts";
import { APPLY_STEPS, type ApplyStep, Reconciler } from "./reconciler.ts";

const DRIVERS = ["ma", "mb", "mc"] as const;

function symbol(saddr: string, driver: string, rest: Record<string, unknown>): CatalogSymbol {
  const contract = {
    saddr,
    type: saddr.split("/")[3],
    capabilities: ["inproc"],
    "x-driver": driver,
    ...rest,
  } as unknown as Contract;
  return symbolFromContract(contract, {
    file: "p/rtt.manifest.json",
    scanner: "manifest",
    score: 1,
  });
}

const SOURCES = [0, 1, 2, 3].map((i) =>
  symbol(`rtt://p/bus/s${i}@1.0.0`, DRIVERS[i % 3] as string, {
    direction: "provider",
    io: "stream",
    "x-emit": 2,
  }),
);
const SINKS = [0, 1, 2].map((i) =>
  symbol(`rtt://p/extension/d${i}@1.0.0`, DRIVERS[(i + 1) % 3] as string, {
    direction: "consumer",
    io: "stream",
  }),
);
const HOOKS = [0, 1].map((i) =>
  symbol(`rtt://p/hook/h${i}@1.0.0`, DRIVERS[(i + 2) % 3] as string, {
    direction: "consumer",
    io: "req",
    "x-emit": 1,
  }),
);
const APIS = [0, 1].map((i) =>
  symbol(`rtt://p/api/a${i}@1.0.0`, DRIVERS[i % 3] as string, { direction: "provider", io: "req" }),
);
const CATALOG = [...SOURCES, ...SINKS, ...HOOKS, ...APIS];

const short = (s: CatalogSymbol) => s.saddr.replace(/@.*$/, "");

/** A route set: each route id at most once, stream and request routes, random priorities. */
const routeSet = fc
  .uniqueArray(
    fc.oneof(
      fc.record({
        from: fc.constantFrom(...SOURCES),
        to: fc.constantFrom(...SINKS),
        id: fc.constantFrom("r1", "r2", "r3", "r4", "r5"),
      }),
      fc.record({
        from: fc.constantFrom(...HOOKS),
        to: fc.constantFrom(...APIS),
        id: fc.constantFrom("q1", "q2", "q3"),
      }),
    ),
    { selector: (r) => r.id, maxLength: 6 },
  )
  .map((rs) => rs.map((r): RouteSpec => ({ id: r.id, from: short(r.from), to: short(r.to) })));

const prios = fc.record({ s: fc.nat(3), h: fc.nat(3) });

function inputs(routes: RouteSpec[], prio: { s: number; h: number }): PlanInputs {
  return {
    catalog: CATALOG,
    routes,
    policy: {
      qos: [
        { match: "rtt://p/bus/*", prio: prio.s },
        { match: "rtt://p/hook/*", prio: prio.h },
      ],
    },
    prefer: ["inproc"],
    security: NOT_STRICT,
  };
}

const pool = new MemoryPool();
const scratch = mkdtempSync(join(tmpdir(), "rtt-reconcile-prop-"));
after(async () => {
  await pool.close();
  rmSync(scratch, { recursive: true, force: true });
});

const totalLinks = () => Object.values(pool.linkCounts()).reduce((a, b) => a + b, 0);

test("apply: idempotent, atomic per batch under injected failures, nothing orphaned, convergent", async () => {
  const steps = APPLY_STEPS.filter((s) => s !== "retire");
  await fc.assert(
    fc.asyncProperty(
      routeSet,
      routeSet,
      prios,
      fc.option(fc.record({ step: fc.constantFrom(...steps), pick: fc.nat(10) })),
      async (first, second, prio, failure) => {
        const dir = mkdtempSync(join(scratch, "run-"));
        const wal = Wal.open({ dir: join(dir, "wal") });
        let failAt: { step: ApplyStep; route: string } | undefined;
        const reconciler = new Reconciler({
          wal,
          audit: new AuditLedger(join(dir, "audit.ndjson")),
          pool,
          root: dir,
          beforeStep(step, route) {
            if (failAt?.step === step && failAt.route === route) throw new Error("injected");
          },
        });
        const meta = { who: "prop", why: "property" };
        const plan = (routes: RouteSpec[]) =>
          makePlan(inputs(routes, prio), reconciler.graph, wal.committed?.seq ?? 0);
        const base = totalLinks();
        try {
          // 1. Idempotent.
          const one = await reconciler.apply(plan(first), CATALOG, meta);
          assert.ok(one.batches.every((b) => b.outcome === "committed"));
          const wanted1 = desiredGraph(inputs(first, prio)).desired.edges;
          assert.deepEqual(reconciler.graph.edges, wanted1);
          assert.deepEqual(plan(first).edits, []);
          const again = await reconciler.apply(plan(first), CATALOG, meta);
          assert.deepEqual(again.batches, []);
          assert.equal(totalLinks() - base, 2 * Object.keys(wanted1).length);

          // 2. Atomic per batch, with a failure at one step of one edited route.
          const p2 = plan(second);
          const edited = p2.edits.filter((e) => e.action !== "delete").map((e) => e.route);
          failAt =
            failure === null || edited.length === 0
              ? undefined
              : { step: failure.step, route: edited[failure.pick % edited.length] as string };
          if (failAt?.step === "commit") {
            // The commit step names its batch's first route.
            const batch = p2.batches.find((b) => b.includes(failAt?.route ?? ""));
            failAt = { step: "commit", route: batch?.[0] ?? "" };
          }
          const before = reconciler.graph.edges;
          const two = await reconciler.apply(p2, CATALOG, meta);
          const wanted2 = desiredGraph(inputs(second, prio)).desired.edges;
          for (const b of two.batches)
            for (const id of b.routes)
              assert.deepEqual(
                reconciler.graph.edges[id],
                b.outcome === "committed" ? wanted2[id] : before[id],
                `route ${id} of a ${b.outcome} batch`,
              );
          assert.equal(totalLinks() - base, 2 * Object.keys(reconciler.graph.edges).length);
          assert.deepEqual(wal.committed?.post ?? null, two.seq === 0 ? null : reconciler.graph);

          // 3. Convergent: without the failure, the next apply reaches the desired graph.
          failAt = undefined;
          await reconciler.apply(plan(second), CATALOG, meta);
          assert.deepEqual(reconciler.graph.edges, wanted2);
          assert.deepEqual(plan(second).edits, []);
        } finally {
          failAt = undefined;
          await reconciler.apply(plan([]), CATALOG, meta);
          assert.equal(totalLinks(), base, "every link closed after unwiring everything");
          wal.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 25, seed: 5 },
  );
});

// A failed batch rolls back: a failure injected at any prepare or commit step of a create, a
// replace or an in-place move leaves exactly the old graph and no link beyond the committed
// routes'; an in-place move that fails is replaced instead, in the same batch.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { RouteSpec } from "@rtt/core";
import { inPlaceMoves, movesTargetOnly } from "../plan/plan.ts";
import { clearReceived } from "./memory-drivers.ts";
import { APPLY_STEPS, type ApplyStep } from "./reconciler.ts";
import { catalog, meta, ROUTES, setUp } from "./reconciler-fixtures.ts";

describe("a failure at any prepare or commit step leaves exactly the old graph, nothing orphaned", () => {
  const steps = APPLY_STEPS.filter((s) => s !== "retire");
  after(() => clearReceived());
  // create: both routes new; replace: r1 on new links at both ends (a new parameter); move: only
  // r1's target changes — moved in place, and replaced when that fails (the same step fails again).
  const moveSteps: readonly ApplyStep[] = ["open-to", "offer", "handshake", "flip"];
  for (const scenario of ["create", "replace", "move"] as const) {
    for (const step of steps) {
      for (const route of ["r1", "r2"]) {
        if (step === "bind-reply" && route === "r1") continue; // r1 is one-way: no reply lane
        if (scenario !== "create" && route === "r2") continue; // only r1 changes
        if (scenario === "move" && !moveSteps.includes(step)) continue; // steps a move has
        if (step === "commit" && route === "r2") continue; // the commit step names a batch's first route
        test(`${scenario}: ${step} of ${route}`, async () => {
          const t = setUp();
          const { reconciler, wal, pool } = t;
          try {
            if (scenario !== "create") await t.wire(ROUTES);
            const before = reconciler.graph;
            const counts = pool.linkCounts();
            const target: RouteSpec[] =
              scenario === "create"
                ? ROUTES
                : [
                    {
                      id: "r1",
                      from: "rtt://t/bus/s1",
                      to: "rtt://t/extension/d2",
                      ...(scenario === "replace" ? { params: { tag: "x" } } : {}),
                    },
                    ROUTES[1] as RouteSpec,
                  ];
            t.failAt = { step, route };
            const plan = t.planFor(target);
            if (scenario !== "create")
              assert.deepEqual(
                plan.edits.map((e) => movesTargetOnly(e)),
                [scenario === "move"],
              );
            const result = await reconciler.apply(plan, catalog, meta);
            await reconciler.retired();
            const failed = result.batches.find((b) => b.outcome === "rolled-back");
            assert.ok(failed, "a batch rolled back");
            assert.match(failed.error?.message ?? "", /injected failure/);
            // The failed batch's routes are exactly as before; batches before it committed.
            for (const id of failed.routes)
              assert.deepEqual(reconciler.graph.edges[id], before.edges[id], `route ${id}`);
            assert.deepEqual(
              wal.committed?.post ?? null,
              result.seq === 0 ? null : reconciler.graph,
            );
            const committedLinks = Object.keys(reconciler.graph.edges).length;
            const expected = Object.values(pool.linkCounts()).reduce((a, b) => a + b, 0);
            assert.equal(expected, committedLinks * 2, "no link beyond the committed routes'");
            if (scenario !== "create") assert.deepEqual(pool.linkCounts(), counts);
          } finally {
            await t.tearDown();
          }
        });
      }
    }
  }
});

describe("an in-place move that fails is replaced instead", () => {
  for (const step of ["open-to", "offer", "handshake", "flip"] as const) {
    test(`${step} of r1 fails once: the replace commits, with a warning; one commit, nothing left`, async () => {
      const t = setUp();
      const { reconciler, wal, pool } = t;
      try {
        await t.wire(ROUTES);
        const source = reconciler.live.get("r1")?.from.link;
        const counts = pool.linkCounts();
        const commits = wal.commits.length;
        const plan = t.planFor([
          { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d2" },
          ROUTES[1] as RouteSpec,
        ]);
        assert.deepEqual([...inPlaceMoves(plan.edits, plan.batches)], ["r1"]);
        t.failAt = { step, route: "r1", once: true };
        const result = await reconciler.apply(plan, catalog, meta);
        await reconciler.retired();
        assert.deepEqual(
          result.batches.map((b) => [b.outcome, b.warnings]),
          [["committed", [`r1: not moved in place (injected failure at ${step} of r1)`]]],
        );
        assert.deepEqual(reconciler.graph.edges, plan.desired.edges);
        assert.notEqual(reconciler.live.get("r1")?.from.link, source, "replaced: a new source");
        assert.equal(wal.commits.length, commits + 1, "the failed move committed nothing");
        assert.deepEqual(wal.committed?.post, reconciler.graph);
        assert.deepEqual(pool.linkCounts(), counts);
      } finally {
        await t.tearDown();
      }
    });
  }
});

// The reconciler's apply: a plan's batches wired through real in-process drivers and lanes,
// committed to the WAL; a second apply changes nothing; a replace and a delete close what they
// replace; a plan made against another topology is refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RouteSpec } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { movesTargetOnly } from "../plan/plan.ts";
import { EMPTY_TOPOLOGY } from "../plan/topology.ts";
import { received } from "./memory-drivers.ts";
import { catalog, fixturePerTest, meta, ROUTES } from "./reconciler-fixtures.ts";

describe("apply", () => {
  const t = fixturePerTest();

  test("wires both routes through real in-proc lanes; a second apply changes nothing", async () => {
    const { reconciler, wal, pool } = t();
    const plan = t().planFor(ROUTES);
    assert.deepEqual(plan.batches, [["r2"], ["r1"]]); // r2 has QoS prio 1, r1 the default 4
    const result = await reconciler.apply(plan, catalog, meta);
    assert.deepEqual(
      result.batches.map((b) => b.outcome),
      ["committed", "committed"],
    );
    assert.equal(result.created, 2);
    await eventually(() => received("rtt://t/extension/d1@1.0.0").length === 5, {
      what: "5 events at d1",
    });
    assert.deepEqual(received("rtt://t/extension/d1@1.0.0"), [
      "rtt://t/bus/s1@1.0.0 1",
      "rtt://t/bus/s1@1.0.0 2",
      "rtt://t/bus/s1@1.0.0 3",
      "rtt://t/bus/s1@1.0.0 4",
      "rtt://t/bus/s1@1.0.0 5",
    ]);
    await eventually(() => received("rtt://t/hook/h@1.0.0").length === 3, {
      what: "3 answers at the hook",
    });
    assert.deepEqual(received("rtt://t/hook/h@1.0.0"), [
      "re: rtt://t/hook/h@1.0.0 1",
      "re: rtt://t/hook/h@1.0.0 2",
      "re: rtt://t/hook/h@1.0.0 3",
    ]);
    assert.deepEqual(pool.linkCounts(), { ma: 2, mb: 2 });
    const again = t().planFor(ROUTES);
    assert.deepEqual(again.edits, []);
    const second = await reconciler.apply(again, catalog, meta);
    assert.deepEqual(second.batches, []);
    assert.equal(second.seq, result.seq);
    // The WAL's last commit is the live graph; the audit ledger has one bind per route.
    assert.deepEqual(wal.committed?.post, reconciler.graph);
  });

  test("a replace restarts both ends on new links and closes the old ones; delete unbinds", async () => {
    const { reconciler, pool } = t();
    await t().wire(ROUTES);
    await eventually(() => received("rtt://t/extension/d1@1.0.0").length === 5, {
      what: "5 events at d1",
    });
    // A new parameter is more than a target move: both ends are opened anew with it.
    const changed: RouteSpec[] = [
      { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d2", params: { tag: "x" } },
      ROUTES[1] as RouteSpec,
    ];
    const plan = t().planFor(changed);
    assert.deepEqual(
      plan.edits.map((e) => [e.action, e.route, movesTargetOnly(e)]),
      [["replace", "r1", false]],
    );
    const before = reconciler.live.get("r1");
    const result = await reconciler.apply(plan, catalog, meta);
    assert.equal(result.replaced, 1);
    assert.notEqual(reconciler.live.get("r1")?.from.link, before?.from.link);
    // The new source link emits its 5 events again, to d2.
    await eventually(() => received("rtt://t/extension/d2@1.0.0").length === 5, {
      what: "events at d2",
    });
    assert.deepEqual(pool.linkCounts(), { ma: 2, mb: 2 });
    const removed = await reconciler.apply(t().planFor([ROUTES[1] as RouteSpec]), catalog, meta);
    assert.equal(removed.deleted, 1);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 });
    assert.deepEqual(Object.keys(reconciler.graph.edges), ["r2"]);
  });

  test("a plan made against another topology is refused", async () => {
    const { reconciler } = t();
    const stale = t().planFor(ROUTES, { observed: EMPTY_TOPOLOGY });
    await reconciler.apply(stale, catalog, meta);
    await assert.rejects(reconciler.apply(stale, catalog, meta), { code: "RTT_ERR_PLAN_STALE" });
  });
});

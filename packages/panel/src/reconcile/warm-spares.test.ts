// Warm spares (ADR 0013): a target prebound for a route makes a swap to it the Switch only,
// and the sweep closes one whose route is gone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import { received } from "./memory-drivers.ts";
import {
  all,
  d1,
  d2,
  everyMessageOnceInOrder,
  FAST,
  fixturePerTest,
  meta,
  N,
} from "./reconciler-fixtures.ts";

describe("quickConnect onto a prebound spare", () => {
  const t = fixturePerTest();

  test("a prebound spare makes the swap warm: the Switch only, every message once, in order", async () => {
    const { reconciler, pool } = t();
    await t().wire([FAST], all);
    assert.equal(await reconciler.prebind("f", d2, "mb"), true);
    assert.equal(await reconciler.prebind("f", d2, "mb"), false, "already armed: nothing opened");
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
    assert.deepEqual(
      reconciler.spares.map((s) => s.prebound),
      ["f"],
    );
    await eventually(() => received(d1.saddr).length > 100, { what: "d1 receives some" });
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(r.changed, true);
    assert.equal(r.warm, true, "the prebound spare was taken, armed");
    await everyMessageOnceInOrder();
    await reconciler.retired();
    // d1 is now the retired spare (it expires); no prebound one is left.
    assert.deepEqual(
      reconciler.spares.map((s) => s.prebound),
      [undefined],
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
  });

  test("back-to-back swaps keep no target link a newer link of its end superseded", async () => {
    const { reconciler, pool } = t();
    await t().wire([FAST], all);
    // No gap: each swap back opens a newer link of a target whose last one still drains (a
    // process driver hands the end's program to the newer one, leaving the older none).
    for (const to of [d2, d1, d2]) await reconciler.quickConnect("f", to, "mb", meta);
    await reconciler.retired();
    await eventually(() => received(d1.saddr).length + received(d2.saddr).length >= N, {
      what: `${N} messages in all`,
    });
    // Each message reached one target once (split across three lanes: not one run in order).
    const got = [...received(d1.saddr), ...received(d2.saddr)].map((m) => Number(m.split(" ")[1]));
    assert.deepEqual(
      got.sort((a, b) => a - b),
      Array.from({ length: N }, (_, i) => i + 1),
    );
    // d2's first link is not kept beside the one the route is on: mb holds that and d1's last.
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
    assert.deepEqual(
      reconciler.spares.map((s) => s.prebound),
      [undefined],
    );
  });

  test("a prebound spare whose route is gone is closed by the sweep", async () => {
    const { reconciler, pool } = t();
    await t().wire([FAST], all);
    await reconciler.prebind("f", d2, "mb");
    assert.equal(await reconciler.prebind("f", d1, "mb"), false, "d1 is the route's target");
    await t().wire([], all);
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
    assert.deepEqual(reconciler.spares, []);
    assert.deepEqual(pool.linkCounts(), { ma: 0, mb: 0 });
  });
});

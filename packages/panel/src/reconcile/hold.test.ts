// Holding a route (park, unpark): its frames wait at the source and go on to a fresh target
// link, every message once, in order; an apply moving a held route's target keeps it held; a
// route only assumed parked after a restart is switched by a move.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RouteSpec } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { received } from "./memory-drivers.ts";
import {
  all,
  d1,
  d2,
  everyMessageOnceInOrder,
  fixturePerTest,
  meta,
  type ReconcilerFixture,
  symbol,
  wireFast,
} from "./reconciler-fixtures.ts";

describe("park and unpark", () => {
  const t = fixturePerTest();

  /** Route "p" from a source of M messages, one every 2 ms, to d1; some have arrived. */
  async function wirePaced(fixture: ReconcilerFixture) {
    const M = 400;
    const paced = symbol("rtt://t/bus/paced@1.0.0", {
      io: "stream",
      "x-emit": M,
      "x-emit-interval-ms": 2,
      "x-driver": "ma",
    });
    const cat = [...all, paced];
    const route: RouteSpec = { id: "p", from: "rtt://t/bus/paced", to: "rtt://t/extension/d1" };
    await fixture.wire([route], cat);
    await eventually(() => received(d1.saddr).length > 20, { what: "d1 receives some" });
    return { M, cat, route };
  }

  test("park holds a route's frames at its source; unpark moves them on to a fresh target link", async () => {
    const { reconciler, pool } = t();
    const { M } = await wirePaced(t());
    // A park decided on a breaker that changed before its turn in the queue does nothing.
    assert.equal(await reconciler.park("p", meta, () => false), false, "no longer wanted");
    assert.equal(reconciler.isParked("p"), false);
    assert.equal(await reconciler.park("p", meta), true);
    assert.equal(await reconciler.park("p", meta), false, "already parked");
    assert.equal(reconciler.isParked("p"), true);
    // What was on the lane before its EOS lands; then nothing more reaches the target.
    await new Promise((r) => setTimeout(r, 100));
    const held = received(d1.saddr).length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received(d1.saddr).length, held, "a parked route delivers nothing");
    assert.ok(held < M, "the source had more to send");
    assert.equal(await reconciler.unpark("p", d1, meta, () => false), false, "no longer wanted");
    assert.equal(reconciler.isParked("p"), true);
    assert.equal(await reconciler.unpark("p", d1, meta), true);
    assert.equal(reconciler.isParked("p"), false);
    await eventually(() => received(d1.saddr).length >= M, { what: `${M} messages at d1` });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      received(d1.saddr).map((m) => Number(m.split(" ")[1])),
      Array.from({ length: M }, (_, i) => i + 1),
      "every message once, in order, across the park",
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the parked target link was closed");
    assert.equal(await reconciler.unpark("p", d1, meta), false, "not parked");
  });

  test("an apply that moves a held route's target moves it in place and keeps it held; unpark goes on to the new one", async () => {
    const { reconciler, pool } = t();
    const { M, cat, route } = await wirePaced(t());
    assert.equal(await reconciler.park("p", meta), true);
    const source = reconciler.live.get("p")?.from.link;
    const result = await t().wire([{ ...route, to: "rtt://t/extension/d2" }], cat);
    assert.deepEqual(
      result.batches.map((b) => [b.outcome, b.warnings]),
      [["committed", undefined]],
    );
    assert.equal(reconciler.live.get("p")?.from.link, source, "the same source: not started again");
    assert.equal(reconciler.graph.edges.p?.to.saddr, d2.saddr);
    assert.equal(reconciler.isParked("p"), true, "still held");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(received(d2.saddr).length, 0, "a held route delivers nothing, to either target");
    const atD1 = received(d1.saddr).length;
    assert.equal(await reconciler.unpark("p", d1, meta), false, "decided before the move: stale");
    assert.equal(reconciler.isParked("p"), true);
    assert.equal(await reconciler.unpark("p", d2, meta), true);
    await eventually(() => atD1 + received(d2.saddr).length >= M, { what: `${M} messages in all` });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      [...received(d1.saddr), ...received(d2.saddr)].map((m) => Number(m.split(" ")[1])),
      Array.from({ length: M }, (_, i) => i + 1),
      "every message once, in order, across the hold and the move",
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the old targets were closed");
  });

  test("a route only assumed parked after a restart is switched by a move, not left writing to a closed target", async () => {
    const { reconciler } = t();
    const route = await wireFast(t());
    reconciler.assumeParked(["f"]); // as a restarted panel does for a half-open route: it streams
    await t().wire([{ ...route, to: "rtt://t/extension/d2" }], all);
    assert.equal(reconciler.isParked("f"), false);
    await everyMessageOnceInOrder();
  });
});

// QuickConnect (`rtt qc`, and an apply that only moves a target): a wired one-way route moves
// to another target mid-stream, every message to exactly one target, in order; a Switch whose
// answer timed out is asked again; a target with another contract is refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { movesTargetOnly } from "../plan/plan.ts";
import type { DriverCalls } from "./drivers.ts";
import { received } from "./memory-drivers.ts";
import {
  all,
  d1,
  d2,
  everyMessageOnceInOrder,
  FAST,
  fixturePerTest,
  meta,
  wireFast,
} from "./reconciler-fixtures.ts";

describe("quickConnect", () => {
  const t = fixturePerTest();

  test("moves a streaming route mid-stream: every message reaches exactly one target, in order", async () => {
    const { reconciler, wal, pool } = t();
    await wireFast(t());
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(r.changed, true);
    assert.equal(reconciler.graph.edges.f?.to.saddr, d2.saddr);
    assert.deepEqual(wal.committed?.post, reconciler.graph);
    await everyMessageOnceInOrder();
    assert.equal(r.oldFrames, received(d1.saddr).length, "the old target got its lane's share");
    assert.ok(received(d2.saddr).length > 0, "the new target got the rest");
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 }, "the old target stays as a warm spare");
    // The same swap again is a no-op.
    const again = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(again.changed, false);
    assert.equal(again.seq, r.seq);
    // Swapping back takes the spare: nothing new is opened, d2 becomes the spare.
    const back = await reconciler.quickConnect("f", d1, "mb", meta);
    assert.equal(back.changed, true);
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
    assert.equal(reconciler.graph.edges.f?.to.saddr, d1.saddr);
    // A sweep leaves the spare alone; unwiring everything closes the route's links.
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
  });

  test("a Switch whose answer timed out after the driver switched is asked again: the move commits, every message once", async () => {
    const { reconciler, pool } = t();
    await wireFast(t());
    const source = (await pool.get("ma")) as DriverCalls;
    const realSwitch = source.switch.bind(source);
    let calls = 0;
    source.switch = async (link, address) => {
      calls++;
      const answer = await realSwitch(link, address);
      if (calls > 1) return answer;
      throw new RttError("RTT_ERR_DRIVER_TIMEOUT", 'driver "ma" did not answer Switch in time');
    };
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(calls, 2);
    assert.equal(r.changed, true);
    assert.equal(reconciler.graph.edges.f?.to.saddr, d2.saddr);
    await everyMessageOnceInOrder();
    assert.equal(
      r.oldFrames,
      received(d1.saddr).length,
      "the retry answered the first Switch's result",
    );
  });

  test("an apply that changes only the target moves it in place: same source link, every message once", async () => {
    const { reconciler, wal, pool } = t();
    const route = await wireFast(t());
    const source = reconciler.live.get("f")?.from.link;
    const toD2 = [{ ...route, to: "rtt://t/extension/d2" }];
    const moved = t().planFor(toD2, { symbols: all });
    assert.deepEqual(
      moved.edits.map((e) => [e.action, e.route, movesTargetOnly(e)]),
      [["replace", "f", true]],
    );
    const result = await reconciler.apply(moved, all, meta);
    assert.deepEqual(
      result.batches.map((b) => b.outcome),
      ["committed"],
    );
    assert.equal(result.replaced, 1);
    assert.equal(reconciler.live.get("f")?.from.link, source, "the source was not kept");
    assert.deepEqual(reconciler.graph.edges.f, moved.desired.edges.f);
    assert.deepEqual(wal.committed?.post, reconciler.graph);
    await everyMessageOnceInOrder();
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the old target is closed, not kept");
    // A plan against the new graph has nothing to do.
    const again = t().planFor(toD2, { symbols: all });
    assert.deepEqual(again.edits, []);
  });
  test("a target whose contract is not the planned one is refused; the route stays", async () => {
    const { reconciler, pool } = t();
    await t().wire([FAST], all);
    const forged = { ...d2, contract_hash: "0".repeat(64) };
    await assert.rejects(reconciler.quickConnect("f", forged, "mb", meta), {
      code: "RTT_ERR_QC_REFUSED",
    });
    assert.equal(reconciler.graph.edges.f?.to.saddr, d1.saddr);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 });
  });
});

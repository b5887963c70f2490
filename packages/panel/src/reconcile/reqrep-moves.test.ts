// QuickConnect of a request/response route (ADR 0013 §Request/response moves): requests in
// flight at the Switch are answered by the old target over its reply lane, new requests go to
// the new target, and its answers follow once the old lane is handed over — each request
// answered exactly once, by the target that took it; at the drain timeout the old target's
// unanswered requests are counted, never answered twice; a hand-over that fails leaves the
// committed route broken for the stability sweep to rewire.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RouteSpec } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { received } from "./memory-drivers.ts";
import { catalog, meta, type ReconcilerFixture, setUp, symbol } from "./reconciler-fixtures.ts";

/** Requests the looping hook sends, one every millisecond. */
const REQUESTS = 1500;
const hook = symbol("rtt://t/hook/loop@1.0.0", {
  direction: "consumer",
  io: "req",
  "x-emit": REQUESTS,
  "x-emit-interval-ms": 1,
  "x-driver": "ma",
});
/** The old target answers 40 ms after it took a request: some are in flight at any moment. */
const apiA = symbol("rtt://t/api/qa@1.0.0", {
  io: "req",
  "x-driver": "mb",
  "x-answer-tag": "A",
  "x-answer-delay-ms": 40,
});
const apiB = symbol("rtt://t/api/qb@1.0.0", { io: "req", "x-driver": "mb", "x-answer-tag": "B" });
const symbols = [...catalog, hook, apiA, apiB];
const ROUTE: RouteSpec = { id: "q", from: "rtt://t/hook/loop", to: "rtt://t/api/qa" };

/** The hook's answers as [tag, request number]. */
const answers = () =>
  received(hook.saddr).map((a) => {
    const [tag, , n] = a.split(" ");
    return [tag?.replace(":", ""), Number(n)] as const;
  });
const numbers = (tag: string) =>
  answers()
    .filter(([t]) => t === tag)
    .map(([, n]) => n);
const requestsAt = (saddr: string) => received(saddr).map((r) => Number(r.split(" ")[1]));

async function wired(t: ReconcilerFixture): Promise<void> {
  await t.wire([ROUTE], symbols);
  await eventually(() => answers().length > 50, { what: "the old target answers some" });
}

describe("quickConnect of a request/response route", () => {
  test("in-flight requests are answered by the old target, new ones by the new; each once", async () => {
    const t = setUp();
    try {
      await wired(t);
      const answeredBefore = numbers("A").length;
      const r = await t.reconciler.quickConnect("q", apiB, "mb", meta);
      assert.equal(r.changed, true);
      assert.ok(r.oldFrames > answeredBefore, "A had requests in flight when the move began");
      assert.equal(r.warm, false, "a request/response target is never a warm spare");
      assert.equal(t.reconciler.graph.edges.q?.to.saddr, apiB.saddr);
      // The move returned after the handover: the old target had answered all it took.
      assert.equal(numbers("A").length, r.oldFrames, "every request A took, A answered");
      await eventually(() => answers().length >= REQUESTS, { what: "every request answered" });
      await new Promise((r) => setTimeout(r, 100)); // no duplicates arrive late
      const all = answers().map(([, n]) => n);
      assert.deepEqual(
        [...all].sort((x, y) => x - y),
        Array.from({ length: REQUESTS }, (_, i) => i + 1),
        "each request answered exactly once",
      );
      // Each target answered exactly what it took: A the first share, B the rest.
      assert.deepEqual(
        [...numbers("A")].sort((x, y) => x - y),
        requestsAt(apiA.saddr),
      );
      assert.deepEqual(numbers("B"), requestsAt(apiB.saddr));
      assert.ok(numbers("B").length > 0, "the new target took requests");
      assert.ok(Math.max(...numbers("A")) < Math.min(...numbers("B")), "split at the Switch");
      assert.deepEqual(
        t.pool.linkCounts(),
        { ma: 1, mb: 1 },
        "the old target's link closed after its answers",
      );
    } finally {
      await t.tearDown();
    }
  });

  test("at the drain timeout the old target's unanswered requests are dropped, none answered twice", async () => {
    const log: string[] = [];
    const t = setUp({ replyDrainMs: 150, progress: (line) => log.push(line) });
    try {
      const slowA = symbol(apiA.saddr, {
        io: "req",
        "x-driver": "mb",
        "x-answer-tag": "A",
        "x-answer-delay-ms": 60_000,
      });
      const slow = [...catalog, hook, slowA, apiB];
      await t.wire([ROUTE], slow);
      await eventually(() => requestsAt(slowA.saddr).length > 20, { what: "A takes some" });
      const r = await t.reconciler.quickConnect("q", apiB, "mb", meta);
      assert.equal(r.changed, true);
      const lost = r.oldFrames;
      await eventually(() => answers().length >= REQUESTS - lost, {
        what: "the new target answers the rest",
      });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(numbers("A"), [], "the old target's link closed before it answered");
      assert.equal(new Set(numbers("B")).size, numbers("B").length, "no request answered twice");
      assert.deepEqual(numbers("B"), requestsAt(apiB.saddr));
      assert.equal(numbers("B").length, REQUESTS - lost);
      assert.ok(
        log.some((l) => l.includes(`answered 0 of its ${lost} requests (${lost} unanswered`)),
        `the log counts the unanswered: ${log.join("\n")}`,
      );
    } finally {
      await t.tearDown();
    }
  });

  test("a hand-over that fails leaves the committed route for the sweep to rewire", async () => {
    const t = setUp();
    try {
      await wired(t);
      t.failAt = { step: "bind-reply", route: "q" };
      const r = await t.reconciler.quickConnect("q", apiB, "mb", meta);
      assert.equal(r.changed, true, "committed before the hand-over");
      assert.equal(t.reconciler.graph.edges.q?.to.saddr, apiB.saddr);
      assert.deepEqual(t.wal.committed?.post, t.reconciler.graph);
      assert.deepEqual(
        (await t.reconciler.sweep()).broken,
        ["q"],
        "the new target's link was closed: the route is broken, to be rewired",
      );
    } finally {
      await t.tearDown();
    }
  });

  test("a swap to the target the route has changes nothing", async () => {
    const t = setUp();
    try {
      await wired(t);
      const same = await t.reconciler.quickConnect("q", apiA, "mb", meta);
      assert.equal(same.changed, false);
    } finally {
      await t.tearDown();
    }
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DROP_POLICIES, type DropPolicy } from "@rtt/core";
import fc from "fast-check";
import { type AdmissionCounters, type AdmissionVerdict, RouteAdmission } from "./admission.ts";
import { TokenBucket } from "./token-bucket.ts";

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

function route<T>(
  policy: DropPolicy,
  opts: { rate?: number; burst?: number; bufferLimit?: number; cost?: (item: T) => number } = {},
) {
  const clock = fakeClock();
  const bucket = new TokenBucket({ rate: opts.rate ?? 10, burst: opts.burst ?? 2 }, clock.now);
  const admission = new RouteAdmission<T>({
    policy,
    bucket,
    ...(opts.bufferLimit === undefined ? {} : { bufferLimit: opts.bufferLimit }),
    ...(opts.cost === undefined ? {} : { cost: opts.cost }),
  });
  return { clock, bucket, admission };
}

function accounted(c: AdmissionCounters): number {
  return c.sent + c.marked + c.dropped + c.nacked + c.buffered;
}

describe("RouteAdmission, one policy at a time", () => {
  test("while tokens last every policy sends", () => {
    for (const policy of DROP_POLICIES) {
      const { admission } = route<number>(policy, { burst: 3, bufferLimit: 4 });
      assert.deepEqual(
        [1, 2, 3].map((i) => admission.offer(i)),
        ["sent", "sent", "sent"],
      );
    }
  });

  test("refuseUnoffered: offered and refused without tokens, nack as nacked, else dropped", () => {
    for (const policy of DROP_POLICIES) {
      const { admission, bucket } = route<number>(policy, { burst: 2, bufferLimit: 4 });
      assert.equal(admission.refuseUnoffered(), policy === "nack" ? "nacked" : "dropped");
      const c = admission.counters;
      assert.equal(c.offered, 1);
      assert.equal(accounted(c), c.offered, `${policy}: every offered item accounted for`);
      assert.equal(bucket.tryTake(2), true, `${policy}: no token spent`);
    }
  });

  test("taildrop drops, mark marks, nack nacks when the bucket is empty", () => {
    const expected: Record<Exclude<DropPolicy, "buffer">, AdmissionVerdict> = {
      taildrop: "dropped",
      mark: "marked",
      nack: "nacked",
    };
    for (const [policy, verdict] of Object.entries(expected) as Array<
      [DropPolicy, AdmissionVerdict]
    >) {
      const { admission, clock } = route<number>(policy, { rate: 10, burst: 1 });
      assert.equal(admission.offer(1), "sent");
      assert.equal(admission.offer(2), verdict);
      assert.deepEqual(admission.pump(), []);
      clock.advance(100);
      assert.equal(admission.offer(3), "sent");
      const c = admission.counters;
      assert.equal(c.offered, 3);
      assert.equal(c.sent, 2);
      assert.equal(accounted(c), 3);
      assert.equal(c.buffered, 0);
      assert.equal(c.maxBuffered, 0);
    }
  });

  test("mark sends over the rate without borrowing tokens", () => {
    const { admission, clock, bucket } = route<number>("mark", { rate: 10, burst: 1 });
    admission.offer(1);
    for (let i = 0; i < 5; i++) assert.equal(admission.offer(i), "marked");
    clock.advance(100);
    assert.equal(bucket.available(), 1);
    assert.equal(admission.offer(9), "sent");
  });

  test("buffer queues, releases in order as tokens return, and tail-drops when full", () => {
    const { admission, clock } = route<string>("buffer", { rate: 10, burst: 1, bufferLimit: 2 });
    assert.equal(admission.offer("a"), "sent");
    assert.equal(admission.offer("b"), "buffered");
    assert.equal(admission.offer("c"), "buffered");
    assert.equal(admission.offer("d"), "dropped");
    assert.deepEqual(admission.pump(), []);
    assert.equal(admission.msUntilPump(), 100);
    clock.advance(100);
    assert.deepEqual(admission.pump(), ["b"]);
    clock.advance(1000);
    assert.deepEqual(admission.pump(), ["c"]);
    assert.equal(admission.msUntilPump(), undefined);
    assert.deepEqual(admission.counters, {
      offered: 4,
      sent: 3,
      marked: 0,
      dropped: 1,
      nacked: 0,
      buffered: 0,
      maxBuffered: 2,
    });
  });

  test("buffer: a new item never overtakes buffered ones, even with a token free", () => {
    const { admission, clock } = route<number>("buffer", { rate: 10, burst: 5, bufferLimit: 8 });
    for (let i = 0; i < 5; i++) admission.offer(i);
    assert.equal(admission.offer(5), "buffered");
    clock.advance(100); // one token back
    assert.equal(admission.offer(6), "buffered", "6 must wait behind 5");
    assert.deepEqual(admission.pump(), [5]);
    clock.advance(1000);
    assert.deepEqual(admission.pump(), [6]);
  });

  test("discardBuffered empties the queue and counts the items as dropped", () => {
    const { admission } = route<number>("buffer", { burst: 1, bufferLimit: 3 });
    admission.offer(0);
    admission.offer(1);
    admission.offer(2);
    assert.deepEqual(admission.discardBuffered(), [1, 2]);
    const c = admission.counters;
    assert.equal(c.dropped, 2);
    assert.equal(c.buffered, 0);
    assert.equal(accounted(c), c.offered);
  });

  test("costs: an item dearer than the burst is never buffered", () => {
    const { admission, clock } = route<number>("buffer", {
      rate: 1000,
      burst: 4,
      bufferLimit: 4,
      cost: (n) => n,
    });
    assert.equal(admission.offer(3), "sent");
    assert.equal(admission.offer(5), "dropped");
    assert.equal(admission.offer(2), "buffered");
    clock.advance(1);
    assert.deepEqual(admission.pump(), [2]);
    const nack = route<number>("nack", { burst: 4, cost: (n) => n }).admission;
    assert.equal(nack.offer(5), "nacked");
    assert.throws(() => nack.offer(Number.NaN), /cost must be a finite number >= 0/);
  });

  test("options are checked", () => {
    const bucket = new TokenBucket({ rate: 1, burst: 1 }, () => 0);
    assert.throws(
      () => new RouteAdmission({ policy: "buffer", bucket }),
      /buffer drop policy needs a bufferLimit that is an integer >= 1; got undefined/,
    );
    assert.throws(
      () => new RouteAdmission({ policy: "buffer", bucket, bufferLimit: 0 }),
      RangeError,
    );
    assert.throws(
      () => new RouteAdmission({ policy: "lifo" as DropPolicy, bucket }),
      /drop policy must be one of taildrop, mark, nack, buffer; got lifo/,
    );
    assert.equal(new RouteAdmission({ policy: "nack", bucket, bufferLimit: 9 }).bufferLimit, 0);
  });
});

describe("RouteAdmission properties", () => {
  /** `full`: the lane is full when the newest item let out is written (refuseAdmitted). */
  type Step =
    | { kind: "offer" }
    | { kind: "advance"; ms: number }
    | { kind: "pump" }
    | { kind: "full" };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: fc.constant({ kind: "offer" as const }), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.nat(400) }), weight: 2 },
    { arbitrary: fc.constant({ kind: "pump" as const }), weight: 2 },
    { arbitrary: fc.constant({ kind: "full" as const }), weight: 1 },
  );
  const setupArb = fc.record({
    policy: fc.constantFrom(...DROP_POLICIES),
    rate: fc.oneof(
      fc.integer({ min: 1, max: 200 }),
      fc.double({ min: 0.5, max: 200, noNaN: true }),
    ),
    burst: fc.integer({ min: 1, max: 8 }),
    bufferLimit: fc.integer({ min: 1, max: 16 }),
    weighted: fc.boolean(),
  });

  test("nothing is lost, the buffer stays bounded, order is kept, idle time drains it", () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { maxLength: 200 }), (setup, steps) => {
        const { policy, rate, burst, bufferLimit, weighted } = setup;
        // Weighted items cost 1..3 tokens (sometimes more than the burst).
        const cost = weighted ? (i: number): number => 1 + (i % 3) : undefined;
        const { admission, clock } = route<number>(policy, {
          rate,
          burst,
          bufferLimit,
          ...(cost === undefined ? {} : { cost }),
        });
        const out: number[] = []; // everything that went on the wire, in wire order
        const marked = new Set<number>(); // the items of `out` let out as marked
        let refusable: number | undefined; // the newest item let out, not yet written or refused
        let next = 0;
        let sentWithTokens = 0;
        let elapsed = 0;

        const check = (): void => {
          const c = admission.counters;
          assert.equal(accounted(c), c.offered, `lost items: ${JSON.stringify(c)}`);
          assert.equal(admission.queued, c.buffered);
          assert.equal(c.offered, next);
          assert.ok(c.buffered <= (policy === "buffer" ? bufferLimit : 0));
          assert.ok(c.maxBuffered <= bufferLimit && c.maxBuffered >= c.buffered);
          assert.equal(out.length, c.sent + c.marked);
          for (let i = 1; i < out.length; i++) {
            assert.ok((out[i] ?? 0) > (out[i - 1] ?? 0), `out of order: ${out.join(",")}`);
          }
          // What was sent within the rate respects the bucket.
          assert.ok(sentWithTokens <= burst + (rate * elapsed) / 1000 + 1e-9);
        };

        for (const step of steps) {
          if (step.kind === "offer") {
            const item = next++;
            const verdict = admission.offer(item);
            if (verdict === "sent" || verdict === "marked") {
              out.push(item);
              refusable = item;
            }
            if (verdict === "marked") marked.add(item);
            if (verdict === "sent") sentWithTokens += cost?.(item) ?? 1;
            if (policy !== "buffer") assert.notEqual(verdict, "buffered");
            if (policy === "taildrop") assert.ok(verdict === "sent" || verdict === "dropped");
            if (policy === "mark") assert.ok(verdict === "sent" || verdict === "marked");
            if (policy === "nack") assert.ok(verdict === "sent" || verdict === "nacked");
          } else if (step.kind === "advance") {
            clock.advance(step.ms);
            elapsed += step.ms;
          } else if (step.kind === "full") {
            if (refusable !== undefined) {
              const before = admission.counters;
              const verdict = admission.refuseAdmitted(marked.has(refusable));
              assert.equal(verdict !== undefined, policy === "taildrop" || policy === "nack");
              if (verdict !== undefined) {
                out.pop();
                const after = admission.counters;
                if (policy === "nack") assert.equal(after.nacked, before.nacked + 1);
                else assert.equal(after.dropped, before.dropped + 1);
              }
              refusable = undefined;
            }
          } else {
            for (const item of admission.pump()) {
              out.push(item);
              refusable = item;
              sentWithTokens += cost?.(item) ?? 1;
            }
          }
          check();
        }

        // An idle period long enough lets every buffered item out, one timer at a time.
        let rounds = 0;
        for (let ms = admission.msUntilPump(); ms !== undefined; ms = admission.msUntilPump()) {
          assert.ok(Number.isFinite(ms), "a buffered item can always be released");
          clock.advance(ms);
          elapsed += ms;
          const released = admission.pump();
          assert.ok(released.length > 0, "waiting msUntilPump() must release something");
          for (const item of released) {
            out.push(item);
            sentWithTokens += cost?.(item) ?? 1;
          }
          rounds += 1;
          assert.ok(rounds <= bufferLimit);
          check();
        }
        assert.equal(admission.counters.buffered, 0);
      }),
      { numRuns: 400 },
    );
  });
});

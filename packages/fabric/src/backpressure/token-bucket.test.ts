import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { TokenBucket } from "./token-bucket.ts";

/** A hand-driven clock in milliseconds. */
function fakeClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe("TokenBucket math (fake clock)", () => {
  test("starts full and empties one token at a time", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 3 }, clock.now);
    assert.equal(bucket.available(), 3);
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(2), true);
    assert.equal(bucket.available(), 0);
    assert.equal(bucket.tryTake(), false);
  });

  test("refills continuously at rate tokens per second", () => {
    const clock = fakeClock(1000);
    const bucket = new TokenBucket({ rate: 10, burst: 5 }, clock.now);
    assert.ok(bucket.tryTake(5));
    clock.advance(50); // 0.5 token
    assert.equal(bucket.available(), 0.5);
    assert.equal(bucket.tryTake(), false);
    clock.advance(50);
    assert.equal(bucket.available(), 1);
    assert.equal(bucket.tryTake(), true);
    clock.advance(250);
    assert.equal(bucket.available(), 2.5);
  });

  test("never holds more than burst, however long it idles", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 1000, burst: 4 }, clock.now);
    clock.advance(3_600_000);
    assert.equal(bucket.available(), 4);
    assert.equal(bucket.tryTake(5), false);
    assert.equal(bucket.available(), 4, "a refused take takes nothing");
  });

  test("a failed take leaves the tokens alone", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 1, burst: 3 }, clock.now);
    assert.ok(bucket.tryTake(2));
    assert.equal(bucket.tryTake(2), false);
    assert.equal(bucket.available(), 1);
  });

  test("msUntil: 0 when there, whole ms rounded up when not, Infinity above burst", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 3, burst: 2 }, clock.now);
    assert.equal(bucket.msUntil(2), 0);
    assert.ok(bucket.tryTake(2));
    assert.equal(bucket.msUntil(), 334); // 1 token at 3/s = 333.3 ms
    assert.equal(bucket.msUntil(2), 667);
    assert.equal(bucket.msUntil(3), Number.POSITIVE_INFINITY);
    clock.advance(333);
    assert.equal(bucket.tryTake(), false);
    clock.advance(1);
    assert.equal(bucket.tryTake(), true);
  });

  test("msUntil survives float rounding: waiting it always finds the tokens", () => {
    // At 4/7 tokens/s, 110 ms in, ceil((1 - tokens) * 1000 / rate) is 1640 ms, yet
    // tokens + 1640 * rate / 1000 falls a hair short of 1 in floating point.
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 4 / 7, burst: 1 }, clock.now);
    assert.ok(bucket.tryTake());
    clock.advance(110);
    const wait = bucket.msUntil();
    assert.equal(wait, 1641);
    clock.advance(wait);
    assert.equal(bucket.tryTake(), true);
  });

  test("a clock that steps back credits nothing, and does not credit time twice", () => {
    const clock = fakeClock(1000);
    const bucket = new TokenBucket({ rate: 1000, burst: 10 }, clock.now);
    assert.ok(bucket.tryTake(10));
    clock.advance(-500);
    assert.equal(bucket.available(), 0);
    clock.advance(502); // 2 ms past the last reading
    assert.equal(bucket.available(), 2);
  });

  test("fractional rates", () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 0.5, burst: 1 }, clock.now);
    assert.ok(bucket.tryTake());
    assert.equal(bucket.msUntil(), 2000);
    clock.advance(1999);
    assert.equal(bucket.tryTake(), false);
    clock.advance(1);
    assert.equal(bucket.tryTake(), true);
  });

  test("rejects a rate <= 0, a burst < 1 and bad counts, saying why", () => {
    const now = (): number => 0;
    assert.throws(() => new TokenBucket({ rate: 0, burst: 1 }, now), {
      name: "RangeError",
      message: /rate must be a finite number > 0 tokens\/s; got 0/,
    });
    assert.throws(() => new TokenBucket({ rate: -1, burst: 1 }, now), /rate/);
    assert.throws(() => new TokenBucket({ rate: Number.NaN, burst: 1 }, now), /rate/);
    assert.throws(() => new TokenBucket({ rate: Number.POSITIVE_INFINITY, burst: 1 }, now), /rate/);
    assert.throws(() => new TokenBucket({ rate: 1, burst: 0.5 }, now), {
      name: "RangeError",
      message: /burst must be a finite number >= 1 tokens; got 0.5/,
    });
    assert.throws(() => new TokenBucket({ rate: 1, burst: 0 }, now), /burst/);
    const bucket = new TokenBucket({ rate: 1, burst: 1 }, now);
    assert.throws(() => bucket.tryTake(-1), RangeError);
    assert.throws(() => bucket.tryTake(Number.NaN), RangeError);
    assert.throws(() => bucket.msUntil(Number.POSITIVE_INFINITY), RangeError);
  });
});

describe("TokenBucket properties", () => {
  type Op = { kind: "advance"; ms: number } | { kind: "take"; n: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 2000 }) }),
    fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.double({ min: 0, max: 50, noNaN: true }),
    }),
    fc.record({ kind: fc.constant("take" as const), n: fc.integer({ min: 0, max: 6 }) }),
  );
  const rateArb = fc.oneof(
    fc.integer({ min: 1, max: 10_000 }),
    fc.double({ min: 0.01, max: 5000, noNaN: true, noDefaultInfinity: true }),
  );
  const burstArb = fc.oneof(
    fc.integer({ min: 1, max: 20 }),
    fc.double({ min: 1, max: 20, noNaN: true }),
  );

  test("never grants more than burst + rate x elapsed over any window", () => {
    fc.assert(
      fc.property(rateArb, burstArb, fc.array(opArb, { maxLength: 150 }), (rate, burst, ops) => {
        const clock = fakeClock(12_345);
        const bucket = new TokenBucket({ rate, burst }, clock.now);
        const grants: Array<{ at: number; n: number }> = [];
        for (const op of ops) {
          if (op.kind === "advance") clock.advance(op.ms);
          else if (bucket.tryTake(op.n)) grants.push({ at: clock.now(), n: op.n });
          const tokens = bucket.available();
          assert.ok(tokens >= 0 && tokens <= burst, `tokens ${tokens} outside [0, ${burst}]`);
        }
        for (let i = 0; i < grants.length; i++) {
          let sum = 0;
          for (let j = i; j < grants.length; j++) {
            const a = grants[i];
            const b = grants[j];
            if (a === undefined || b === undefined) continue;
            sum += b.n;
            const bound = burst + (rate * (b.at - a.at)) / 1000;
            assert.ok(sum <= bound + 1e-6 * bound, `granted ${sum} > ${bound} in [${i}, ${j}]`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test("after msUntil(n) ms, n tokens are there although the clock's float sum falls short", () => {
    // The property below found it (seed 820537284): 399 + 6e-12 + 625 - (399 + 6e-12) < 625.
    const clock = fakeClock();
    const bucket = new TokenBucket({ rate: 8, burst: 5 }, clock.now);
    clock.advance(399);
    clock.advance(5.9969806898152456e-12);
    for (const n of [3, 1, 1]) bucket.tryTake(n);
    const wait = bucket.msUntil(5);
    clock.advance(wait);
    assert.ok(bucket.tryTake(5), `no 5 tokens after waiting ${wait} ms`);
  });

  test("after msUntil(n) ms, n tokens are there (n <= burst)", () => {
    fc.assert(
      fc.property(
        rateArb,
        fc.integer({ min: 1, max: 20 }),
        fc.array(opArb, { maxLength: 30 }),
        fc.nat(),
        (rate, burst, ops, nRaw) => {
          const clock = fakeClock();
          const bucket = new TokenBucket({ rate, burst }, clock.now);
          for (const op of ops) {
            if (op.kind === "advance") clock.advance(op.ms);
            else bucket.tryTake(op.n);
          }
          const n = 1 + (nRaw % burst);
          const wait = bucket.msUntil(n);
          assert.ok(Number.isInteger(wait) && wait >= 0);
          clock.advance(wait);
          assert.ok(bucket.tryTake(n), `no ${n} tokens after waiting ${wait} ms`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

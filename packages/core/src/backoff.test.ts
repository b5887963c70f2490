import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { backoffDelay } from "./backoff.ts";

const policy = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 600_000 }))
  .map(([baseMs, extra]) => ({ baseMs, maxMs: baseMs + extra }));

describe("restart backoff", () => {
  test("doubles from the base, halves are fixed, capped", () => {
    const p = { baseMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, p, () => 0)),
      [50, 100, 200, 400, 500, 500],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, p, () => 0.999_999)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });

  test("property: always within [d/2, d] with d = min(cap, base * 2^attempt)", () => {
    fc.assert(
      fc.property(
        policy,
        fc.nat(2000),
        fc.double({ min: 0, max: 1, maxExcluded: true }),
        (p, a, r) => {
          const d = Math.min(p.maxMs, p.baseMs * 2 ** a);
          const got = backoffDelay(a, p, () => r);
          assert.ok(
            got >= Math.floor(d / 2) && got <= Math.ceil(d),
            `${got} not in [${d / 2}, ${d}]`,
          );
          assert.ok(got <= p.maxMs);
          assert.ok(Number.isInteger(got));
        },
      ),
    );
  });

  test("property: the ceiling never falls as attempts grow", () => {
    fc.assert(
      fc.property(policy, fc.nat(60), (p, a) => {
        assert.ok(backoffDelay(a + 1, p, () => 0) >= backoffDelay(a, p, () => 0));
      }),
    );
  });

  test("a misbehaving random source cannot escape the bounds", () => {
    const p = { baseMs: 10, maxMs: 100 };
    assert.equal(
      backoffDelay(3, p, () => 7),
      80,
    );
    assert.equal(
      backoffDelay(3, p, () => -1),
      40,
    );
  });
});

describe("upward jitter", () => {
  const p = { baseMs: 500, maxMs: 30_000, jitter: "upward" } as const;

  test("the factor lies in [1, 1.5), rounded down, capped after the jitter", () => {
    assert.deepEqual(
      [0, 1, 2, 5, 6].map((a) => backoffDelay(a, p, () => 0)),
      [500, 1000, 2000, 16000, 30000],
    );
    assert.equal(
      backoffDelay(0, p, () => 0.5),
      625,
    );
    assert.equal(
      backoffDelay(0, p, () => 7),
      749,
    );
    assert.equal(
      backoffDelay(5, p, () => 0.999),
      23992,
    );
  });

  test("property: retry n+1's lowest value is above retry n's highest, until the cap", () => {
    fc.assert(
      fc.property(
        policy,
        fc.nat(60),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (bounds, a, r1, r2) => {
          const q = { ...bounds, jitter: "upward" } as const;
          const now = backoffDelay(a, q, () => r1);
          const next = backoffDelay(a + 1, q, () => r2);
          assert.ok(next > now || next === q.maxMs, `${next} after ${now}`);
          assert.ok(now >= Math.min(q.maxMs, q.baseMs) && now <= q.maxMs);
        },
      ),
    );
  });
});

describe("no jitter", () => {
  test("doubles from the base up to the cap, the random source unused", () => {
    const p = { baseMs: 5000, maxMs: 60_000, jitter: "none" } as const;
    const random = () => assert.fail("no jitter draws no random number");
    assert.deepEqual(
      [0, 1, 2, 3, 4, 100].map((a) => backoffDelay(a, p, random)),
      [5000, 10000, 20000, 40000, 60000, 60000],
    );
  });
});

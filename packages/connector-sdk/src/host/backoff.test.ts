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

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SpinBudget } from "./spin-budget.ts";

/** One observation: a record caught while polling, or one that came after the reader parked. */
const event = fc.record({
  caught: fc.boolean(),
  micros: fc.double({ min: 0, max: 1e7, noNaN: true }),
});
const maxMicros = fc.integer({ min: 0, max: 10_000 });

test("any sequence of gaps keeps the budget within [0, max] (property)", () => {
  fc.assert(
    fc.property(maxMicros, fc.array(event, { maxLength: 200 }), (max, events) => {
      const budget = new SpinBudget(max);
      for (const e of events) {
        if (e.caught) budget.caught(e.micros);
        else budget.missed(e.micros);
        assert.ok(budget.micros >= 0 && budget.micros <= max, `${budget.micros} of ${max}`);
      }
    }),
  );
});

test("after any history, a run of gaps longer than the max stops polling (property)", () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 100 }), (events) => {
      const budget = new SpinBudget(200);
      for (const e of events) {
        if (e.caught) budget.caught(e.micros);
        else budget.missed(e.micros);
      }
      // An idle lane: each record comes long after the reader parked. 200 µs halves to 0 in 9.
      for (let i = 0; i < 9; i++) budget.missed(2000);
      assert.equal(budget.micros, 0);
    }),
  );
});

test("a gap within reach is chased: the next one of its length is caught (property)", () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 100 }), fc.double({ min: 0, max: 200 }), (h, gap) => {
      const budget = new SpinBudget(200);
      for (const e of h) {
        if (e.caught) budget.caught(e.micros);
        else budget.missed(e.micros);
      }
      budget.missed(gap);
      assert.ok(budget.micros >= gap, `budget ${budget.micros} < gap ${gap}`);
      budget.caught(gap);
      assert.ok(budget.micros >= Math.min(200, 2 * gap));
    }),
  );
});

test("0 turns polling off, and a bad ceiling is refused", () => {
  const off = new SpinBudget(0);
  off.missed(0);
  off.caught(100);
  assert.equal(off.micros, 0);
  assert.throws(() => new SpinBudget(-1), RangeError);
  assert.throws(() => new SpinBudget(Number.NaN), RangeError);
  assert.throws(() => new SpinBudget(Number.POSITIVE_INFINITY), RangeError);
});

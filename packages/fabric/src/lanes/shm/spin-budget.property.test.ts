import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SpinBudget } from "./spin-budget.ts";

/** One observation: a record caught while polling, one after the reader parked, a late poll. */
const event = fc.record({
  kind: fc.constantFrom("caught", "missed", "contended"),
  micros: fc.double({ min: 0, max: 1e7, noNaN: true }),
});
type Event = { kind: "caught" | "missed" | "contended"; micros: number };

function observe(budget: SpinBudget, e: Event): void {
  if (e.kind === "caught") budget.caught(e.micros);
  else if (e.kind === "missed") budget.missed(e.micros);
  else budget.contended();
}
const maxMicros = fc.integer({ min: 0, max: 10_000 });

test("any sequence of gaps keeps the budget within [0, max] (property)", () => {
  fc.assert(
    fc.property(maxMicros, fc.array(event, { maxLength: 200 }), (max, events) => {
      const budget = new SpinBudget(max);
      for (const e of events) {
        observe(budget, e);
        assert.ok(budget.micros >= 0 && budget.micros <= max, `${budget.micros} of ${max}`);
      }
    }),
  );
});

test("after any history, a run of gaps longer than the max stops polling (property)", () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 100 }), (events) => {
      const budget = new SpinBudget(200);
      for (const e of events) observe(budget, e);
      // An idle lane: each record comes long after the reader parked. 200 µs halves to 0 in 9.
      for (let i = 0; i < 9; i++) budget.missed(2000);
      assert.equal(budget.micros, 0);
    }),
  );
});

test("a gap within reach is chased: the next one of its length is caught (property)", () => {
  fc.assert(
    fc.property(
      fc.array(event, { maxLength: 100 }),
      fc.double({ min: 0, max: 200, noNaN: true }),
      (h, gap) => {
        const budget = new SpinBudget(200);
        for (const e of h) observe(budget, e);
        budget.missed(gap);
        assert.ok(budget.micros >= gap, `budget ${budget.micros} < gap ${gap}`);
        budget.caught(gap);
        assert.ok(budget.micros >= Math.min(200, 2 * gap));
      },
    ),
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

test("late polls stop polling: a contended host gets its core back (property)", () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 100 }), (events) => {
      const budget = new SpinBudget(200);
      for (const e of events) observe(budget, e);
      const before = budget.micros;
      budget.contended();
      assert.ok(budget.micros <= before / 2);
      for (let i = 0; i < 8; i++) budget.contended();
      assert.equal(budget.micros, 0);
    }),
  );
});

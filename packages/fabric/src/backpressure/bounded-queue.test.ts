import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { BoundedQueue, type WaterMarks } from "./bounded-queue.ts";

interface Item {
  readonly id: number;
  readonly size: number;
}

type Op =
  /** `count` messages whose sizes repeat `sizes` (cheap to shrink, unlike one size each). */
  | { readonly kind: "push"; readonly count: number; readonly sizes: readonly number[] }
  | { readonly kind: "shift"; readonly count: number }
  | { readonly kind: "takeAll" };

/** Batches long enough that a run passes the queue's compaction point (1024 shifted) often. */
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("push" as const),
      count: fc.integer({ min: 1, max: 700 }),
      sizes: fc.array(fc.nat({ max: 64 }), { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant("shift" as const), count: fc.nat({ max: 900 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "takeAll" as const }) },
);

/**
 * Marks small enough for the ops above to cross them both ways, low always below high; now and
 * then no low mark at all.
 */
const marksArb: fc.Arbitrary<WaterMarks> = fc
  .tuple(
    fc.nat({ max: 400 }),
    fc.nat({ max: 800 }),
    fc.nat({ max: 4000 }),
    fc.nat({ max: 8000 }),
    fc.boolean(),
  )
  .map(([lowItems, itemGap, lowBytes, byteGap, withLow]) => {
    const high = { items: lowItems + itemGap + 1, bytes: lowBytes + byteGap + 1 };
    return withLow ? { high, low: { items: lowItems, bytes: lowBytes } } : { high };
  });

/** The queue against a plain array: same contents, counts and marks after every step. */
function runAgainstModel(marks: WaterMarks | undefined, ops: readonly Op[]): void {
  const queue = new BoundedQueue<Item>({
    sizeOf: (item) => item.size,
    ...(marks === undefined ? {} : { marks }),
  });
  const model: Item[] = [];
  let bytes = 0;
  let nextId = 0;
  const check = () => {
    assert.equal(queue.length, model.length);
    assert.equal(queue.bytes, bytes);
    const full =
      marks !== undefined && (model.length >= marks.high.items || bytes >= marks.high.bytes);
    const low = marks?.low;
    const drained =
      marks === undefined ||
      (low === undefined ? !full : model.length <= low.items && bytes <= low.bytes);
    assert.equal(queue.full, full, "full");
    assert.equal(queue.drained, drained, "drained");
  };
  for (const op of ops) {
    if (op.kind === "push") {
      for (let i = 0; i < op.count; i++) {
        const size = op.sizes[i % op.sizes.length] as number;
        const item = { id: nextId++, size };
        queue.push(item);
        model.push(item);
        bytes += size;
        check();
      }
    } else if (op.kind === "shift") {
      for (let i = 0; i < op.count; i++) {
        const oldest = model.shift();
        bytes -= oldest?.size ?? 0;
        assert.equal(queue.shift(), oldest, "FIFO: the oldest message, or none");
        check();
      }
    } else {
      assert.deepEqual(queue.takeAll(), model.splice(0));
      bytes = 0;
      check();
    }
  }
}

describe("BoundedQueue: a FIFO with its counts and water marks", () => {
  test("property: length, bytes, order, full and drained match a plain array", () => {
    fc.assert(
      fc.property(marksArb, fc.array(opArb, { maxLength: 12 }), (marks, ops) =>
        runAgainstModel(marks, ops),
      ),
      { numRuns: 150 },
    );
  });

  test("property: without marks it is never full and always drained", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 8 }), (ops) => runAgainstModel(undefined, ops)),
      { numRuns: 50 },
    );
  });

  test("full at either high mark, drained only at or below both low marks", () => {
    const queue = new BoundedQueue<number>({
      sizeOf: (n) => n,
      marks: { high: { items: 4, bytes: 100 }, low: { items: 1, bytes: 10 } },
    });
    assert.equal(queue.drained, true);
    for (const n of [1, 1, 1]) queue.push(n);
    assert.equal(queue.full, false, "3 items, 3 bytes");
    queue.push(1);
    assert.equal(queue.full, true, "4 items: the item mark");
    assert.equal(queue.drained, false);
    for (let i = 0; i < 3; i++) queue.shift();
    assert.deepEqual([queue.length, queue.full, queue.drained], [1, false, true]);
    queue.push(96);
    assert.deepEqual([queue.bytes, queue.full], [97, false]);
    queue.push(3);
    assert.deepEqual([queue.length, queue.bytes, queue.full], [3, 100, true], "the byte mark");
    queue.shift();
    queue.shift();
    assert.deepEqual([queue.length, queue.bytes, queue.drained], [1, 3, true]);
    queue.push(7);
    assert.deepEqual([queue.length, queue.bytes, queue.drained], [2, 10, false], "2 items");
    queue.shift();
    queue.push(1);
    queue.shift();
    queue.push(10);
    queue.shift();
    assert.deepEqual([queue.length, queue.bytes, queue.drained], [1, 10, true], "10 bytes");
    queue.shift();
    queue.push(11);
    assert.deepEqual([queue.length, queue.bytes, queue.drained], [1, 11, false], "11 bytes");
  });

  test("without a low mark it is drained as soon as it is below the high one", () => {
    const queue = new BoundedQueue<number>({
      sizeOf: (n) => n,
      marks: { high: { items: 3, bytes: 100 } },
    });
    queue.push(1);
    queue.push(1);
    assert.deepEqual([queue.full, queue.drained], [false, true], "2 items");
    queue.push(1);
    assert.deepEqual([queue.full, queue.drained], [true, false], "3 items: the item mark");
    queue.shift();
    assert.deepEqual([queue.full, queue.drained], [false, true], "2 items again");
    queue.push(98);
    assert.deepEqual([queue.bytes, queue.full, queue.drained], [100, true, false], "the bytes");
    queue.shift();
    assert.deepEqual([queue.bytes, queue.full, queue.drained], [99, false, true]);
  });

  test("an emptied queue fills again in order, after a short run and after a burst", () => {
    const queue = new BoundedQueue<number>({ sizeOf: () => 1 });
    for (const run of [3, 5000, 2, 700]) {
      for (let i = 0; i < run; i++) queue.push(i);
      // Half the run, then more behind it: the refill writes past what was shifted.
      const half = Math.floor(run / 2);
      for (let i = 0; i < half; i++) assert.equal(queue.shift(), i);
      for (let i = run; i < run + 3; i++) queue.push(i);
      const rest: number[] = [];
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) rest.push(n);
      assert.deepEqual(
        rest,
        Array.from({ length: run - half + 3 }, (_, i) => half + i),
        `a run of ${run}`,
      );
      assert.deepEqual([queue.length, queue.bytes], [0, 0]);
    }
  });

  test("an empty queue shifts undefined and takes nothing", () => {
    const queue = new BoundedQueue<string>({ sizeOf: (s) => s.length });
    assert.equal(queue.shift(), undefined);
    assert.deepEqual(queue.takeAll(), []);
    queue.push("ab");
    assert.deepEqual(queue.takeAll(), ["ab"]);
    assert.deepEqual([queue.length, queue.bytes, queue.shift()], [0, 0, undefined]);
  });

  test("marks whose low is not below their high, or a high of none, are refused", () => {
    const sizeOf = (n: number) => n;
    for (const marks of [
      { high: { items: 4, bytes: 100 }, low: { items: 4, bytes: 10 } },
      { high: { items: 4, bytes: 100 }, low: { items: 1, bytes: 100 } },
      { high: { items: 4, bytes: 100 }, low: { items: -1, bytes: 10 } },
      { high: { items: 4, bytes: 100 }, low: { items: 1, bytes: Number.NaN } },
      { high: { items: 0, bytes: 100 } },
      { high: { items: 4, bytes: Number.NaN } },
    ])
      assert.throws(() => new BoundedQueue({ sizeOf, marks }), RangeError);
  });
});

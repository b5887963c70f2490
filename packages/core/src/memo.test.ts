import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memoByObject, memoByString } from "./memo.ts";

/** A function that counts its calls. */
function counted<K, V>(fn: (key: K) => V): { fn: (key: K) => V; calls: () => number } {
  let calls = 0;
  return {
    fn: (key) => {
      calls++;
      return fn(key);
    },
    calls: () => calls,
  };
}

describe("memoByString", () => {
  it("computes each key once, undefined results too", () => {
    const f = counted((k: string) => (k === "none" ? undefined : k.length));
    const memo = memoByString(10, f.fn);
    for (let i = 0; i < 3; i++) {
      assert.equal(memo("abc"), 3);
      assert.equal(memo("none"), undefined);
    }
    assert.equal(f.calls(), 2);
  });

  it("starts over when full, so memory stays bounded, and answers the same", () => {
    const f = counted((k: string) => `v${k}`);
    const memo = memoByString(2, f.fn);
    for (const k of ["a", "b", "c", "a"]) assert.equal(memo(k), `v${k}`);
    // a and b filled it; c cleared it; a is computed again.
    assert.equal(f.calls(), 4);
  });

  it("does not cache a throw: the next call throws afresh", () => {
    const f = counted((k: string): number => {
      throw new Error(k);
    });
    const memo = memoByString(10, f.fn);
    assert.throws(() => memo("x"), /x/);
    assert.throws(() => memo("x"), /x/);
    assert.equal(f.calls(), 2);
  });
});

describe("memoByObject", () => {
  it("computes once per object, by identity, not by value", () => {
    const f = counted((o: { n: number }) => o.n * 2);
    const memo = memoByObject(f.fn);
    const a = { n: 1 };
    assert.equal(memo(a), 2);
    assert.equal(memo(a), 2);
    assert.equal(memo({ n: 1 }), 2);
    assert.equal(f.calls(), 2);
  });
});

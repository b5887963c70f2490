import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SYMBOL_TYPES } from "./saddr.ts";
import { closest } from "./suggest.ts";

/** Plain Levenshtein distance, written independently of suggest.ts. */
function levenshtein(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([]);
    for (let j = 0; j <= b.length; j++) {
      const row = d[i] as number[];
      if (i === 0 || j === 0) row.push(i + j);
      else {
        const up = (d[i - 1] as number[])[j] as number;
        const left = row[j - 1] as number;
        const diag = (d[i - 1] as number[])[j - 1] as number;
        row.push(Math.min(up + 1, left + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

describe("closest", () => {
  it("suggests near misses of symbol types", () => {
    assert.equal(closest("apu", SYMBOL_TYPES), "api");
    assert.equal(closest("hok", SYMBOL_TYPES), "hook");
    assert.equal(closest("servce", SYMBOL_TYPES), "service");
    assert.equal(closest("extenson", SYMBOL_TYPES), "extension");
    assert.equal(closest("plugins", SYMBOL_TYPES), "plugin");
  });

  it("gives up beyond a third of the word's length (at least 1, at most 3)", () => {
    assert.equal(closest("xyz", SYMBOL_TYPES), undefined);
    assert.equal(closest("ab", ["abcd"]), undefined); // distance 2, budget 1
    assert.equal(closest("abcdef", ["abcdxy"]), "abcdxy"); // distance 2, budget 2
    assert.equal(closest("abcdef", ["abxyzf"]), undefined); // distance 3, budget 2
    assert.equal(closest("abcdefghijklmnop", ["abcdefghijklmxyz"]), "abcdefghijklmxyz");
    assert.equal(closest("abcdefghijklmnop", ["abcdefghijkwmxyz"]), undefined); // 4 > 3
  });

  it("ignores case, keeps the candidate's spelling, prefers the first of equals", () => {
    assert.equal(closest("API", ["api"]), "api");
    assert.equal(closest("Direction", ["direction"]), "direction");
    assert.equal(closest("bat", ["cat", "hat"]), "cat");
    assert.equal(closest("hat", ["cat", "hat"]), "hat");
    assert.equal(closest("", ["a", "bb"]), "a");
    assert.equal(closest("anything", []), undefined);
  });

  it("property: the answer is a candidate within budget, and no candidate is nearer", () => {
    const word = fc.stringMatching(/^[a-z_]{0,10}$/);
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 8 }), (w, candidates) => {
        const budget = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
        const best = closest(w, candidates);
        const distances = candidates.map((c) => levenshtein(w, c));
        const min = Math.min(...distances);
        if (best === undefined) {
          assert.ok(candidates.length === 0 || min > budget);
        } else {
          assert.equal(best, candidates[distances.indexOf(min)]);
          assert.ok(min <= budget);
        }
      }),
    );
  });
});

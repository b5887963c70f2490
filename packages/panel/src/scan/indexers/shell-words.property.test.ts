/** Any list of words, each quoted the way a shell user might, splits back into that list. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shellWords } from "./shell-words.ts";

const single = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
const double = (w: string) => `"${w.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
const bare = (w: string) => w.replace(/[\s'"\\]/g, (c) => `\\${c}`);

describe("shell words", () => {
  it("splits quoted words back into the words", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.string({ minLength: 1, maxLength: 12 }),
            fc.constantFrom(single, double, bare),
          ),
          { maxLength: 8 },
        ),
        fc.constantFrom(" ", "  ", "\t"),
        (words, gap) => {
          const line = words.map(([w, quote]) => quote(w)).join(gap);
          assert.deepEqual(
            shellWords(line),
            words.map(([w]) => w),
          );
        },
      ),
    );
  });

  it("refuses an open quote and never throws", () => {
    assert.equal(shellWords("cc -o 'a b"), undefined);
    assert.equal(shellWords('cc "x'), undefined);
    fc.assert(fc.property(fc.string(), (s) => void shellWords(s)));
  });
});

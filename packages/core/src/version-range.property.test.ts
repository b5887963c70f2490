/**
 * version-range.ts reads some ranges without semver; semver stays the definition. Every range
 * it reads must be one semver calls valid, and every answer it gives must be semver's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import satisfies from "semver/functions/satisfies.js";
import validRange from "semver/ranges/valid.js";
import { simpleRange } from "./version-range.ts";

/** Mostly small numbers, where the bounds are; now and then a large one. */
const num = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 999_999_999_999_999 }) },
);
const whole = fc.tuple(num, num, num).map((n) => n.join("."));
const partial = fc.oneof(
  num.map(String),
  fc.tuple(num, num).map((n) => n.join(".")),
  whole,
);
const comparator = fc.oneof(
  fc.tuple(fc.constantFrom("^", "~", ""), partial).map(([op, v]) => op + v),
  fc.tuple(fc.constantFrom(">=", ">", "<=", "<", "="), whole).map(([op, v]) => op + v),
);
const range = fc.array(comparator, { minLength: 1, maxLength: 3 }).map((c) => c.join(" "));

const identifier = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.stringMatching(/^[0-9A-Za-z-]{1,6}$/),
);
const version = fc
  .tuple(
    fc.constantFrom("", "", "", "v"),
    whole,
    fc.option(fc.array(identifier, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.option(fc.array(fc.stringMatching(/^[0-9A-Za-z-]{0,4}$/), { minLength: 1, maxLength: 2 }), {
      nil: undefined,
    }),
  )
  .map(
    ([v, w, pre, build]) =>
      `${v}${w}${pre === undefined ? "" : `-${pre.join(".")}`}${build === undefined ? "" : `+${build.join(".")}`}`,
  );

/** Texts from the characters a SADDR range may hold: mostly not ranges read here. */
const rangeLike = fc.stringMatching(/^[0-9.^~<>=*|x +-]{1,14}$/);

describe("version-range", () => {
  it("reads only ranges semver calls valid, and answers as semver's satisfies", () => {
    let answered = 0;
    fc.assert(
      fc.property(range, fc.array(version, { minLength: 1, maxLength: 6 }), (r, versions) => {
        const test = simpleRange(r);
        assert.ok(test !== undefined, `${r} is read here`);
        assert.notEqual(validRange(r), null, `${r} is valid to semver`);
        for (const v of versions) {
          const said = test(v);
          if (said === undefined) continue;
          answered++;
          assert.equal(said, satisfies(v, r), `${v} in ${r}`);
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(answered > 3000, "most versions are answered here");
  });

  it("declines what it does not read; what it reads of any text is semver's", () => {
    fc.assert(
      fc.property(rangeLike, fc.array(version, { maxLength: 4 }), (r, versions) => {
        const test = simpleRange(r);
        if (test === undefined) return;
        assert.notEqual(validRange(r), null, `${JSON.stringify(r)} is valid to semver`);
        for (const v of versions) {
          const said = test(v);
          if (said !== undefined) assert.equal(said, satisfies(v, r), `${v} in ${r}`);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("leaves to semver what it must", () => {
    for (const r of [
      "1.x",
      "*",
      "1 || 2",
      "1.2 - 2",
      ">= 1.2.3",
      "^1.2.3-beta",
      ">=1.2",
      "  ^1",
      "^01",
    ])
      assert.equal(simpleRange(r), undefined, r);
    assert.equal(simpleRange("^1")?.("v1.2.3"), undefined);
    assert.equal(simpleRange("^1")?.("1.2.3-beta"), false);
    assert.equal(simpleRange("^0.0.3")?.("0.0.3+build.1"), true);
  });
});

/**
 * panel.yaml's ignore patterns that are plain names are matched without the `ignore` package:
 * for any such patterns and any path, the answer must be the package's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import ignore from "ignore";
import { IgnoreRules } from "./ignore-rules.ts";

// Names, with case variants, look-alikes (a Kelvin sign folds to "k" by toLowerCase, never for a
// case-insensitive regular expression) and names that merely contain a pattern.
const NAMES = ["dist", "node_modules", ".git", "build", "a-b", "x.y", "k"];
const SEGMENTS = [
  ...NAMES,
  "DIST",
  "Node_Modules",
  ".GIT",
  "xdist",
  "dist.x",
  "node_modules2",
  "axy",
  "\u212A",
  "src",
  "é",
];
const PATTERN = fc
  .tuple(fc.constantFrom(...NAMES, "DIST", "Build"), fc.boolean())
  .map(([name, folder]) => (folder ? `${name}/` : name));

describe("IgnoreRules: plain names", () => {
  it("property: ignores what the ignore package ignores, folders and files", () => {
    fc.assert(
      fc.property(
        fc.array(PATTERN, { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (patterns, segments, isDirectory) => {
          const rel = segments.join("/");
          const expected = ignore()
            .add(patterns)
            .ignores(isDirectory ? `${rel}/` : rel);
          assert.equal(IgnoreRules.fromConfig(patterns).ignores(rel, isDirectory), expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("patterns beyond plain names still go to the ignore package", () => {
    const rules = IgnoreRules.fromConfig(["*.log", "!keep.log", "/top"]);
    assert.equal(rules.ignores("a/b.log", false), true);
    assert.equal(rules.ignores("a/keep.log", false), false);
    assert.equal(rules.ignores("top", true), true);
    assert.equal(rules.ignores("a/top", true), false);
  });
});

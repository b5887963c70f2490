/**
 * isWithin's law: it agrees with a containment oracle built on path.relative, whatever `..`,
 * `.`, repeated or trailing separators the two paths carry; and a sibling that only shares a
 * prefix (/a/bc against /a/b) is never inside.
 */
import assert from "node:assert/strict";
import { isAbsolute, relative, sep } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isWithin } from "./within.ts";

/** Path pieces chosen to collide: shared prefixes, dots, and names that only look like `..`. */
const segment = fc.constantFrom("a", "b", "bc", "ab", "..", ".", "", "..a", "a..", "b.");
const absPath = fc
  .array(segment, { maxLength: 6 })
  .chain((parts) =>
    fc.constantFrom("", sep, sep + sep).map((tail) => `${sep}${parts.join(sep)}${tail}`),
  );

function oracle(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

describe("isWithin", () => {
  it("agrees with path.relative on normalised paths", () => {
    fc.assert(
      fc.property(absPath, absPath, (path, folder) => {
        assert.equal(isWithin(path, [folder]), oracle(path, folder), `${path} in ${folder}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("a child is inside, a name extending the last one is not, the root holds everything", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "bc"), { minLength: 1, maxLength: 4 }),
        fc.constantFrom("x", "c", "bc"),
        (parts, more) => {
          const folder = `${sep}${parts.join(sep)}`;
          assert.equal(isWithin(`${folder}${sep}${more}`, [folder]), true);
          assert.equal(isWithin(`${folder}${more}`, [folder]), false);
          assert.equal(isWithin(`${folder}${sep}${more}${sep}..${sep}..`, [folder]), false);
          assert.equal(
            isWithin(`${folder}${sep}..${sep}${parts.at(-1)}`, [`${folder}${sep}`]),
            true,
          );
          assert.equal(isWithin(folder, [sep]), true);
        },
      ),
    );
  });

  it("any of several folders will do; none is none", () => {
    assert.equal(isWithin("/a/b/c", ["/x", "/a/b"]), true);
    assert.equal(isWithin("/a/bc", ["/a/b", "/a/c"]), false);
    assert.equal(isWithin("/a", []), false);
  });
});

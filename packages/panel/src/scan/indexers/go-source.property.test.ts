/**
 * The package-clause lexer: whatever comments and blank lines precede the clause, it finds the
 * package and the clause's line; a `package` word inside a comment never counts; any text at
 * all yields a clause or undefined, never a throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { packageClause } from "./go-source.ts";

const lineComment = fc
  .string({ maxLength: 30 })
  .filter((s) => !s.includes("\n"))
  .map((s) => `//${s}\n`);
const blockComment = fc
  .string({ maxLength: 30 })
  .filter((s) => !s.includes("*/"))
  .map((s) => `/*${s}*/`);
const blank = fc.constantFrom(" ", "\t", "\n", "\r\n");
const trivia = fc.array(fc.oneof(lineComment, blockComment, blank), { maxLength: 8 });
const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);

describe("go package clause lexer", () => {
  it("finds the clause after any leading comments, at its line", () => {
    fc.assert(
      fc.property(trivia, ident, trivia, (before, name, between) => {
        const lead = before.join("");
        const text = `${lead}package${between.join("") || " "}${name}\n\nfunc main() {}\n`;
        const found = packageClause(text);
        assert.equal(found?.name, name);
        assert.equal(found?.line, lead.split("\n").length);
      }),
    );
  });

  it("never counts a package clause written inside a comment", () => {
    fc.assert(
      fc.property(ident, (name) => {
        assert.equal(packageClause(`/* package ${name} */ func x() {}`), undefined);
        assert.equal(packageClause(`// package ${name}\nvar x = 1`), undefined);
      }),
    );
  });

  it("knows a file whose build constraint requires the ignore tag", () => {
    const ignored = (constraint: string) =>
      packageClause(`${constraint}\n\npackage main\n`)?.ignored;
    assert.equal(ignored("//go:build ignore"), true);
    assert.equal(ignored("//go:build linux && ignore"), true);
    assert.equal(ignored("// +build ignore"), true);
    assert.equal(ignored("//go:build !ignore"), false);
    assert.equal(ignored("//go:build ignored_tag"), false);
    assert.equal(ignored("// go:build ignore"), false);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const found = packageClause(text);
        assert.ok(found === undefined || typeof found.name === "string");
      }),
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RttError } from "./errors.ts";
import {
  LineIndex,
  MAX_JSON_DEPTH,
  parseJsonDocument,
  parseYamlDocument,
} from "./source-document.ts";

function syntaxError(f: () => unknown): RttError {
  try {
    f();
  } catch (error) {
    if (error instanceof RttError) return error;
    assert.fail(`expected an RttError, got ${String(error)}`);
  }
  assert.fail("expected an RttError");
}

describe("LineIndex", () => {
  it("property: maps every offset to the line and column a split on \\n gives", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "\n", "\r", "é", "😀") });
    fc.assert(
      fc.property(text, fc.nat(), (t, n) => {
        const offset = n % (t.length + 1);
        const before = t.slice(0, offset).split("\n");
        const expected = { line: before.length, column: (before.at(-1) ?? "").length + 1 };
        assert.deepEqual(new LineIndex(t).locate(offset), expected);
      }),
    );
  });
});

describe("parseJsonDocument", () => {
  const text = '{\n  "a": {\n    "b": [1, {"c": true}]\n  }\n}';

  it("locates values and keys by path, and a missing path at its nearest ancestor", () => {
    const doc = parseJsonDocument(text, "f.json");
    assert.deepEqual(doc.value, { a: { b: [1, { c: true }] } });
    assert.deepEqual(doc.locate([]), { line: 1, column: 1 });
    assert.deepEqual(doc.locate(["a"]), { line: 2, column: 8 });
    assert.deepEqual(doc.locate(["a"], "key"), { line: 2, column: 3 });
    assert.deepEqual(doc.locate(["a", "b", 1, "c"]), { line: 3, column: 20 });
    assert.deepEqual(doc.locate(["a", "b", 1, "c"], "key"), { line: 3, column: 15 });
    assert.deepEqual(doc.locate(["a", "b", 1, "zz"]), { line: 3, column: 14 });
    assert.deepEqual(doc.locate(["nope", "deeper"]), { line: 1, column: 1 });
  });

  it("keeps a __proto__ key as plain data", () => {
    const doc = parseJsonDocument('{"__proto__": {"polluted": true}}', "f.json");
    const value = doc.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("reports syntax errors and duplicate keys with file, line and column", () => {
    const bad = syntaxError(() => parseJsonDocument('{\n  "a": 1,\n  "b": tru\n}', "f.json"));
    assert.equal(bad.code, "RTT_ERR_DOC_SYNTAX");
    assert.deepEqual(bad.position, { file: "f.json", line: 3, column: 8 });
    const dup = syntaxError(() => parseJsonDocument('{"a": {"x": 1,\n "x": 2}}', "f.json"));
    assert.equal(dup.message, 'duplicate key "x"');
    assert.deepEqual(dup.position, { file: "f.json", line: 2, column: 2 });
    const empty = syntaxError(() => parseJsonDocument("", "f.json"));
    assert.deepEqual(empty.position, { file: "f.json", line: 1, column: 1 });
  });
});

describe("parseJsonDocument: nesting", () => {
  it("property: a document nested deeper than MAX_JSON_DEPTH is a syntax error at the level that overflows, never a stack overflow", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom("[", '{"k":'),
        fc.string({ unit: fc.constantFrom('"', "\\", "[", "{", "a"), maxLength: 8 }),
        (depth, open, inString) => {
          // Brackets inside a string do not count.
          const text = `[${JSON.stringify(inString)},${open.repeat(depth)}`;
          if (depth + 1 <= MAX_JSON_DEPTH) {
            // Shallow enough: whatever the parser says (it is unterminated), not the depth.
            const e = syntaxError(() => parseJsonDocument(text, "deep.json"));
            assert.doesNotMatch(e.message, /nested deeper/);
            return;
          }
          const e = syntaxError(() => parseJsonDocument(text, "deep.json"));
          assert.equal(e.code, "RTT_ERR_DOC_SYNTAX");
          assert.match(e.message, /nested deeper than 256/);
          assert.equal(e.position?.file, "deep.json");
        },
      ),
      { numRuns: 60 },
    );
  });

  it("stray closing brackets do not buy extra depth", () => {
    const text = `{"a": ${"]".repeat(1000)}, "b": ${"[".repeat(1000)}`;
    assert.match(syntaxError(() => parseJsonDocument(text, "s.json")).message, /nested deeper/);
  });

  it("accepts a document exactly MAX_JSON_DEPTH deep", () => {
    const text = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    assert.doesNotThrow(() => parseJsonDocument(text, "ok.json"));
  });
});

describe("parseYamlDocument", () => {
  it("locates values and keys by path", () => {
    const doc = parseYamlDocument('scan:\n  roots: [a, "b"]\n  follow_symlinks: true\n', "p.yaml");
    assert.deepEqual(doc.value, { scan: { roots: ["a", "b"], follow_symlinks: true } });
    assert.deepEqual(doc.locate(["scan", "roots", 1]), { line: 2, column: 14 });
    assert.deepEqual(doc.locate(["scan", "follow_symlinks"], "key"), { line: 3, column: 3 });
    assert.deepEqual(doc.locate(["scan", "follow_symlinks"]), { line: 3, column: 20 });
    assert.deepEqual(doc.locate(["scan", "missing"]), { line: 2, column: 3 });
  });

  it("turns an unresolved alias into RTT_ERR_DOC_SYNTAX at the alias", () => {
    const e = syntaxError(() => parseYamlDocument("a: &x 1\nb: [*x, *y]\n", "p.yaml"));
    assert.equal(e.code, "RTT_ERR_DOC_SYNTAX");
    assert.deepEqual(e.position, { file: "p.yaml", line: 2, column: 9 });
    assert.deepEqual(parseYamlDocument("a: &x 1\nb: [*x]\n", "p.yaml").value, { a: 1, b: [1] });
  });

  it("reads an empty file as an empty map", () => {
    assert.deepEqual(parseYamlDocument("", "p.yaml").value, {});
    assert.deepEqual(parseYamlDocument("# only a comment\n", "p.yaml").value, {});
  });
});

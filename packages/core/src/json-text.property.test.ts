/**
 * parseJsonDocument parses most texts natively (JSON.parse, positions found in the text) and the
 * rest as a syntax tree. These hold the two to one answer for any text: the same value, the same
 * position for every path, the same error at the same place.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { memberCount, offsetInJson, tokenCounts } from "./json-text.ts";
import {
  type JsonPath,
  MAX_JSON_DEPTH,
  parsedAsTree,
  parseJsonDocument,
} from "./source-document.ts";

/** A JSON text built token by token, so that keys repeat, escapes vary and spacing is free. */
type Tree =
  | { readonly kind: "object"; readonly members: readonly (readonly [string, Tree])[] }
  | { readonly kind: "array"; readonly items: readonly Tree[] }
  | { readonly kind: "literal"; readonly text: string };

// Keys as written: "\u0061" is "a" again, a colon or brace inside a string is no token.
const KEYS = ['"a"', '"b"', '"\\u0061"', '"x\\"y"', '"__proto__"', '"c:d"', '"{["', '"é"'];
const LITERALS = ["0", "-0", "1.5e3", "-12", "true", "false", "null", '""', '"s:[{,}]"', '"\\\\"'];
const SPACE = fc.constantFrom("", "", " ", "\n", "  ", "\r\n", "\t");

const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("literal" as const), text: fc.constantFrom(...LITERALS) }),
    fc.record({
      kind: fc.constant("object" as const),
      members: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("tree")), { maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant("array" as const),
      items: fc.array(tie("tree"), { maxLength: 4 }),
    }),
  ),
}));

/** The text of a tree, the spacing between tokens taken in turn from `spaces`. */
function textOf(t: Tree, spaces: readonly string[]): string {
  let n = 0;
  const space = () => spaces[n++ % spaces.length] ?? "";
  const write = (node: Tree): string => {
    if (node.kind === "literal") return node.text;
    if (node.kind === "array")
      return `[${space()}${node.items.map((i) => `${write(i)}${space()}`).join(`,${space()}`)}]`;
    const members = node.members.map(([k, v]) => `${k}${space()}:${space()}${write(v)}${space()}`);
    return `{${space()}${members.join(`,${space()}`)}}`;
  };
  return `${space()}${write(t)}${space()}`;
}

/** Every path in a parsed value, and a few that go past its ends. */
function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const paths: JsonPath[] = [prefix, [...prefix, "missing"], [...prefix, 7]];
  if (typeof value !== "object" || value === null) return paths;
  if (Array.isArray(value))
    for (const [i, v] of value.entries()) paths.push(...pathsOf(v, [...prefix, i]));
  else for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

/** What a parse gives: the document, or the error's code, message and position. */
function outcome(parse: () => ReturnType<typeof parseJsonDocument>) {
  try {
    return { doc: parse() };
  } catch (error) {
    const e = error as { code?: string; message: string; position?: unknown };
    return { error: { code: e.code, message: e.message, position: e.position } };
  }
}

/** Both paths give one answer for `text`: the same error, or the same value and positions. */
function agree(text: string): void {
  const native = outcome(() => parseJsonDocument(text, "f.json"));
  const tree = outcome(() => parsedAsTree(text, "f.json"));
  assert.deepEqual(native.error, tree.error);
  if (native.doc === undefined || tree.doc === undefined) return;
  assert.deepEqual(native.doc.value, tree.doc.value);
  for (const path of pathsOf(tree.doc.value))
    for (const part of ["value", "key"] as const)
      assert.deepEqual(native.doc.locate(path, part), tree.doc.locate(path, part), `${path}`);
}

describe("parseJsonDocument: the native path answers as the syntax tree does", () => {
  it("property: valid texts, repeated keys included, give one value, positions and errors", () => {
    fc.assert(
      fc.property(tree, fc.array(SPACE, { minLength: 1, maxLength: 6 }), (t, spaces) =>
        agree(textOf(t, spaces)),
      ),
      { numRuns: 400 },
    );
  });

  it("property: damaged texts give one error at one place", () => {
    const cut = fc.tuple(
      tree,
      fc.nat(),
      fc.nat(3),
      fc.constantFrom("", ",", ":", '"', "}", "]", "/"),
    );
    fc.assert(
      fc.property(cut, ([t, at, drop, insert]) => {
        const text = textOf(t, [" "]);
        const i = at % (text.length + 1);
        agree(text.slice(0, i) + insert + text.slice(i + drop));
      }),
      { numRuns: 400 },
    );
  });

  it("property: any JSON value, however JSON.stringify spaces it", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, "\t"), (v, indent) =>
        agree(JSON.stringify(v, null, indent)),
      ),
    );
  });
});

describe("json-text", () => {
  it("counts one colon per member, none inside strings", () => {
    assert.deepEqual(tokenCounts('{"a:b": {"c": ":\\"{"}, "d": [1]}'), { members: 3, opens: 3 });
    assert.equal(memberCount(JSON.parse('{"a:b": {"c": ":"}, "d": [1]}')), 3);
    // A repeated key: JSON.parse keeps one member, the text has two colons.
    assert.equal(memberCount(JSON.parse('{"a": 1, "a": 2}')), 1);
  });

  it("answers as the tree for texts with many brackets, nested too deep or not", () => {
    agree(`${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`);
    agree(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`);
    agree(`[${Array.from({ length: 2 * MAX_JSON_DEPTH }, (_, i) => `{"k": [${i}]}`).join(",")}]`);
  });

  it("finds a key written with escapes, and an array element's 'key' at the first element", () => {
    const text = '{"\\u0073ymbol": {"saddr": "x"}, "list": [ 1, 2 ]}';
    assert.equal(offsetInJson(text, ["symbol", "saddr"], "value"), text.indexOf('"x"'));
    assert.equal(offsetInJson(text, ["symbol", "saddr"], "key"), text.indexOf('"saddr"'));
    assert.equal(offsetInJson(text, ["list", 1], "key"), text.indexOf("1"));
    assert.equal(offsetInJson(text, ["list", 5], "value"), text.indexOf("["));
  });
});

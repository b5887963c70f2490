/**
 * The plain YAML reader either declines a text or reads it as the `yaml` package does: never a
 * value the full parser would not give, never a text the full parser refuses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { plainYamlValue } from "./plain-yaml.ts";
import { parsedYamlTree, parseYamlDocument, type SourceDocument } from "./source-document.ts";

// Inside the subset, mostly, and just outside it: the core schema's other spellings,
// indicators, comments, escapes.
const weighted = (inside: readonly string[], outside: readonly string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...inside), weight: 6 },
    { arbitrary: fc.constantFrom(...outside), weight: 1 },
  );
const KEY = weighted(
  ["a", "scan", "ignore", "b_c", "x-y"],
  ["null", "true", "Yes", "__proto__", "a b", "1a"],
);
const SCALAR = weighted(
  ["x", '"q"', "'s'", '"a:b"', "12", "0", "true", "false", ".git", "x-y", "dist/**", '"a,b"'],
  [
    "007",
    "1.5",
    "-3",
    "True",
    "null",
    "Null",
    "~",
    ".5",
    '"#x"',
    "*a",
    "&a x",
    "!t x",
    "a#b",
    "a #b",
    "-x",
    ".inf",
    "'it''s'",
    "x: y",
    "[a,,b]",
    "{a: 1}",
    "|",
    "x ",
    "yes",
    '"a\\tb"',
    '"a\\"b"',
    '[x, "a,b"]',
    "['a', 'b]c']",
  ],
);
const FLOW = weighted(
  [
    "[a, b]",
    "[]",
    '[ "x", y ]',
    "[x, 'y', 12]",
    "{ errors: 5, window_ms: 5000 }",
    "{}",
    "{a: x, b: 'y'}",
  ],
  [
    "[a, [b]]",
    "[a, b",
    "{a: 1, a: 2}",
    "{ a: [x] }",
    "{a:1}",
    "{a: x, }",
    "{a: {b: c}}",
    "{a: 1.5}",
  ],
);
const INLINE = fc.oneof({ arbitrary: SCALAR, weight: 3 }, { arbitrary: FLOW, weight: 1 });

type Node =
  | { readonly kind: "scalar"; readonly text: string }
  | { readonly kind: "map"; readonly entries: readonly (readonly [string, Node])[] }
  | { readonly kind: "seq"; readonly items: readonly string[]; readonly compact: boolean };

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ kind: fc.constant("scalar" as const), text: INLINE }),
    fc.record({
      kind: fc.constant("map" as const),
      entries: fc.array(fc.tuple(KEY, tie("node")), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
    fc.record({
      kind: fc.constant("seq" as const),
      items: fc.array(SCALAR, { minLength: 1, maxLength: 3 }),
      compact: fc.boolean(),
    }),
  ),
}));

/** Lines of a mapping's entries at `indent`, nested blocks `step` deeper. */
function linesOf(
  entries: readonly (readonly [string, Node])[],
  indent: number,
  step: number,
): string[] {
  const pad = " ".repeat(indent);
  return entries.flatMap(([key, value]) => {
    if (value.kind === "scalar") return [`${pad}${key}: ${value.text}`];
    if (value.kind === "map")
      return [`${pad}${key}:`, ...linesOf(value.entries, indent + step, step)];
    const itemPad = value.compact ? pad : " ".repeat(indent + step);
    return [`${pad}${key}:`, ...value.items.map((i) => `${itemPad}- ${i}`)];
  });
}

const text = fc
  .tuple(
    fc.array(fc.tuple(KEY, node), { maxLength: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.array(weighted(["", "# a comment", "  # indented"], ["\t", "---", " ", "a:  x"]), {
      maxLength: 2,
    }),
    fc.nat(),
  )
  .map(([entries, step, extras, at]) => {
    const lines = linesOf(entries, 0, step);
    const i = lines.length === 0 ? 0 : at % (lines.length + 1);
    return [...lines.slice(0, i), ...extras, ...lines.slice(i)].join("\n");
  });

function outcome(parse: () => SourceDocument) {
  try {
    return { value: parse().value };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("plainYamlValue", () => {
  it("property: a text it reads, the yaml package reads to the same value", () => {
    fc.assert(
      fc.property(text, (t) => {
        const plain = plainYamlValue(t);
        if (plain === undefined) return;
        assert.deepEqual(
          outcome(() => parsedYamlTree(t, "p.yaml")),
          { value: plain },
        );
      }),
      { numRuns: 500 },
    );
  });

  it("property: every value on its own reads as the yaml package reads it", () => {
    fc.assert(
      fc.property(KEY, INLINE, (key, value) => {
        const t = `${key}: ${value}`;
        const plain = plainYamlValue(t);
        if (plain !== undefined)
          assert.deepEqual(
            outcome(() => parsedYamlTree(t, "p.yaml")),
            { value: plain },
          );
      }),
      { numRuns: 300 },
    );
  });

  it("property: parseYamlDocument answers as the yaml package, values, errors and positions", () => {
    fc.assert(
      fc.property(text, (t) => {
        const tree = outcome(() => parsedYamlTree(t, "p.yaml"));
        assert.deepEqual(
          outcome(() => parseYamlDocument(t, "p.yaml")),
          tree,
        );
        if ("error" in tree) return;
        const both = [parseYamlDocument(t, "p.yaml"), parsedYamlTree(t, "p.yaml")];
        for (const path of [[], ["scan"], ["scan", "ignore", 1], ["a", "missing"]])
          assert.deepEqual(both[0]?.locate(path, "key"), both[1]?.locate(path, "key"));
      }),
      { numRuns: 300 },
    );
  });

  it("reads a usual panel.yaml, and declines what it cannot vouch for", () => {
    const usual =
      '# the scan\nscan:\n  ignore: [".git", "node_modules", dist]\n  roots:\n    - src\n    - lib\n  follow_symlinks: true\n  max_manifest_bytes: 65536\nhealth:\n  trip_threshold: { errors: 5, window_ms: 5000 }\n';
    assert.deepEqual(plainYamlValue(usual), {
      scan: {
        ignore: [".git", "node_modules", "dist"],
        roots: ["src", "lib"],
        follow_symlinks: true,
        max_manifest_bytes: 65536,
      },
      health: { trip_threshold: { errors: 5, window_ms: 5000 } },
    });
    assert.deepEqual(plainYamlValue(""), {});
    for (const declined of ["a: 1.0", "a: Null", "a: x # c", "a:\n- x", "a: &x y", "a: 1\na: 2"])
      assert.equal(plainYamlValue(declined), undefined, declined);
  });
});

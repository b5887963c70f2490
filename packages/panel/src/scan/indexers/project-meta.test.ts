/**
 * What holds for every project-metadata indexer: their claims are valid manifests as the
 * scanner will check them, and `discover` gives the same claims whatever order the files come
 * in. And the TOML line finder the TOML indexers share.
 */
import assert from "node:assert/strict";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type JsonValue, validateDocument } from "@rtt/core";
import fc from "fast-check";
import { cCompile } from "./c-compile.ts";
import { buildElf } from "./elf-builder.ts";
import { elfExports } from "./elf-exports.ts";
import { fixtureTree } from "./fixture-tree.ts";
import { go } from "./go.ts";
import type { Discovery, FileFacts, Indexer } from "./indexer.ts";
import { indexInput } from "./input.ts";
import { nodePackage } from "./node-package.ts";
import { tomlLine } from "./project-meta.ts";
import { pythonPackaging } from "./python-packaging.ts";
import { INDEXERS } from "./registry.ts";
import { rustCargo } from "./rust-cargo.ts";

/** The project-metadata indexers (the registry holds others too, with trees of their own). */
const METADATA_INDEXERS = [
  cCompile,
  elfExports,
  go,
  nodePackage,
  pythonPackaging,
  rustCargo,
] as readonly Indexer[];

const TREE = {
  "py/pyproject.toml":
    '[project]\nname = "py-app"\nversion = "1.0.0"\n[project.scripts]\npy = "app:main"\n[project.entry-points.app_hooks]\nh = "app.h"\n',
  "js/package.json": '{"name":"@s/js","version":"1.0.0","bin":{"js":"cli.js"},"exports":"./i.js"}',
  "go/go.mod": "module example.com/go\n",
  "go/main.go": "package main\n",
  "go/cmd/a/main.go": "package main\n",
  "go/cmd/b/b.go": "package main\n",
  "rs/Cargo.toml": '[package]\nname = "rs"\nversion = "1.0.0"\n[lib]\ncrate-type = ["cdylib"]\n',
  "rs/src/main.rs": "",
  "rs/src/bin/x.rs": "",
  "rs/sub/Cargo.toml": '[package]\nname = "sub"\nversion.workspace = true\n',
  "rs/sub/src/main.rs": "",
  "c/compile_commands.json": '[{"directory":".","file":"m.c","arguments":["cc","-o","m","m.c"]}]',
  "c/build/compile_commands.json": '[{"directory":"..","file":"m.c","command":"cc -o m m.c"}]',
  "c/libx.so.2": buildElf([{ name: "rtt_go", bind: 1, type: 2, shndx: 1 }]),
};

async function factsOf<F extends JsonValue>(indexer: Indexer<F>, root: string) {
  const files: FileFacts<F>[] = [];
  for (const d of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!d.isFile()) continue;
    const abs = join(d.parentPath, d.name);
    const entry = { rel: abs.slice(root.length + 1), abs, name: d.name, kind: "file" as const };
    if (!indexer.wants(entry)) continue;
    const facts = await indexer.read(indexInput(entry, lstatSync(abs), 1 << 20));
    if (facts.length > 0) files.push({ rel: entry.rel, facts });
  }
  return files;
}

const key = (d: Discovery) => JSON.stringify([d.contract.saddr, d.provenance]);
const sorted = (claims: readonly Discovery[]) =>
  [...claims].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe("project-metadata indexers", () => {
  it("are registered once each under a valid name", () => {
    const names = INDEXERS.map((i) => i.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^[a-z0-9-]+$/);
    for (const indexer of METADATA_INDEXERS) assert.ok(INDEXERS.includes(indexer), indexer.name);
  });

  it("claim only valid manifests, scored below a manifest's 1", async (t) => {
    const root = fixtureTree(t, TREE);
    let total = 0;
    for (const indexer of METADATA_INDEXERS) {
      const claims = indexer.discover(await factsOf(indexer, root));
      assert.ok(claims.length > 0, `${indexer.name} claims something in the tree`);
      for (const c of claims) {
        total++;
        const checked = validateDocument("manifest", JSON.stringify({ symbol: c.contract }), "x");
        assert.ok(checked.ok, `${indexer.name}: ${JSON.stringify(checked)}`);
        assert.ok(c.score > 0 && c.score < 1);
        assert.equal(c.provenance.indexer, indexer.name);
      }
    }
    assert.ok(total >= 12);
  });

  it("discover the same claims whatever order the files come in", async (t) => {
    const root = fixtureTree(t, TREE);
    for (const indexer of METADATA_INDEXERS) {
      const files = await factsOf(indexer, root);
      const want = sorted(indexer.discover(files));
      fc.assert(
        fc.property(fc.shuffledSubarray(files, { minLength: files.length }), (shuffled) => {
          assert.deepEqual(sorted(indexer.discover(shuffled)), want);
        }),
        { numRuns: 30 },
      );
    }
  });
});

describe("tomlLine", () => {
  const text = [
    "# a comment",
    "[project]",
    'name = "x"',
    "",
    "[project.\"entry-points\".'my.group']",
    'a = "m:f"',
    "[project.scripts]",
    'cli = "m:main"',
    "inline = { x = 1 }",
    "[[bin]]",
    'name = "one"',
    "[[bin]]",
    '  name = "two"',
    'tool.x.y = "dotted"',
  ].join("\n");

  it("finds keys in tables, quoted tables, array tables and dotted keys", () => {
    assert.equal(tomlLine(text, ["project", "name"]), 3);
    assert.equal(tomlLine(text, ["project", "entry-points", "my.group", "a"]), 6);
    assert.equal(tomlLine(text, ["project", "scripts", "cli"]), 8);
    assert.equal(tomlLine(text, ["bin", "0", "name"]), 11);
    assert.equal(tomlLine(text, ["bin", "1", "name"]), 13);
    assert.equal(tomlLine(text, ["bin", "1", "tool", "x", "y"]), 14);
  });

  it("falls back to the nearest written ancestor, then to line 1", () => {
    assert.equal(tomlLine(text, ["project", "scripts", "inline", "x"]), 9);
    assert.equal(tomlLine(text, ["project", "scripts", "missing"]), 7);
    assert.equal(tomlLine(text, ["nowhere"]), 1);
  });

  it("finds every key of a generated document at the line it was written", () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(segment, fc.uniqueArray(segment, { maxLength: 4 })), {
          selector: ([t]) => t,
          maxLength: 5,
        }),
        (tables) => {
          const lines: string[] = [];
          const where: [string[], number][] = [];
          for (const [table, keys] of tables) {
            lines.push(`[${table}]`);
            for (const k of keys) {
              lines.push(`${k} = "${table}.${k}"`);
              where.push([[table, k], lines.length]);
            }
            lines.push("");
          }
          for (const [path, line] of where) assert.equal(tomlLine(lines.join("\n"), path), line);
        },
      ),
    );
  });
});

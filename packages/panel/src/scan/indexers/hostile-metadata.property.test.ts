/**
 * Project metadata is hostile input. Whatever a package.json, pyproject.toml or Cargo.toml
 * holds, reading it yields facts or an RttError (never another exception), every claim is a
 * valid manifest, and no argv a claim carries lets the file choose an option for the program
 * that would run it (`node --eval=…`, `cargo run --bin --config=…`). The project indexer, which
 * names the namespace every claim under the file takes, never throws on such a file, and what
 * it names is always a namespace and version an address can carry.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type JsonValue, parseConcrete, RttError, validateDocument } from "@rtt/core";
import fc from "fast-check";
import { stringify } from "smol-toml";
import { inProject, projectsOf } from "../project-namespaces.ts";
import type { Indexer, IndexInput } from "./indexer.ts";
import { nodePackage } from "./node-package.ts";
import { projectIndexer } from "./project-identity.ts";
import { pythonPackaging } from "./python-packaging.ts";
import { rustCargo } from "./rust-cargo.ts";

function inputOf(name: string, text: string): IndexInput {
  return {
    rel: `p/${name}`,
    abs: `/nowhere/p/${name}`,
    name,
    kind: "file",
    mode: 0o100644,
    size: text.length,
    head: () => Buffer.from(text).subarray(0, 1024),
    text: () => text,
  };
}

/** Strings a hostile file might use: options, paths out, code, odd Unicode. */
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("--eval=process.exit(7)", "-e", "../../x", "/bin/sh", "a:b; import os", ".", ""),
  fc.constantFrom("main", "cli.js", "./bin/x.js", "pkg.mod:func", "src/main.rs", "cdylib"),
);
const key = fc.oneof(
  nasty,
  fc.constantFrom("name", "version", "bin", "exports", "main", "keywords", ".", "./sub"),
  fc.constantFrom("project", "scripts", "gui-scripts", "entry-points", "tool", "poetry"),
  fc.constantFrom("package", "workspace", "lib", "crate-type", "path", "autobins", "members"),
);

/** TOML-shaped values (no nulls) keyed by the names the indexers look for. */
const tomlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.integer(),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const anyToml = fc.dictionary(key, tomlValue, { maxKeys: 5 });
const table = fc.dictionary(nasty, nasty, { maxKeys: 3 });
/** Documents shaped like the real thing, with hostile values where they matter. */
const pyproject = fc.record({
  project: fc.record({
    name: nasty,
    version: nasty,
    scripts: table,
    "gui-scripts": table,
    "entry-points": fc.dictionary(nasty, table, { maxKeys: 2 }),
  }),
});
const cargo = fc.record({
  package: fc.record({ name: nasty, version: nasty }),
  bin: fc.array(fc.record({ name: nasty, path: nasty }), { maxLength: 3 }),
  lib: fc.record({ name: nasty, "crate-type": fc.array(nasty, { maxLength: 2 }) }),
});
const packageJson = fc.record({
  name: nasty,
  version: nasty,
  bin: fc.oneof(nasty, table),
  exports: fc.oneof(nasty, table, fc.dictionary(nasty, table, { maxKeys: 2 })),
  main: nasty,
  keywords: fc.array(nasty, { maxLength: 2 }),
});
const anyJson = fc.dictionary(
  key,
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.oneof(nasty, fc.jsonValue()))),
  { maxKeys: 6 },
);

/** How many claims the runs made, so a test that never reached a claim fails. */
const claimed = new Map<string, number>();

async function check(indexer: Indexer, input: IndexInput): Promise<void> {
  let facts: readonly JsonValue[];
  try {
    facts = await indexer.read(input);
  } catch (error) {
    assert.ok(error instanceof RttError, String(error));
    return;
  }
  for (const claim of indexer.discover([{ rel: input.rel, facts }])) {
    claimed.set(indexer.name, (claimed.get(indexer.name) ?? 0) + 1);
    const checked = validateDocument("manifest", JSON.stringify({ symbol: claim.contract }), "x");
    assert.ok(checked.ok, JSON.stringify(checked));
    const argv = claim.contract["x-run"];
    if (argv === undefined) continue;
    assert.ok(Array.isArray(argv) && argv.every((a) => typeof a === "string"));
    const chosen = indexer === rustCargo ? argv.slice(4) : argv.slice(1);
    if (indexer === nodePackage) for (const a of chosen) assert.ok(!String(a).startsWith("-"), a);
    if (indexer === rustCargo) assert.ok(!String(argv[3]).startsWith("-"), String(argv[3]));
  }
}

describe("hostile project metadata", () => {
  it("package.json", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(packageJson, anyJson), (doc) =>
        check(nodePackage as Indexer, inputOf("package.json", JSON.stringify(doc))),
      ),
    );
    assert.ok((claimed.get("node-package") ?? 0) > 0);
  });

  it("pyproject.toml", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(pyproject, anyToml), (doc) =>
        check(pythonPackaging as Indexer, inputOf("pyproject.toml", stringify(doc))),
      ),
    );
    assert.ok((claimed.get("python-packaging") ?? 0) > 0);
  });

  it("Cargo.toml", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(cargo, anyToml), (doc) =>
        check(rustCargo as Indexer, inputOf("Cargo.toml", stringify(doc))),
      ),
    );
    assert.ok((claimed.get("rust-cargo") ?? 0) > 0);
  });

  it("names a project any address can take, whatever the project file says", async () => {
    const files = fc.oneof(
      fc.oneof(packageJson, anyJson).map((d) => ["package.json", JSON.stringify(d)] as const),
      fc.oneof(pyproject, anyToml).map((d) => ["pyproject.toml", stringify(d)] as const),
      fc.oneof(cargo, anyToml).map((d) => ["Cargo.toml", stringify(d)] as const),
      fc.tuple(fc.constantFrom("setup.cfg", "go.mod", "package.json"), fc.string()),
      fc
        .tuple(nasty, nasty)
        .map(([n, v]) => ["setup.cfg", `[metadata]\nname = ${n}\nversion = ${v}\n`] as const),
      nasty.map((m) => ["go.mod", `module ${m}\n`] as const),
    );
    let named = 0;
    await fc.assert(
      fc.asyncProperty(files, async ([name, text]) => {
        const input = inputOf(name, text);
        const facts = await projectIndexer.read(input);
        const projects = projectsOf([[input.rel, facts]]);
        named += projects.size;
        const claim = {
          contract: {
            saddr: "rtt://p/proc/x@1.2.3",
            type: "proc" as const,
            direction: "both" as const,
          },
          score: 0.6,
          provenance: { indexer: "shebang", file: "p/sub/x.sh", line: 1 },
        };
        const saddr = inProject(claim, projects).contract.saddr;
        assert.equal(parseConcrete(saddr).name, "x", saddr);
      }),
    );
    assert.ok(named > 0);
  });
});

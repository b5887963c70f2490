/**
 * The lookup's law: it never leaves out an indexer that wants an entry. For any name, folder and
 * kind, every registry indexer whose `wants` says yes is among those the lookup asks, so asking
 * by name changes nothing the walk yields; and a name no indexer declares asks none of them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { IndexEntry, Indexer } from "./indexers/indexer.ts";
import { INDEXERS } from "./indexers/registry.ts";
import { wantsLookup } from "./wants-lookup.ts";

/** Name pieces chosen to hit the declarations' edges: dot files, double extensions, versions. */
const stem = fc.constantFrom("", "a", "lib", "main", "src", "x.d", "pkg-1", ".", "..", "so");
const suffix = fc.constantFrom(
  "",
  ".py",
  ".go",
  ".rs",
  ".ts",
  ".d.ts",
  ".so",
  ".so.1.2",
  ".sock",
  ".fifo",
  ".mq",
  ".schema.json",
  ".json",
  ".service",
  ".socket",
  ".plist",
  ".sh",
  ".txt",
  "_test.go",
);
const whole = fc.constantFrom(
  "package.json",
  "pyproject.toml",
  "setup.cfg",
  "go.mod",
  "Cargo.toml",
  "compile_commands.json",
  "link.txt",
  "main.rs",
);
const name = fc.oneof(
  fc.tuple(stem, suffix).map(([a, b]) => a + b),
  whole,
  fc.string({ maxLength: 8 }),
);
const folder = fc.constantFrom(
  "",
  "src",
  "src/bin",
  "cmd/tool",
  "node_modules/x",
  ".rtt",
  "build/CMakeFiles/t.dir",
  "vendor",
);

function entryOf(dir: string, n: string, kind: IndexEntry["kind"]): IndexEntry {
  const rel = dir === "" ? n : `${dir}/${n}`;
  return { rel, abs: `/w/${rel}`, name: n, kind };
}

describe("wantsLookup", () => {
  it("asks every registry indexer that wants the entry", () => {
    const lookup = wantsLookup(INDEXERS);
    fc.assert(
      fc.property(name, folder, fc.constantFrom("file", "fifo", "socket"), (n, dir, kind) => {
        const entry = entryOf(dir, n, kind as IndexEntry["kind"]);
        const asked = lookup.askFor(entry.name, entry.kind);
        for (const indexer of INDEXERS) {
          if (indexer.wants(entry))
            assert.ok(asked.includes(indexer), `${indexer.name} wants ${entry.rel} (${kind})`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("asks an indexer that declares nothing about everything, and others only by name", () => {
    const open: Indexer = { name: "open", wants: () => true, read: () => [], discover: () => [] };
    const named: Indexer = { ...open, name: "named", wanted: { names: ["a.cfg"] } };
    const lookup = wantsLookup([open, named]);
    assert.deepEqual(lookup.askFor("plain.txt", "file"), [open]);
    assert.deepEqual(lookup.askFor("a.cfg", "file"), [open, named]);
    assert.deepEqual(wantsLookup([named]).askFor("plain.txt", "file"), []);
    assert.deepEqual(wantsLookup([named]).askFor("plain.txt", "fifo"), [named]);
  });
});

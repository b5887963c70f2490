/**
 * The lookup's law: it never leaves out an indexer that wants an entry. For any name, folder and
 * kind, every registry indexer whose `wants` says yes is among those the lookup asks, so asking
 * by name changes nothing the walk yields; and a name no indexer declares asks none of them.
 * The folder lister's filter (declaredNames) keeps the same law: it names every such file.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNamed } from "@rtt/fabric/folder-lister.ts";
import fc from "fast-check";
import type { IndexEntry, Indexer, WantedNames } from "./indexers/indexer.ts";
import { INDEXERS } from "./indexers/registry.ts";
import { declaredNames, wantsLookup } from "./wants-lookup.ts";

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

/** Indexer.wanted's documented meaning, read the plain way: the reference for the lookup. */
function covers(wanted: WantedNames, n: string): boolean {
  const dot = n.lastIndexOf(".");
  const extensions = dot < 0 ? [""] : dot === 0 ? [n, ""] : [n.slice(dot)];
  return (
    (wanted.names ?? []).includes(n) ||
    (wanted.extensions ?? []).some((e) => extensions.includes(e)) ||
    (wanted.containing ?? []).some((t) => n.includes(t))
  );
}

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

  it("asks, for any declarations, exactly the indexers whose declaration covers the name", () => {
    // Pieces with the characters a pattern could mistake: dots, regex syntax, dot files.
    const piece = fc.constantFrom(
      "a",
      ".",
      "..",
      "py",
      ".py",
      "*",
      "+",
      "(",
      "[",
      "\\",
      "$",
      "^",
      "|",
    );
    const text = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(""));
    const declaration = fc.record(
      {
        names: fc.array(text, { maxLength: 2 }),
        extensions: fc.array(
          fc.oneof(
            fc.constant(""),
            text.map((t) => `.${t}`),
          ),
          { maxLength: 2 },
        ),
        containing: fc.array(
          text.filter((t) => t !== ""),
          { maxLength: 1 },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(declaration, { minLength: 1, maxLength: 3 }), text, (declared, n) => {
        const indexers: Indexer[] = declared.map((wanted, i) => ({
          name: `i${i}`,
          revision: 1,
          wanted,
          wants: () => true,
          read: () => [],
          discover: () => [],
        }));
        const expected = indexers.filter((i) => covers(i.wanted ?? {}, n));
        assert.deepEqual(wantsLookup(indexers).askFor(n, "file"), expected);
        // The folder lister names every file the lookup would ask an indexer about.
        if (expected.length > 0) assert.ok(isNamed(declaredNames(indexers), n), n);
      }),
      { numRuns: 3000 },
    );
  });

  it("has the folder lister name every file a registry indexer wants", () => {
    const declared = declaredNames(INDEXERS);
    fc.assert(
      fc.property(name, folder, (n, dir) => {
        const entry = entryOf(dir, n, "file");
        if (INDEXERS.some((i) => i.wants(entry))) assert.ok(isNamed(declared, n), entry.rel);
      }),
      { numRuns: 3000 },
    );
  });

  it("asks an indexer that declares nothing about everything, and others only by name", () => {
    const open: Indexer = {
      name: "open",
      revision: 1,
      wants: () => true,
      read: () => [],
      discover: () => [],
    };
    const named: Indexer = { ...open, name: "named", wanted: { names: ["a.cfg"] } };
    const lookup = wantsLookup([open, named]);
    assert.deepEqual(lookup.askFor("plain.txt", "file"), [open]);
    assert.deepEqual(lookup.askFor("a.cfg", "file"), [open, named]);
    assert.deepEqual(wantsLookup([named]).askFor("plain.txt", "file"), []);
    assert.deepEqual(wantsLookup([named]).askFor("plain.txt", "fifo"), [named]);
    // An indexer that declares nothing wants any name: the lister names them all.
    assert.equal(declaredNames([open, named]).all, true);
    assert.equal(declaredNames([named]).all, false);
  });
});

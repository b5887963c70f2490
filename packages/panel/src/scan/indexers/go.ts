/**
 * Go modules: every folder whose Go files all say `package main` is a command, claimed as a
 * `proc` named after its folder (after the module at the module's root, without a `/vN` major
 * version suffix, as `go install` names it), in the namespace of the nearest go.mod above it,
 * run as `go run .` in that folder. Go's own rules decide which files count: not `_test.go`
 * files, not files or folders whose names start with `_` or `.`, nothing under `testdata` or
 * `vendor`, and not files whose build constraint requires the `ignore` tag (the usual
 * `//go:build ignore` generator beside a library). Other build constraints are not evaluated:
 * a file for any platform counts. A folder mixing `main` and another package does not build,
 * and is not claimed. Without a go.mod above it nothing is claimed (GOPATH mode is gone).
 *
 * `//go:generate` directives in a file's first 4 KB are kept as facts but claim nothing: they
 * are build steps a developer runs, not endpoints a route could reach.
 */
import { RttError } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import { generateDirectives, type PackageClause, packageClause, parseGoMod } from "./go-source.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { claim, folderOf, METADATA_SCORE, someFolder } from "./project-meta.ts";

const NAME = "go";

type GoFact =
  | { readonly kind: "module"; readonly path: string; readonly line: number; readonly go?: string }
  | { readonly kind: "package"; readonly name: string; readonly line: number }
  | { readonly kind: "generate"; readonly line: number; readonly command: string };

const skippedFolder = (s: string) =>
  s === "testdata" || s === "vendor" || s.startsWith("_") || s.startsWith(".");

const HEAD_BYTES = 4096;

/**
 * The first 4 KB of a Go file, where its package clause and (by convention, beside it) its
 * `//go:generate` lines are, so a cold scan reads no more of a large tree than that. Read
 * whole (up to the scan limit) only when the clause is not complete in the head: a long
 * license comment, or a cut through the package name. A line the cut went through is dropped.
 */
function sourceOf(input: IndexInput): { text: string; clause: PackageClause | undefined } {
  const head = input.head(HEAD_BYTES);
  const cut = head.length < input.size;
  const text = head.toString("utf8");
  const clause = packageClause(text);
  if (!cut) return { text, clause };
  if (clause !== undefined && clause.end < text.length) {
    return { text: text.slice(0, text.lastIndexOf("\n") + 1), clause };
  }
  try {
    const whole = input.text();
    return { text: whole, clause: packageClause(whole) };
  } catch (error) {
    if (error instanceof RttError && error.code === "RTT_ERR_SCAN_TOO_LARGE") {
      return { text: "", clause: undefined };
    }
    throw error;
  }
}

function read(input: IndexInput): GoFact[] {
  if (input.name === "go.mod") {
    const mod = parseGoMod(input.text(), input.rel);
    return [
      { kind: "module", path: mod.module, line: mod.line, ...(mod.go ? { go: mod.go } : {}) },
    ];
  }
  const { text, clause } = sourceOf(input);
  if (clause === undefined || clause.ignored) return [];
  return [
    { kind: "package", name: clause.name, line: clause.line },
    ...generateDirectives(text).map((d) => ({ kind: "generate" as const, ...d })),
  ];
}

/** What `go install` names a module's root command: its last path element, `/vN` dropped. */
function commandOfModule(path: string): string {
  const parts = path.split("/");
  const last = parts.at(-1) as string;
  return /^v[0-9]+$/.test(last) && parts.length > 1 ? (parts.at(-2) as string) : last;
}

function discover(files: readonly FileFacts<GoFact>[]): Discovery[] {
  const modules = new Map<string, string>();
  const packages = new Map<string, { rel: string; name: string; line: number }[]>();
  for (const { rel, facts } of files) {
    for (const fact of facts) {
      if (fact.kind === "module") modules.set(folderOf(rel), fact.path);
      if (fact.kind === "package") {
        const folder = folderOf(rel);
        packages.set(folder, [...(packages.get(folder) ?? []), { rel, ...fact }]);
      }
    }
  }
  const claims: Discovery[] = [];
  for (const [folder, sources] of packages) {
    if (!sources.every((s) => s.name === "main")) continue;
    const root = [...modules.keys()]
      .filter((m) => m === "" || folder === m || folder.startsWith(`${m}/`))
      .sort((a, b) => b.length - a.length)[0];
    if (root === undefined) continue;
    const module = modules.get(root) as string;
    const name = folder === root ? commandOfModule(module) : (folder.split("/").at(-1) as string);
    const first = sources.sort((a, b) => (a.rel < b.rel ? -1 : 1))[0] as (typeof sources)[0];
    claims.push(
      claim(NAME, first.rel, first.line, METADATA_SCORE, {
        saddr: discoveredSaddr({ namespace: module, type: "proc", name }),
        type: "proc",
        direction: "both",
        "x-run": ["go", "run", "."],
        "x-cwd": ".",
      }),
    );
  }
  return claims;
}

export const go: Indexer<GoFact> = {
  name: NAME,
  revision: 1,
  wanted: { names: ["go.mod"], extensions: [".go"] },
  wants: (entry: IndexEntry) =>
    entry.kind === "file" &&
    (entry.name === "go.mod" ||
      (entry.name.endsWith(".go") &&
        !entry.name.endsWith("_test.go") &&
        !entry.name.startsWith("_") &&
        !entry.name.startsWith("."))) &&
    !someFolder(entry.rel, skippedFolder),
  read,
  discover,
};

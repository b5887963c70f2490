/**
 * Node packages: `package.json` `bin` (each a `proc` run as `node <file>` in the package's
 * folder), `exports` (one symbol per subpath) and, when there are no exports, `main`.
 *
 * An export is a `plugin`: code a host imports. It is an `extension` instead when the package's
 * `keywords` list "extension", the one signal npm metadata has for a package meant to extend
 * a host rather than be used as a library. Pattern subpaths (`./x/*`) name no single module and
 * `./package.json` is metadata, so neither is claimed; a subpath blocked with `null` is not one.
 * A `package.json` under `node_modules` is a vendored copy of someone else's package: the
 * scanner offers no indexer anything there (project-folder.ts `inVendoredFolder`).
 */
import { posix } from "node:path";
import { parseJsonDocument, type SourceDocument } from "@rtt/core";
import { discoveredSaddr, versionOf } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import {
  type ClaimContract,
  claim,
  folderName,
  METADATA_SCORE,
  stringOf,
  tableOf,
} from "./project-meta.ts";

const NAME = "node-package";

type NodeFact = {
  readonly kind: "bin" | "export" | "main";
  /** The bin's name, or the export's subpath ("." for the package itself). */
  readonly name: string;
  /** The file it runs or loads, relative to the package folder, normalized. */
  readonly target: string;
  readonly line: number;
  readonly package: string;
  readonly version: string;
  readonly extension: boolean;
};

/** Export conditions in the order Node itself would pick one when run as a program. */
const CONDITIONS = ["node", "import", "require", "default"];

/**
 * A path inside the package, without "./"; undefined for one that leaves it, or that node would
 * take for an option (`--eval=…`) rather than a file.
 */
function insidePackage(target: string): string | undefined {
  const normal = posix.normalize(target.replaceAll("\\", "/"));
  if (normal.startsWith("/") || normal === ".." || normal.startsWith("../")) return undefined;
  if (normal.startsWith("-")) return undefined;
  return normal === "." ? undefined : normal;
}

/** The file an export target resolves to for Node, through conditions and fallback arrays. */
function exportTarget(value: unknown, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  if (typeof value === "string") return insidePackage(value);
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = exportTarget(v, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const table = tableOf(value);
  if (table === undefined) return undefined;
  const keys = [...CONDITIONS.filter((c) => c in table), ...Object.keys(table)];
  for (const key of keys) {
    const found = exportTarget(table[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Each subpath of `exports` with the JSON path of its key. */
function subpaths(exports: unknown): [string, unknown, (string | number)[]][] {
  const table = tableOf(exports);
  if (table === undefined || !Object.keys(table).every((k) => k.startsWith("."))) {
    return [[".", exports, ["exports"]]];
  }
  return Object.entries(table).map(([k, v]) => [k, v, ["exports", k]]);
}

function readPackage(input: IndexInput): NodeFact[] {
  const doc: SourceDocument = parseJsonDocument(input.text(), input.rel);
  const pkg = tableOf(doc.value);
  if (pkg === undefined) return [];
  const name = stringOf(pkg.name) ?? folderName(input.abs);
  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  const base = {
    package: name,
    version: versionOf(stringOf(pkg.version)),
    extension: keywords.some((k) => typeof k === "string" && k.toLowerCase() === "extension"),
  };
  const facts: NodeFact[] = [];
  const add = (
    kind: NodeFact["kind"],
    name: string,
    target: string | undefined,
    at: (string | number)[],
  ) => {
    if (target !== undefined)
      facts.push({ kind, name, target, line: doc.locate(at, "key").line, ...base });
  };
  const unscoped = name.replace(/^@[^/]*\//, "");
  if (typeof pkg.bin === "string") add("bin", unscoped, insidePackage(pkg.bin), ["bin"]);
  for (const [bin, file] of Object.entries(tableOf(pkg.bin) ?? {})) {
    if (typeof file === "string") add("bin", bin, insidePackage(file), ["bin", bin]);
  }
  if (pkg.exports !== undefined) {
    for (const [subpath, value, at] of subpaths(pkg.exports)) {
      if (subpath.includes("*") || subpath === "./package.json") continue;
      add("export", subpath, exportTarget(value), at);
    }
  } else if (typeof pkg.main === "string") {
    add("main", ".", insidePackage(pkg.main), ["main"]);
  }
  return facts;
}

function contractOf(fact: NodeFact): ClaimContract {
  const namespace = fact.package;
  const { version } = fact;
  if (fact.kind === "bin") {
    return {
      saddr: discoveredSaddr({ namespace, type: "proc", name: fact.name, version }),
      type: "proc",
      direction: "both",
      "x-run": ["node", fact.target],
      "x-cwd": ".",
    };
  }
  const type = fact.extension ? "extension" : "plugin";
  const name = fact.name === "." ? fact.package.replace(/^@[^/]*\//, "") : fact.name.slice(2);
  return {
    saddr: discoveredSaddr({ namespace, type, name, version }),
    type,
    direction: "provider",
    "x-module": fact.target,
  };
}

export const nodePackage: Indexer<NodeFact> = {
  name: NAME,
  revision: 1,
  wanted: { names: ["package.json"] },
  wants: (entry: IndexEntry) => entry.kind === "file" && entry.name === "package.json",
  read: readPackage,
  discover: (files: readonly FileFacts<NodeFact>[]): Discovery[] =>
    files.flatMap(({ rel, facts }) =>
      facts.map((fact) => claim(NAME, rel, fact.line, METADATA_SCORE, contractOf(fact))),
    ),
};

/**
 * The projects of a workspace, for one namespace per project (ADR 0026, "Addresses"): every
 * project file the metadata indexers read (`pyproject.toml`, `setup.cfg`, `package.json`,
 * `go.mod`, `Cargo.toml`) names the project in its folder and may state its version. This
 * indexer claims nothing; the scanner gives every claim made under a project's folder, by any
 * indexer, that project's namespace and version (`scan/project-namespaces.ts`).
 *
 * A file that names no project is none: a pyproject with neither `[project]` nor
 * `[tool.poetry]` (tool settings only), a setup.cfg without `[metadata]`, a Cargo.toml without
 * `[package]` (a workspace root: its `[workspace.package]` version is still kept, for members
 * that inherit it). Where a project file states no name, the folder's name stands in for it, as
 * the metadata indexers name their own claims.
 */
import { type JsonValue, RttError } from "@rtt/core";
import { go } from "./go.ts";
import { parseGoMod } from "./go-source.ts";
import type { FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { nodePackage } from "./node-package.ts";
import { folderName, parseToml, stringOf, tableOf } from "./project-meta.ts";
import { iniSections, metadataTables, pythonPackaging } from "./python-packaging.ts";
import { rustCargo } from "./rust-cargo.ts";

export const PROJECT_INDEXER = "project";

export type ProjectFact =
  | {
      readonly kind: "project";
      readonly name: string;
      /** As written; null when none is stated; "workspace" when Cargo's is inherited. */
      readonly version: string | null;
      readonly inherits?: true;
    }
  | { readonly kind: "workspace"; readonly version: string | null };

/** Each project file, with the metadata indexer whose `wants` decides whether it counts. */
const PROJECT_FILES: ReadonlyMap<string, Indexer> = new Map<string, Indexer>([
  ["pyproject.toml", pythonPackaging as Indexer],
  ["setup.cfg", pythonPackaging as Indexer],
  ["package.json", nodePackage as Indexer],
  ["go.mod", go as Indexer],
  ["Cargo.toml", rustCargo as Indexer],
]);

/**
 * The order in which project files in one folder name its project: the first that names one
 * wins, so a Python project with a package.json for its web assets stays the Python project.
 */
export const PROJECT_FILE_ORDER: readonly string[] = [
  "pyproject.toml",
  "setup.cfg",
  "Cargo.toml",
  "go.mod",
  "package.json",
];

function project(name: string, version: unknown): ProjectFact {
  return { kind: "project", name, version: stringOf(version) ?? null };
}

function readPyproject(input: IndexInput): ProjectFact[] {
  const tables = metadataTables(parseToml(input.text(), input.rel));
  if (tables === undefined) return [];
  return [project(stringOf(tables.meta.name) ?? folderName(input.abs), tables.meta.version)];
}

function readSetupCfg(input: IndexInput): ProjectFact[] {
  const metadata = iniSections(input.text()).get("metadata");
  if (metadata === undefined) return [];
  const value = (key: string) => metadata.find((v) => v.key === key)?.lines[0]?.text;
  return [project(value("name") ?? folderName(input.abs), value("version"))];
}

function readPackageJson(input: IndexInput): ProjectFact[] {
  let pkg: Record<string, unknown> | undefined;
  try {
    pkg = tableOf(JSON.parse(input.text()));
  } catch {
    return [];
  }
  if (pkg === undefined) return [];
  return [project(stringOf(pkg.name) ?? folderName(input.abs), pkg.version)];
}

function readCargo(input: IndexInput): ProjectFact[] {
  const doc = parseToml(input.text(), input.rel);
  const facts: ProjectFact[] = [];
  const workspace = tableOf(doc.workspace);
  if (workspace !== undefined) {
    const version = stringOf(tableOf(workspace.package)?.version) ?? null;
    facts.push({ kind: "workspace", version });
  }
  const pkg = tableOf(doc.package);
  const name = stringOf(pkg?.name);
  if (pkg === undefined || name === undefined) return facts;
  if (tableOf(pkg.version)?.workspace === true) {
    facts.push({ kind: "project", name, version: null, inherits: true });
  } else facts.push(project(name, pkg.version));
  return facts;
}

function readProject(input: IndexInput): ProjectFact[] {
  switch (input.name) {
    case "pyproject.toml":
      return readPyproject(input);
    case "setup.cfg":
      return readSetupCfg(input);
    case "package.json":
      return readPackageJson(input);
    case "go.mod":
      return [{ kind: "project", name: parseGoMod(input.text(), input.rel).module, version: null }];
    default:
      return readCargo(input);
  }
}

/**
 * What `input` says of its project; nothing for a file that does not parse: the metadata
 * indexer that reads the same file reports it, once.
 */
function read(input: IndexInput): ProjectFact[] {
  try {
    return readProject(input);
  } catch (error) {
    if (error instanceof RttError) return [];
    throw error;
  }
}

export const projectIndexer: Indexer<ProjectFact> = {
  name: PROJECT_INDEXER,
  revision: 1,
  wanted: { names: [...PROJECT_FILES.keys()] },
  wants: (entry: IndexEntry) => PROJECT_FILES.get(entry.name)?.wants(entry) === true,
  read,
  // Projects are not symbols: the scanner reads these facts to address everyone else's claims.
  discover: (_files: readonly FileFacts<ProjectFact>[]) => [],
};

/** Whether a JSON fact is one this indexer made (facts come back from the scan state). */
export function isProjectFact(fact: JsonValue): fact is ProjectFact {
  const kind = tableOf(fact)?.kind;
  return kind === "project" || kind === "workspace";
}

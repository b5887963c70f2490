/**
 * The project a source file belongs to, for the source indexers' namespaces and versions: the
 * nearest folder at or above the file whose project file (`pyproject.toml`, `Cargo.toml`) the
 * indexer read as a fact. A per-file `read` cannot see that file, so `discover` does the lookup
 * over every fact, which keeps it pure and independent of file order.
 */
import { parse } from "smol-toml";

export interface ProjectName {
  readonly name: string;
  /** Absent when the metadata states none or not a plain string (`version.workspace = true`). */
  readonly version?: string;
}

/** The folder of `rel` ('' at the top), '/'-separated like every `rel`. */
export function folderOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** The parent of `folder`, or undefined at the top. */
export function parentOf(folder: string): string | undefined {
  return folder === "" ? undefined : folderOf(folder);
}

/** The project in `projects` (keyed by folder) nearest above `rel`, if any. */
export function nearestProject(
  rel: string,
  projects: ReadonlyMap<string, ProjectName>,
): ProjectName | undefined {
  for (let folder: string | undefined = folderOf(rel); folder !== undefined; ) {
    const found = projects.get(folder);
    if (found !== undefined) return found;
    folder = parentOf(folder);
  }
  return undefined;
}

/**
 * `name` and `version` of the table at `path` (e.g. ["project"], ["package"]) in a TOML text,
 * or undefined when the text is not TOML or the table has no string name. A malformed project
 * file is the packaging indexers' to report (python-packaging, rust-cargo); here it only means
 * the source files fall back to their folder for a namespace.
 */
export function tomlProject(text: string, path: readonly string[]): ProjectName | undefined {
  let table: unknown;
  try {
    table = parse(text);
  } catch {
    return undefined;
  }
  for (const key of path) {
    if (typeof table !== "object" || table === null) return undefined;
    table = (table as Record<string, unknown>)[key];
  }
  if (typeof table !== "object" || table === null) return undefined;
  const { name, version } = table as Record<string, unknown>;
  if (typeof name !== "string" || name.trim() === "") return undefined;
  return typeof version === "string" ? { name, version } : { name };
}

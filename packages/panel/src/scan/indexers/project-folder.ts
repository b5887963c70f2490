/**
 * The project a file found by name alone (a script, a unit, a FIFO) belongs to, for its
 * namespace: the first folder of its path under the workspace, or, for a file at the top, the
 * workspace folder's own name. Project metadata (package names, module paths) is the language
 * indexers' business; these files have none, and the top folder is where a repository's
 * `tools/`, `deploy/` or sub-project keeps them.
 */
import { basename } from "node:path";

/** The namespace (not yet normalized: `discoveredSaddr` does that) of the file at `rel`/`abs`. */
export function projectFolderOf(rel: string, abs: string): string {
  const slash = rel.indexOf("/");
  if (slash > 0) return rel.slice(0, slash);
  // abs ends with rel; what is left is the workspace root.
  return basename(abs.slice(0, abs.length - rel.length)) || "workspace";
}

/** The last segment of `rel`: the file's own name. */
export function fileNameOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

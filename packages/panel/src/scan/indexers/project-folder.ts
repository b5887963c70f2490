/**
 * Where a file found by name alone (a script, a unit, a schema) sits, for its address: the
 * namespace is its project folder — the first folder of its path under the workspace, or, for
 * a file at the top, the workspace folder's own name. These files carry no project metadata
 * (package names, module paths are the language indexers' business), and the top folder is
 * where a repository keeps its `scripts/`, `deploy/` or a sub-project.
 */
import { basename } from "node:path";

/** The namespace (not yet normalized: `discoveredSaddr` does that) of the file at `rel`/`abs`. */
export function projectFolderOf(rel: string, abs: string): string {
  const slash = rel.indexOf("/");
  if (slash > 0) return rel.slice(0, slash);
  // abs ends with rel; what is left is the workspace root.
  return basename(abs.slice(0, abs.length - rel.length)) || "workspace";
}

/**
 * The file's path below its project folder, for a name that two files in one project cannot
 * share (`examples/init.d/run` and `examples/rc.d/run` are `init.d/run` and `rc.d/run`, whose
 * segments differ). Top-level files keep their own name.
 */
export function pathBelowProject(rel: string): string {
  const slash = rel.indexOf("/");
  return slash > 0 ? rel.slice(slash + 1) : rel;
}

/** The last segment of `rel`: the file's own name. */
export function fileNameOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/** Folders of other people's installed packages: npm's, a virtualenv's, a system Python's. */
const VENDORED_FOLDERS = new Set(["node_modules", "site-packages", "dist-packages"]);

/**
 * Whether `rel` lies under a folder of installed packages: someone else's code, whose scripts,
 * sockets and metadata no indexer claims, even when the scan's ignore list lets the walk in.
 */
export function inVendoredFolder(rel: string): boolean {
  let from = 0;
  for (let slash = rel.indexOf("/"); slash >= 0; slash = rel.indexOf("/", from)) {
    if (VENDORED_FOLDERS.has(rel.slice(from, slash))) return true;
    from = slash + 1;
  }
  return false;
}

/**
 * Whether `rel` is inside a `.rtt` folder: RTT's own state (the panel's and drivers' sockets,
 * route journals, adopted manifests), which describes symbols but never is one to discover.
 */
export function inRttFolder(rel: string): boolean {
  return rel.startsWith(".rtt/") || rel.includes("/.rtt/");
}

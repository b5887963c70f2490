/**
 * What the file connector finds under a folder (docs/design.md §Connectors): FIFOs and Unix
 * sockets, recognised by `stat` (not by name), and NDJSON logs (`*.ndjson`, `*.jsonl`). Each
 * becomes a `file` symbol whose variant says which: `#fifo`, `#socket`, `#ndjson`.
 */
import { type Dirent, lstatSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Contract } from "@rtt/core";

export type FileKind = "fifo" | "socket" | "ndjson";

export interface ProbedFile {
  readonly path: string;
  readonly kind: FileKind;
  readonly contract: Contract;
}

const SKIP = new Set([".git", "node_modules", ".rtt"]);
const MAX_DEPTH = 8;

/** A name segment from a relative path: lowercase, with anything outside [a-z0-9._-] as "-". */
export function nameFor(rel: string): string {
  const slug = rel
    .split(sep)
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  return slug === "" ? "file" : slug;
}

/**
 * The symbol a FIFO, socket or log at `rel` (relative to the scanned root) is: shared with the
 * panel's IPC indexer, so a path found by either gets the same address and the two claims merge.
 */
export function fileContract(rel: string, kind: FileKind, namespace = "fs"): Contract {
  return {
    saddr: `rtt://${namespace}/file/${nameFor(rel)}@1.0.0#${kind}`,
    type: "file",
    direction: "both",
    capabilities: kind === "ndjson" ? ["append", "follow"] : ["stream"],
    io: "stream",
  };
}

function kindOf(entry: Dirent, path: string): FileKind | undefined {
  if (entry.isFIFO()) return "fifo";
  if (entry.isSocket()) return "socket";
  if (entry.isFile() && /\.(ndjson|jsonl)$/i.test(entry.name)) return "ndjson";
  if (entry.isSymbolicLink()) {
    try {
      const s = lstatSync(path);
      if (s.isFIFO()) return "fifo";
      if (s.isSocket()) return "socket";
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function probeFiles(root: string, namespace = "fs"): ProbedFile[] {
  const found: ProbedFile[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name) && depth < MAX_DEPTH) walk(path, depth + 1);
        continue;
      }
      const kind = kindOf(entry, path);
      if (kind === undefined) continue;
      found.push({ path, kind, contract: fileContract(relative(root, path), kind, namespace) });
    }
  };
  walk(root, 0);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

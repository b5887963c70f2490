/**
 * For indexer tests: run one indexer over a fixture folder the way the scanner does (every file
 * the scanner offers it and it wants, read, then discover over all facts), without the rest of
 * the scan. Walks into every folder but `.git`: what the scanner keeps from indexers under
 * `node_modules` (nothing) is its rule, not an ignore list's.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic, JsonValue } from "@rtt/core";
import { wantedBy } from "../indexing.ts";
import { inProject, projectsOf } from "../project-namespaces.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer } from "./indexer.ts";
import { indexInput } from "./input.ts";
import { projectIndexer } from "./project-identity.ts";

const SKIPPED = new Set([".git"]);

function entriesUnder(root: string, rel = ""): IndexEntry[] {
  const found: IndexEntry[] = [];
  const dir = rel === "" ? root : join(root, rel);
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    const childRel = rel === "" ? dirent.name : `${rel}/${dirent.name}`;
    const abs = join(root, childRel);
    if (dirent.isDirectory()) {
      if (!SKIPPED.has(dirent.name)) found.push(...entriesUnder(root, childRel));
      continue;
    }
    const kind = dirent.isFIFO()
      ? "fifo"
      : dirent.isSocket()
        ? "socket"
        : dirent.isFile()
          ? "file"
          : undefined;
    if (kind !== undefined) found.push({ rel: childRel, abs, name: dirent.name, kind });
  }
  return found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** What `indexer` reads in every file of the tree at `root` it wants. */
async function readTree<F extends JsonValue>(
  indexer: Indexer<F>,
  root: string,
  limit: number,
): Promise<FileFacts<F>[]> {
  const files: FileFacts<F>[] = [];
  const failures: Diagnostic[] = [];
  const wanted = wantedBy([indexer], failures);
  for (const entry of entriesUnder(root)) {
    if (!wanted(entry)) continue;
    const facts = await indexer.read(indexInput(entry, lstatSync(entry.abs), limit));
    if (facts.length > 0) files.push({ rel: entry.rel, facts });
  }
  // `wants` throwing is the scanner's to report; a test of an indexer must not pass over it.
  if (failures.length > 0) throw new Error(failures.map((f) => f.message).join("\n"));
  return files;
}

/**
 * Every claim `indexer` makes on the tree at `root`, in its project's namespace as the scanner
 * addresses it (project-namespaces.ts), sorted by address then file and line.
 */
export async function indexTree<F extends JsonValue>(
  indexer: Indexer<F>,
  root: string,
  limit = 1 << 20,
): Promise<Discovery[]> {
  const files = await readTree(indexer, root, limit);
  const projectFiles = await readTree(projectIndexer, root, limit);
  const projects = projectsOf(projectFiles.map(({ rel, facts }) => [rel, facts]));
  return indexer
    .discover(files)
    .map((d) => inProject(d, projects))
    .sort(
      (a, b) =>
        a.contract.saddr.localeCompare(b.contract.saddr) ||
        a.provenance.file.localeCompare(b.provenance.file) ||
        a.provenance.line - b.provenance.line,
    );
}

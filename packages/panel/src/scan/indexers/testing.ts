/**
 * For indexer tests: run one indexer over a fixture folder the way the scanner does (every file
 * it wants, read, then discover over all facts), without the rest of the scan. Skips `.git` and
 * `node_modules` like the default ignore list.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { JsonValue } from "@rtt/core";
import type { Discovery, FileFacts, IndexEntry, Indexer } from "./indexer.ts";
import { indexInput } from "./input.ts";

const SKIPPED = new Set([".git", "node_modules"]);

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

/** Every claim `indexer` makes on the tree at `root`, sorted by address then file and line. */
export async function indexTree<F extends JsonValue>(
  indexer: Indexer<F>,
  root: string,
  limit = 1 << 20,
): Promise<Discovery[]> {
  const files: FileFacts<F>[] = [];
  for (const entry of entriesUnder(root)) {
    if (!indexer.wants(entry)) continue;
    const facts = await indexer.read(indexInput(entry, lstatSync(entry.abs), limit));
    if (facts.length > 0) files.push({ rel: entry.rel, facts });
  }
  return [...indexer.discover(files)].sort(
    (a, b) =>
      a.contract.saddr.localeCompare(b.contract.saddr) ||
      a.provenance.file.localeCompare(b.provenance.file) ||
      a.provenance.line - b.provenance.line,
  );
}

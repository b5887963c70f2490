/**
 * An IndexInput for one walked entry: stat'ed once, read only when and as far as the indexer
 * asks (a shebang sniff reads a few bytes, a parser the whole file), through the same safe
 * reader as manifests (non-blocking open, regular files only, byte limit, strict UTF-8).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { readCandidate } from "../read-candidate.ts";
import type { IndexEntry, IndexInput } from "./indexer.ts";

const MAX_HEAD = 4096;

function readHead(abs: string, bytes: number): Buffer {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) return Buffer.alloc(0);
    const buffer = Buffer.alloc(Math.min(Math.max(bytes, 0), MAX_HEAD));
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The input for `entry`, whose stat is `stats`; `limit` bounds `text()` (scan.max_manifest_bytes). */
export function indexInput(entry: IndexEntry, stats: Stats, limit: number): IndexInput {
  const regular = stats.isFile();
  let head: Buffer | undefined;
  let text: string | undefined;
  return {
    ...entry,
    mode: stats.mode,
    size: stats.size,
    head(bytes = 1024) {
      if (!regular) return Buffer.alloc(0);
      if (head === undefined || head.length < Math.min(bytes, stats.size, MAX_HEAD)) {
        head = readHead(entry.abs, bytes);
      }
      return head.subarray(0, bytes);
    },
    text() {
      text ??= readCandidate(entry.abs, entry.rel, limit);
      return text;
    },
  };
}

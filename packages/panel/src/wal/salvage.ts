/**
 * `rtt panel start --salvage` for the WAL (issue 15, finding 6): a WAL damaged before its tail is
 * refused at open (RTT_ERR_WAL_CORRUPT: records after the damage are not trusted). Salvage keeps
 * every record up to the last one that verifies and drops the rest — never deleting anything:
 * the damaged segment is copied, and every later segment moved, into `wal.damaged-<time>/`
 * beside the WAL before the good prefix replaces the damaged segment (atomically). It says what
 * it kept and dropped: seqs and bytes. Run with the panel stopped; it takes the WAL's lock.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readStateBytes } from "@rtt/connector-sdk";
import { fsyncPath, writeFileAtomic } from "../workspace/atomic-write.ts";
import { acquireDirLock } from "./lock.ts";
import { decodeRecord } from "./record.ts";
import { readWal, SEGMENT_RE, type TailCut } from "./segments.ts";

export interface DroppedPart {
  readonly segment: string;
  /** Where the dropped bytes began in the segment (0: the whole segment). */
  readonly offset: number;
  readonly bytes: number;
  /** Why the records stop being trusted there (checksum, sequence, …). */
  readonly reason: string;
}

export interface WalSalvage {
  /** False when the WAL had nothing to drop (then nothing was touched). */
  readonly damaged: boolean;
  readonly kept: { readonly records: number; readonly lastSeq: number; readonly bytes: number };
  readonly dropped: {
    readonly bytes: number;
    /** Seqs of intact records found in the dropped bytes (not trusted: they follow the damage). */
    readonly seqs: readonly number[];
    readonly parts: readonly DroppedPart[];
  };
  /** The folder holding the damaged originals; undefined when nothing was damaged. */
  readonly aside: string | undefined;
}

/** `2026-12-06T20-31-05-123Z`: a timestamp usable in a file name. */
export function fileStamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, "-");
}

/** Salvages the WAL in `dir` (see the top of this file). */
export function salvageWal(dir: string, now: Date = new Date()): WalSalvage {
  if (!existsSync(dir)) return report(dir, undefined, [], []);
  const lock = acquireDirLock(join(dir, "LOCK"));
  try {
    const read = readWal(dir, { salvage: true });
    const cuts = [...(read.tail === undefined ? [] : [read.tail]), ...read.salvaged];
    if (cuts.length === 0) return report(dir, undefined, [], []);
    const aside = join(dirname(dir), `${basename(dir)}.damaged-${fileStamp(now)}`);
    mkdirSync(aside, { mode: 0o700 });
    const parts: DroppedPart[] = [];
    const seqs: number[] = [];
    for (const cut of cuts) {
      const { part, found } = setAside(dir, aside, cut);
      parts.push(part);
      seqs.push(...found);
    }
    fsyncPath(aside);
    fsyncPath(dir);
    return report(dir, aside, parts, seqs);
  } finally {
    lock.release();
  }
}

/**
 * Puts the damaged part of one segment aside: a segment dropped whole (or from its first byte)
 * is moved, a damaged one copied and then replaced by its good prefix.
 */
function setAside(
  dir: string,
  aside: string,
  cut: TailCut,
): { part: DroppedPart; found: number[] } {
  const path = join(dir, cut.segment);
  const buf = readStateBytes(path);
  const offset = Math.max(cut.offset, 0);
  const found = intactSeqs(buf, offset);
  const part = { segment: cut.segment, offset, bytes: buf.length - offset, reason: cut.reason };
  if (offset === 0) {
    renameSync(path, join(aside, cut.segment));
  } else {
    writeFileAtomic(join(aside, cut.segment), buf, 0o600);
    writeFileAtomic(path, buf.subarray(0, offset), 0o600);
  }
  return { part, found };
}

/** The seqs of the intact records anywhere in `buf` from `from` on. */
function intactSeqs(buf: Buffer, from: number): number[] {
  const seqs: number[] = [];
  for (let y = from; y < buf.length; ) {
    const d = decodeRecord(buf, y);
    if (d.ok) {
      seqs.push(d.record.seq);
      y += d.size;
    } else y++;
  }
  return seqs;
}

function report(
  dir: string,
  aside: string | undefined,
  parts: readonly DroppedPart[],
  seqs: readonly number[],
): WalSalvage {
  const kept = existsSync(dir) ? readWal(dir).records : [];
  const bytes = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => SEGMENT_RE.test(n))
        .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0)
    : 0;
  return {
    damaged: aside !== undefined,
    kept: { records: kept.length, lastSeq: kept.at(-1)?.seq ?? 0, bytes },
    dropped: { bytes: parts.reduce((sum, p) => sum + p.bytes, 0), seqs, parts },
    aside,
  };
}

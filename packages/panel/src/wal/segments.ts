/**
 * The WAL's segment files (`wal-<first seq, 16 hex>.log`) and reading them back: every segment in
 * order, each record's seq checked to follow the one before, a torn tail told apart from damage
 * in the middle. Reading never modifies anything; `Wal.open` (`wal.ts`) acts on what it finds.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readStateBytes } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { decodeRecord, HEADER_BYTES, type WalRecord } from "./record.ts";

export const SEGMENT_RE = /^wal-([0-9a-f]{16})\.log$/;

export const segmentName = (firstSeq: number) =>
  `wal-${firstSeq.toString(16).padStart(16, "0")}.log`;

export interface TailCut {
  readonly segment: string;
  /** Byte offset the segment was (or would be) truncated to. */
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

export interface WalRead {
  readonly records: readonly WalRecord[];
  readonly segments: readonly string[];
  /** A torn or damaged tail that replay ignores (and `Wal.open` truncates away). */
  readonly tail: TailCut | undefined;
  /** With `salvage`: damage in the middle, ignored with everything after it. */
  readonly salvaged: readonly TailCut[];
}

export interface ReadOptions {
  /**
   * Treat damage before the tail like a torn tail: keep what precedes it, drop the rest. Off by
   * default: such damage is RTT_ERR_WAL_CORRUPT, because records after it are not trusted.
   */
  readonly salvage?: boolean;
}

/** Reads every segment of `dir` in order; never modifies anything. */
export function readWal(dir: string, options: ReadOptions = {}): WalRead {
  const names = segmentNames(dir);
  if (names === undefined) return { records: [], segments: [], tail: undefined, salvaged: [] };
  const records: WalRecord[] = [];
  let prevSeq = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? "";
    const buf = readStateBytes(join(dir, name));
    const read = readSegment(buf, Number.parseInt(name.slice(4, 20), 16), prevSeq, records);
    prevSeq = read.lastSeq;
    if (read.damage === undefined) continue;
    const cut: TailCut = {
      segment: name,
      offset: read.end,
      bytes: buf.length - read.end,
      reason: read.damage,
    };
    const later = names.slice(i + 1);
    const tornTail = i === names.length - 1 && !intactRecordAfter(buf, read.end, prevSeq);
    if (tornTail) return { records, segments: names, tail: cut, salvaged: [] };
    if (options.salvage !== true) throw damagedInTheMiddle(join(dir, name), cut, later, prevSeq);
    const salvaged = [
      cut,
      ...later.map((l) => ({ segment: l, offset: 0, bytes: -1, reason: "after damage" })),
    ];
    return { records, segments: names, tail: undefined, salvaged };
  }
  return { records, segments: names, tail: undefined, salvaged: [] };
}

/** The segment files of `dir` in order; undefined when there is no such folder. */
function segmentNames(dir: string): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => SEGMENT_RE.test(n));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return names.sort();
}

interface SegmentRead {
  /** Where reading stopped: the segment's length, or where the damage starts. */
  readonly end: number;
  /** The seq of the last record read, in this segment or an earlier one. */
  readonly lastSeq: number;
  /** Why reading stopped before the end; undefined when the whole segment was read. */
  readonly damage: string | undefined;
}

/**
 * Decodes one segment's records onto `records`, each one's seq checked to follow the one before
 * (`prevSeq`, the last of the previous segment; 0 for none) and the first to match the name's.
 */
function readSegment(
  buf: Buffer,
  nameSeq: number,
  prevSeq: number,
  records: WalRecord[],
): SegmentRead {
  let off = 0;
  let lastSeq = prevSeq;
  while (off < buf.length) {
    const d = decodeRecord(buf, off);
    if (!d.ok) return { end: off, lastSeq, damage: d.reason };
    const want = off === 0 ? nameSeq : lastSeq + 1;
    // A segment that opens with a checkpoint supersedes everything before it, so segments a
    // crash kept from compaction's deletes (gap or not) are read and dropped.
    const checkpoint = off === 0 && d.record.type === "checkpoint" && d.record.seq === nameSeq;
    if (checkpoint) records.length = 0;
    else if (d.record.seq !== want || (off === 0 && lastSeq !== 0 && nameSeq !== lastSeq + 1))
      return { end: off, lastSeq, damage: `sequence ${d.record.seq} where ${want} was expected` };
    records.push(d.record);
    lastSeq = d.record.seq;
    off += d.size;
  }
  return { end: off, lastSeq, damage: undefined };
}

function damagedInTheMiddle(
  path: string,
  cut: TailCut,
  later: readonly string[],
  prevSeq: number,
): RttError {
  return new RttError(
    "RTT_ERR_WAL_CORRUPT",
    `WAL ${path} is damaged at byte ${cut.offset} (${cut.reason}) with ${
      later.length > 0 ? `${later.length} later segment(s)` : "intact records"
    } after it; records after seq ${prevSeq} are not trusted`,
    {
      hint: "`rtt panel start --salvage` keeps the records before the damage and moves the damaged files aside (never deleted); or restore .rtt/wal from a backup",
    },
  );
}

/** Is there an intact record with a later seq anywhere after `from`? Then it is not a torn tail. */
function intactRecordAfter(buf: Buffer, from: number, prevSeq: number): boolean {
  for (let y = from + 1; y + HEADER_BYTES < buf.length; y++) {
    const d = decodeRecord(buf, y);
    if (d.ok && d.record.seq > prevSeq) return true;
  }
  return false;
}

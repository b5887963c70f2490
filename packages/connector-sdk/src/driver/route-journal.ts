/**
 * A `buffer` route's bytes outside the driver (ADR 0016): what survives a kill -9 of the
 * driver that carries the route, so its successor delivers what the crash left in flight.
 *
 * Two files in the route's journal directory (the `qos.journal` Open param), one writer each:
 *
 * - `seg-<offset>`: the source end's journal. Every byte the source program wrote, appended as
 *   it is read (one write(2) per read, the first thing done with it: a kill -9 between the read
 *   and the journal is a window of a function call), so a position in the program's output
 *   stream is a position in the journal. Each message goes out with its end offset as the
 *   frame's correlation id. Segments roll at SEGMENT_BYTES (wherever the read ended); one is
 *   deleted once the one after it is also wholly before the delivered mark (a segment of slack
 *   for a mark that goes back): renamed out of the journal at once, and unlinked on libuv's
 *   pool, since freeing 4 MiB of page cache stops the caller for milliseconds — a paced route's
 *   tail. A leftover (`gone-<offset>`, the driver died first) is deleted by the next open.
 *   When a program's stream is abandoned (a new program, not adopted), the unfinished message
 *   it left is cut off (`seal`), so the next program's first message never continues it.
 * - `delivered`: the target end's mark — the end offset of the last message its connector took
 *   (a process's stdin pipe has the bytes), written after each one. A target whose program
 *   ends without acknowledging what it took (ADR 0024) puts it back where it was at its open.
 *   16 bytes: the offset (u64) and MARK_FORMAT, so that with the native addon each mark is one
 *   aligned 8-byte store into a MAP_SHARED mapping of the file (no system call, never torn);
 *   without it, one 16-byte pwrite. A mark of the first format (the offset, then the offset XOR
 *   MARK_CHECK; written by earlier versions) is still read.
 *
 * The page cache keeps both across the death of the process that wrote them (not across a
 * kernel crash: nothing here is fsynced). A successor replays [delivered, end): at-least-once,
 * the one message a crash can land between the target's write and its mark may come twice.
 *
 * The journal also bounds the route: once `bound` messages are appended and not yet marked,
 * the source stops reading its program (`full`), so at most the route's `buffer` messages are
 * in flight between the two programs, and all of them are in the journal.
 *
 * One source end owns a journal at a time (`owner`: pid + start time): a second one opened
 * while the first lives — a route being replaced — runs unjournaled, and says so. A journal
 * written for another source symbol (the route now starts elsewhere) is not replayed: its
 * bytes are the other program's messages, so the new source starts where it ended.
 */
import {
  closeSync,
  constants,
  ftruncateSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlink,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { RttError } from "@rtt/core";
import { type MappedFile, mapFile } from "@rtt/fabric";
import { writeFileAtomic } from "../files/atomic-write.ts";
import { PRIVATE_FILE_MODE, privateDir } from "../files/private-state.ts";
import { isProcessRef, type ProcessRef, processRef, sameProcess } from "../process-identity.ts";
import { openStateFile, readStateBytes, readStateFile } from "../state-files.ts";

/** How a journal file is opened: never through a link (ADR 0021), made private (ADR 0022). */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;

/** A segment is closed once it holds this much; later bytes go to the next. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
const SEGMENT = /^seg-(\d{16})$/;
/** A segment taken out of the journal, its unlink still to come (or cut short by a crash). */
const GONE = /^gone-\d{16}$/;
const MARK_FILE = "delivered";
const OWNER_FILE = "owner.json";
/** The source symbol the journal's bytes came from. */
const SOURCE_FILE = "journal-source";
/** The first format's check word: the offset XOR this, so a torn or foreign file is not trusted. */
const MARK_CHECK = 0x5254_544a_4e4c_4d4bn;
/**
 * The second word of a mark whose first word alone is the offset (a foreign file is not
 * trusted). Its XOR with MARK_CHECK is above 2^53, so no safe offset reads as both formats.
 */
const MARK_FORMAT = 0x3256_4b52_414d_4a52n;
const MARK_BYTES = 16;

function segmentName(start: number, prefix: "seg" | "gone" = "seg"): string {
  return `${prefix}-${String(start).padStart(16, "0")}`;
}

/** The delivered mark in `dir`: 0 when there is none yet, or it cannot be read whole. */
export function readDeliveredMark(dir: string): number {
  let bytes: Buffer;
  try {
    bytes = readStateBytes(join(dir, MARK_FILE));
  } catch {
    return 0;
  }
  return parseMark(bytes);
}

/**
 * Unlinks `path` on libuv's pool. A failure leaves a `gone-` file, which no reader takes for a
 * segment and the next open deletes again: nobody to tell, nothing lost.
 */
function unlinkLater(path: string): void {
  unlink(path, () => {});
}

/** A mark file's bytes as an offset: 0 unless they are a whole mark of either format. */
export function parseMark(bytes: Uint8Array): number {
  if (bytes.length !== MARK_BYTES) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, MARK_BYTES);
  const offset = view.getBigUint64(0, true);
  const check = view.getBigUint64(8, true);
  if (check !== MARK_FORMAT && check !== (offset ^ MARK_CHECK)) return 0;
  return offset > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(offset);
}

/** The target end's side: records the end offset of each message its connector took. */
export class DeliveredMark {
  readonly #dir: string;
  readonly #fd: number;
  readonly #buffer = Buffer.alloc(MARK_BYTES);
  /** The mark file mapped (the native addon): its offset word, stored once a message. */
  readonly #mapping: MappedFile | undefined;
  readonly #word: BigUint64Array | undefined;
  /** The mark when this end opened: the last one its program can be said to have acknowledged. */
  readonly #acked: number;
  /** The last mark this end wrote. */
  #last: number | undefined;
  #closed = false;

  constructor(dir: string) {
    privateDir(dir);
    this.#dir = dir;
    this.#acked = readDeliveredMark(dir);
    this.#fd = openMark(dir);
    try {
      // The file in the second format, whole, before its offset word is stored alone.
      writeMark(this.#fd, this.#buffer, this.#acked);
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
    this.#mapping = mappedMark(this.#fd);
    this.#word =
      this.#mapping === undefined ? undefined : new BigUint64Array(this.#mapping.buffer, 0, 1);
  }

  record(offset: number): void {
    if (this.#closed) return;
    if (this.#word === undefined) writeMark(this.#fd, this.#buffer, offset);
    // One aligned 8-byte store: a kill -9 leaves the old mark or the new, never half of each.
    else Atomics.store(this.#word, 0, BigInt(offset));
    this.#last = offset;
  }

  /**
   * This end's program ended without acknowledging what it took (ADR 0024: it did not exit 0
   * after EOF): the mark goes back to where it was when this end opened, so the next source
   * link's replay delivers those messages again. Not when another end of the route has marked
   * since (a move's new target): its marks are its own. Returns the mark, or undefined.
   */
  rewind(): number | undefined {
    if (this.#closed || this.#last === undefined) return undefined;
    if (readDeliveredMark(this.#dir) !== this.#last) return undefined;
    this.record(this.#acked);
    return this.#acked;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mapping?.close();
    closeSync(this.#fd);
  }
}

/**
 * The mark file mapped, or undefined where it cannot be (no addon, or an mmap the file system
 * or a sandbox refuses): then each mark is a pwrite, slower but the same guarantee.
 */
function mappedMark(fd: number): MappedFile | undefined {
  try {
    return mapFile(fd, MARK_BYTES);
  } catch {
    return undefined;
  }
}

/** Not O_APPEND: each mark overwrites the one before, at offset 0. */
function openMark(dir: string): number {
  return openStateFile(
    join(dir, MARK_FILE),
    constants.O_RDWR | constants.O_CREAT,
    PRIVATE_FILE_MODE,
  );
}

/** MARK_FORMAT's low and high 32-bit words: a mark is written without a BigInt per message. */
const MARK_FORMAT_LO = Number(MARK_FORMAT & 0xffff_ffffn);
const MARK_FORMAT_HI = Number(MARK_FORMAT >> 32n);
const TWO_32 = 2 ** 32;

/** A whole mark in the second format, by one pwrite. */
function writeMark(fd: number, buffer: Buffer, offset: number): void {
  // An offset is a safe integer: its two 32-bit words are exact as Numbers.
  const lo = offset % TWO_32;
  const hi = (offset - lo) / TWO_32;
  buffer.writeUInt32LE(lo, 0);
  buffer.writeUInt32LE(hi, 4);
  buffer.writeUInt32LE(MARK_FORMAT_LO, 8);
  buffer.writeUInt32LE(MARK_FORMAT_HI, 12);
  writeSync(fd, buffer, 0, MARK_BYTES, 0);
}

/** The live process that owns the journal in `dir`, if any. */
function liveOwner(dir: string): ProcessRef | undefined {
  let owner: unknown;
  try {
    owner = JSON.parse(readStateFile(join(dir, OWNER_FILE)));
  } catch {
    return undefined;
  }
  return isProcessRef(owner) && sameProcess(owner) ? owner : undefined;
}

/** Owners within this process: a pid check cannot tell two links of one driver apart. */
const ownedHere = new Set<string>();

/** The source end's side. */
export class RouteJournal {
  readonly dir: string;
  /** Messages appended and not yet marked delivered at which `full` says stop reading. */
  readonly bound: number;
  /** Segment start offsets, ascending; the last one is being written. */
  readonly #segments: number[];
  #fd: number;
  #end: number;
  #delivered: number;
  /** End offsets of the messages noted since the mark, ascending. */
  #unacked: number[] = [];
  #unackedHead = 0;
  #closed = false;
  #resumed = false;

  private constructor(dir: string, bound: number, segments: number[], end: number) {
    this.dir = dir;
    this.bound = bound;
    this.#segments = segments;
    this.#end = end;
    this.#delivered = Math.min(readDeliveredMark(dir), end);
    this.#fd = openStateFile(
      join(dir, segmentName(segments.at(-1) as number)),
      APPEND,
      PRIVATE_FILE_MODE,
    );
  }

  /**
   * Takes the journal in `dir` for this source end, or says who holds it: a live source end in
   * this or another process (then this end runs unjournaled).
   */
  static open(
    dir: string,
    bound: number,
    source: string,
  ): RouteJournal | { readonly busy: string } {
    if (!Number.isSafeInteger(bound) || bound < 1)
      throw new RttError("RTT_ERR_DRIVER_CALL", `route journal: bound ${bound}; expected >= 1`);
    privateDir(dir);
    if (ownedHere.has(dir)) return { busy: `another link of this driver (pid ${process.pid})` };
    const owner = liveOwner(dir);
    if (owner !== undefined && owner.pid !== process.pid)
      return { busy: `the source end in pid ${owner.pid}` };
    writeFileAtomic(
      join(dir, OWNER_FILE),
      JSON.stringify(processRef("self")),
      PRIVATE_FILE_MODE,
      false,
    );
    ownedHere.add(dir);
    try {
      const journal = RouteJournal.#load(dir, bound);
      journal.#adoptSource(source);
      return journal;
    } catch (error) {
      ownedHere.delete(dir);
      rmSync(join(dir, OWNER_FILE), { force: true });
      throw error;
    }
  }

  static #load(dir: string, bound: number): RouteJournal {
    const names = readdirSync(dir);
    for (const name of names) if (GONE.test(name)) unlinkLater(join(dir, name));
    const segments = names
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((start): start is string => start !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    if (segments.length === 0) segments.push(0);
    const last = segments.at(-1) as number;
    let size = 0;
    try {
      size = statSync(join(dir, segmentName(last))).size;
    } catch {
      // Not written yet.
    }
    return new RouteJournal(dir, bound, segments, last + size);
  }

  /** Another source's bytes are not this one's to replay: all of them count as delivered. */
  #adoptSource(source: string): void {
    let previous: string | undefined;
    try {
      previous = readStateFile(join(this.dir, SOURCE_FILE));
    } catch {
      // A new journal.
    }
    if (previous !== undefined && previous !== source && this.#delivered < this.#end) {
      const fd = openMark(this.dir);
      try {
        writeMark(fd, Buffer.alloc(MARK_BYTES), this.#end);
      } finally {
        closeSync(fd);
      }
      this.#delivered = this.#end;
      this.#trim(this.#end);
    }
    this.#resumed = previous === source && this.#end > 0;
    if (previous !== source)
      writeFileAtomic(join(this.dir, SOURCE_FILE), source, PRIVATE_FILE_MODE, false);
  }

  /**
   * It holds this source's bytes from an earlier open (a driver crash, a panel restart): its
   * route takes the source's stream up from where its journal left off.
   */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** The stream offset just past the last journaled byte. */
  get end(): number {
    return this.#end;
  }

  /** The delivered mark as last read. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Messages noted and not yet marked delivered. */
  get unacked(): number {
    return this.#unacked.length - this.#unackedHead;
  }

  /** As many messages in flight as the route may have: stop reading the program. */
  get full(): boolean {
    return this.unacked >= this.bound;
  }

  /**
   * What a predecessor journaled and its target never marked: [delivered, end), or from the
   * oldest byte still kept when the mark went back (an old target still draining after a swap).
   */
  undelivered(): { readonly from: number; readonly bytes: Uint8Array; readonly atMark: boolean } {
    const from = Math.max(this.#delivered, this.#segments[0] as number);
    const out = Buffer.allocUnsafe(this.#end - from);
    let at = 0;
    for (let i = 0; i < this.#segments.length; i++) {
      const start = this.#segments[i] as number;
      const next = this.#segments[i + 1] ?? this.#end;
      if (next <= from) continue;
      const fd = openStateFile(join(this.dir, segmentName(start)), constants.O_RDONLY);
      try {
        const skip = Math.max(0, from - start);
        const want = next - start - skip;
        let got = 0;
        while (got < want) {
          const n = readSync(fd, out, at + got, want - got, skip + got);
          if (n === 0) break;
          got += n;
        }
        at += got;
      } finally {
        closeSync(fd);
      }
    }
    // Below the oldest segment, the replay starts where that segment does: maybe mid-message.
    return { from, bytes: out.subarray(0, at), atMark: from === this.#delivered };
  }

  /** Journals bytes the program wrote, as read; returns the new end. */
  append(bytes: Uint8Array): number {
    this.#assertOpen();
    let written = 0;
    while (written < bytes.length)
      written += writeSync(this.#fd, bytes, written, bytes.length - written);
    this.#end += bytes.length;
    if (this.#end - (this.#segments.at(-1) as number) >= SEGMENT_BYTES) {
      closeSync(this.#fd);
      this.#segments.push(this.#end);
      this.#fd = openStateFile(join(this.dir, segmentName(this.#end)), APPEND, PRIVATE_FILE_MODE);
    }
    return this.#end;
  }

  /**
   * Cuts off what follows `boundary` (a message end): the unfinished message of a program
   * whose stream is abandoned, so the next program's bytes start at a message.
   */
  seal(boundary: number): void {
    this.#assertOpen();
    if (boundary >= this.#end) return;
    // The segment the boundary falls in (a roll may have come after it, mid-message).
    const at = this.#segments.findLastIndex((start) => start <= boundary);
    if (at < 0)
      throw new RttError(
        "RTT_ERR_DRIVER_LINK",
        `route journal ${this.dir}: cannot seal at ${boundary}, before its oldest segment (${this.#segments[0]})`,
      );
    const start = this.#segments[at] as number;
    closeSync(this.#fd);
    for (const later of this.#segments.splice(at + 1))
      rmSync(join(this.dir, segmentName(later)), { force: true });
    this.#fd = openStateFile(join(this.dir, segmentName(start)), APPEND, PRIVATE_FILE_MODE);
    ftruncateSync(this.#fd, boundary - start);
    this.#end = boundary;
  }

  /** A message that ends at `end` is on its way: it counts against the bound until marked. */
  note(end: number): void {
    this.#unacked.push(end);
  }

  /** Reads the mark again: forgets what it covers and deletes segments wholly before it. */
  refresh(): void {
    if (this.#closed) return;
    const mark = readDeliveredMark(this.dir);
    // A mark that went back (an old target still draining) only means more to replay later.
    if (mark > this.#delivered) this.#delivered = Math.min(mark, this.#end);
    while (
      this.#unackedHead < this.#unacked.length &&
      (this.#unacked[this.#unackedHead] as number) <= this.#delivered
    )
      this.#unackedHead++;
    if (this.#unackedHead > 1024 && this.#unackedHead * 2 > this.#unacked.length) {
      this.#unacked = this.#unacked.slice(this.#unackedHead);
      this.#unackedHead = 0;
    }
    this.#trim(mark);
  }

  #trim(mark: number): void {
    while (this.#segments.length > 2 && (this.#segments[2] as number) <= mark) {
      const start = this.#segments.shift() as number;
      // Out of the journal now (a reopen never counts it as a segment); freed in the background.
      const gone = join(this.dir, segmentName(start, "gone"));
      try {
        renameSync(join(this.dir, segmentName(start)), gone);
      } catch (error) {
        // Already deleted: nothing to free.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      unlinkLater(gone);
    }
  }

  /** Releases the journal (its files stay for the next source end of the route). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
    ownedHere.delete(this.dir);
    rmSync(join(this.dir, OWNER_FILE), { force: true });
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new RttError("RTT_ERR_DRIVER_LINK", `route journal ${this.dir} is closed`);
  }
}

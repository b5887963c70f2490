/**
 * A JetStream consumer feeding a journaled route (ADR 0016, docs/adr/0032-nats-bus.md): each
 * message is appended to the route's journal as a record — its stream sequence, its length, its
 * bytes — before it is acked, and goes out with the record's end offset as its correlation id
 * (what the target's delivered mark records). A restart replays the journal's undelivered
 * records first.
 *
 * A message JetStream sends again (the driver died between the journal and the ack, an ack was
 * lost with the server) is recognised by its sequence and dropped. Sequences need not arrive in
 * order: a message JetStream sends again after `ack_wait` comes behind newer ones, and one that
 * was never journaled must then be taken, so a highest-sequence mark will not do. The end keeps,
 * in its state folder, exactly which sequences it journaled: a floor (the consumer's ack floor as
 * JetStream last reported it: everything at or below it was acked, so journaled) and every
 * sequence above it, appended one by one and compacted when the floor moves.
 */
import { closeSync, constants, writeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  openStateFile,
  PRIVATE_FILE_MODE,
  privateDir,
  type RxMessage,
  readStateBytes,
  type SourceJournal,
  writeFileAtomic,
} from "@rtt/connector-sdk";

/** A record's header: u32 length, u64 stream sequence (big-endian). */
const HEADER = 12;
/** How often a full journal's delivered mark is read again. */
const ROOM_POLL_MS = 2;
/** Messages between two reads of the mark while the journal has room (keeps it trimmed). */
const REFRESH_EVERY = 128;
/** The state file of the sequences journaled: u64 floor, then u64 sequences (big-endian). */
const JOURNALED_FILE = "nats-journaled";

export function encodeRecord(seq: number, data: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER + data.length);
  out.writeUInt32BE(data.length, 0);
  out.writeBigUInt64BE(BigInt(seq), 4);
  out.set(data, HEADER);
  return out;
}

/** The whole records in `bytes` (journal offset `from`), and where the last whole one ends. */
export function decodeRecords(
  bytes: Uint8Array,
  from: number,
): { readonly records: { seq: number; message: RxMessage }[]; readonly boundary: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const records: { seq: number; message: RxMessage }[] = [];
  let at = 0;
  while (buf.length - at >= HEADER) {
    const length = buf.readUInt32BE(at);
    const end = at + HEADER + length;
    if (end > buf.length) break;
    records.push({
      seq: Number(buf.readBigUInt64BE(at + 4)),
      message: { payload: buf.subarray(at + HEADER, end), correlation: from + end },
    });
    at = end;
  }
  return { records, boundary: from + at };
}

export class JournaledSource {
  readonly #journal: SourceJournal;
  readonly #log: (line: string) => void;
  readonly #seqPath: string;
  /** The state file, open for appending one sequence per message journaled. */
  #seqFd: number;
  /** Every sequence at or below it was journaled (JetStream's ack floor, last reported). */
  #floor = 0;
  /** The sequences above the floor that were journaled. */
  readonly #above = new Set<number>();
  #sinceRefresh = 0;
  readonly #record = Buffer.alloc(8);
  #closed = false;

  constructor(journal: SourceJournal, stateDir: string, log: (line: string) => void) {
    this.#journal = journal;
    this.#log = log;
    privateDir(stateDir);
    this.#seqPath = join(stateDir, JOURNALED_FILE);
    // Missing, or torn by a crash mid-append: written whole again, so every 8 bytes after the
    // floor stay one sequence.
    this.#seqFd = this.#recall() ? this.#openForAppend() : this.#rewrite();
  }

  /** Whether the message of this sequence was journaled before (this link or an earlier one). */
  journaled(seq: number): boolean {
    return seq <= this.#floor || this.#above.has(seq);
  }

  /** What the journal holds that the target never marked, to go out before anything new. */
  replay(): RxMessage[] {
    const undelivered = this.#journal.undelivered();
    if (undelivered.bytes.length === 0) return [];
    if (!undelivered.atMark) {
      // The kept segments start mid-record: records cannot be found from there.
      this.#log(
        `the journal's delivered mark is before its oldest segment: ${undelivered.bytes.length} byte(s) not replayed`,
      );
      return [];
    }
    const { records, boundary } = decodeRecords(undelivered.bytes, undelivered.from);
    // A record cut short by a crash mid-append: its message was not acked, JetStream resends it.
    if (boundary < this.#journal.end) this.#journal.seal(boundary);
    for (const r of records) {
      // A crash between the journal's append and the sequence's left it out of the state file.
      this.#remember(r.seq);
      this.#journal.note(r.message.correlation);
    }
    return records.map((r) => r.message);
  }

  /** Waits while the route has as many messages in flight as it may. */
  async room(closed: () => boolean): Promise<void> {
    while (this.#journal.full && !closed()) {
      await sleep(ROOM_POLL_MS);
      this.#journal.refresh();
    }
  }

  /** Journals a message; undefined when its sequence was journaled before (a redelivery). */
  take(seq: number, data: Uint8Array): RxMessage | undefined {
    if (this.journaled(seq)) return undefined;
    const end = this.#journal.append(encodeRecord(seq, data));
    this.#remember(seq);
    this.#journal.note(end);
    if (++this.#sinceRefresh >= REFRESH_EVERY) {
      this.#sinceRefresh = 0;
      this.#journal.refresh();
    }
    return { payload: data, correlation: end };
  }

  /** How many sequences above the floor are kept (what the next ack floor may compact). */
  get kept(): number {
    return this.#above.size;
  }

  /**
   * JetStream's ack floor for the consumer: everything at or below it was acked, and this end
   * acks only what it journaled. The sequences it covers are forgotten and the file rewritten.
   */
  ackFloor(floor: number): void {
    // An ack floor asked for before close may be answered after it.
    if (this.#closed || !Number.isSafeInteger(floor) || floor <= this.#floor) return;
    this.#floor = floor;
    for (const seq of this.#above) if (seq <= floor) this.#above.delete(seq);
    closeSync(this.#seqFd);
    this.#seqFd = this.#rewrite();
  }

  close(): void {
    this.#closed = true;
    closeSync(this.#seqFd);
  }

  #remember(seq: number): void {
    if (this.journaled(seq)) return;
    this.#above.add(seq);
    this.#record.writeBigUInt64BE(BigInt(seq), 0);
    writeSync(this.#seqFd, this.#record, 0, 8);
  }

  /** Reads the floor and sequences the state file holds; false when it is missing or torn. */
  #recall(): boolean {
    let bytes: Buffer;
    try {
      bytes = readStateBytes(this.#seqPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
    if (bytes.length < 8) return false;
    this.#floor = Number(bytes.readBigUInt64BE(0));
    for (let at = 8; at + 8 <= bytes.length; at += 8) {
      const seq = Number(bytes.readBigUInt64BE(at));
      if (seq > this.#floor) this.#above.add(seq);
    }
    return bytes.length % 8 === 0;
  }

  /** Writes the file anew (whole or not at all) from what is known; its fd for appending. */
  #rewrite(): number {
    const bytes = Buffer.alloc(8 * (1 + this.#above.size));
    bytes.writeBigUInt64BE(BigInt(this.#floor), 0);
    let at = 8;
    for (const seq of this.#above) {
      bytes.writeBigUInt64BE(BigInt(seq), at);
      at += 8;
    }
    writeFileAtomic(this.#seqPath, bytes, PRIVATE_FILE_MODE, false);
    return this.#openForAppend();
  }

  #openForAppend(): number {
    return openStateFile(this.#seqPath, constants.O_WRONLY | constants.O_APPEND, PRIVATE_FILE_MODE);
  }
}

/**
 * A JetStream consumer feeding a journaled route (ADR 0016, docs/adr/0032-nats-bus.md): each
 * message is appended to the route's journal as a record — its stream sequence, its length, its
 * bytes — before it is acked, and goes out with the record's end offset as its correlation id
 * (what the target's delivered mark records). The highest sequence journaled is also kept in
 * the end's state folder, so a message JetStream delivers again (the driver died between the
 * journal and the ack) is recognised and dropped, and a restart replays the journal's
 * undelivered records first.
 */
import { closeSync, constants, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  openStateFile,
  PRIVATE_FILE_MODE,
  privateDir,
  type RxMessage,
  type SourceJournal,
} from "@rtt/connector-sdk";

/** A record's header: u32 length, u64 stream sequence (big-endian). */
const HEADER = 12;
/** How often a full journal's delivered mark is read again. */
const ROOM_POLL_MS = 2;
/** Messages between two reads of the mark while the journal has room (keeps it trimmed). */
const REFRESH_EVERY = 128;

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
  /** The state file holding the highest sequence journaled (8 bytes). */
  readonly #seqFd: number;
  #lastSeq: number;
  #sinceRefresh = 0;

  constructor(journal: SourceJournal, stateDir: string, log: (line: string) => void) {
    this.#journal = journal;
    this.#log = log;
    privateDir(stateDir);
    this.#seqFd = openStateFile(
      join(stateDir, "nats-last-seq"),
      constants.O_RDWR | constants.O_CREAT,
      PRIVATE_FILE_MODE,
    );
    const stored = Buffer.alloc(8);
    this.#lastSeq =
      readSync(this.#seqFd, stored, 0, 8, 0) === 8 ? Number(stored.readBigUInt64BE(0)) : 0;
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
      this.#lastSeq = Math.max(this.#lastSeq, r.seq);
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
    if (seq <= this.#lastSeq) return undefined;
    const end = this.#journal.append(encodeRecord(seq, data));
    this.#lastSeq = seq;
    const stored = Buffer.alloc(8);
    stored.writeBigUInt64BE(BigInt(seq), 0);
    writeSync(this.#seqFd, stored, 0, 8, 0);
    this.#journal.note(end);
    if (++this.#sinceRefresh >= REFRESH_EVERY) {
      this.#sinceRefresh = 0;
      this.#journal.refresh();
    }
    return { payload: data, correlation: end };
  }

  close(): void {
    closeSync(this.#seqFd);
  }
}

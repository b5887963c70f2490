/**
 * The outbound pump's batches (outbound-pump.ts): the rx chunks ready at one moment, packed into
 * one batch frame's payload (FrameFlag.BATCH, @rtt/fabric's frame/batch.ts) for a lane whose
 * reader takes them. Nagle-off: a batch is only what was ready; nothing waits to fill one.
 */
import {
  BATCH_MAX_MESSAGES,
  batchEntrySize,
  decodeBatch,
  encodeBatchEntry,
  FrameFlag,
  type LaneWriter,
} from "@rtt/fabric";
import type { RxMessage } from "./define-connector.ts";

export type RxItem = Uint8Array | RxMessage;

/** At most this many messages go in one batch frame (the format's bound). */
export const BATCH_MESSAGES = BATCH_MAX_MESSAGES;
/** A batch's payload stops growing here (a 64 KiB line is a frame of its own anyway). */
export const BATCH_BYTES = 64 * 1024;
/** A chunk longer than this goes in a frame of its own: batching it would only add a copy. */
export const BATCHED_CHUNK_MAX = 8 * 1024;

/**
 * Batches are cut from slabs of this size, never reused once cut: a lane that keeps a written
 * payload (a full shm ring's pending frame, an in-process queue) keeps its own bytes.
 */
const SLAB_BYTES = 256 * 1024;

export function chunkOf(item: RxItem): Uint8Array {
  return item instanceof Uint8Array ? item : item.payload;
}

export function correlationOf(item: RxItem): number {
  return item instanceof Uint8Array ? 0 : item.correlation;
}

/** A chunk that may share a frame with others. */
export function batchable(item: RxItem): boolean {
  return chunkOf(item).length <= BATCHED_CHUNK_MAX;
}

/** A batch frame's payload, and how much of it is already on a lane (see `written`). */
export class PackedBatch {
  readonly payload: Uint8Array;
  readonly count: number;
  /** The messages' own bytes (what bytesOut counts), without the batch's headers. */
  readonly bytes: number;
  /**
   * Messages already written one frame each, to a lane whose reader takes no batches (a Switch
   * moved the outbound there while the batch waited): a retry after a failed write goes on
   * from here, so none is written twice.
   */
  written = 0;

  constructor(payload: Uint8Array, count: number, bytes: number) {
    this.payload = payload;
    this.count = count;
    this.bytes = bytes;
  }

  /** Each message as (bytes, correlation), in order. */
  forEach(visit: (message: Uint8Array, correlation: number) => void): void {
    decodeBatch(this.payload, visit);
  }
}

/** Packs gathered chunks into batch payloads cut from a slab. */
export class BatchPacker {
  #slab = new Uint8Array(0);
  #at = 0;

  /** Bytes `item` adds to a batch payload. */
  static sizeOf(item: RxItem): number {
    return batchEntrySize(chunkOf(item).length);
  }

  /** One payload holding `items` in order; `size` is the sum of their sizeOf. */
  pack(items: readonly RxItem[], size: number): PackedBatch {
    if (this.#slab.length - this.#at < size) {
      this.#slab = new Uint8Array(Math.max(SLAB_BYTES, size));
      this.#at = 0;
    }
    const payload = this.#slab.subarray(this.#at, this.#at + size);
    this.#at += size;
    let at = 0;
    let bytes = 0;
    for (const item of items) {
      const chunk = chunkOf(item);
      at = encodeBatchEntry(payload, at, chunk, correlationOf(item));
      bytes += chunk.length;
    }
    return new PackedBatch(payload, items.length, bytes);
  }
}

/**
 * Writes `batch` to `out` as one frame when its reader takes batches; else (a Switch moved the
 * outbound to such a lane while the batch waited) its messages one frame each, from the first
 * not yet written. `counted(messages, bytes)` follows each frame written. Returns the lane's
 * room after the last write; a write that throws leaves `written` at the messages written.
 */
export function writeBatch(
  out: LaneWriter,
  batch: PackedBatch,
  flags: number,
  takesBatches: boolean,
  counted: (messages: number, bytes: number) => void,
): boolean {
  if (takesBatches && batch.written === 0) {
    const room = out.write(batch.payload, { flags: flags | FrameFlag.BATCH });
    counted(batch.count, batch.bytes);
    return room;
  }
  let room = true;
  let at = 0;
  batch.forEach((message, correlation) => {
    if (at++ < batch.written) return;
    room = out.write(message, { correlation, flags });
    batch.written++;
    counted(1, message.length);
  });
  return room;
}

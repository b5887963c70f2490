/**
 * A batch frame's payload (FrameFlag.BATCH, docs/design.md §Data plane: frames): the messages
 * a writer had ready at one moment, in order, each as
 *
 *    0                    4                              12               12+length
 *    +--------------------+-------------------------------+----------------+
 *    | length  u32        | correlation  u64 (lo, hi u32) | message bytes  |   then the next
 *    +--------------------+-------------------------------+----------------+
 *
 * One frame for many messages saves the per-frame work at both ends (header, CRC, ring slot,
 * the reader's copy) while each message keeps its own correlation id (a journaled route's
 * offsets). A payload is checked whole before any message is handed on, so a damaged batch
 * delivers none of its messages rather than some.
 */
import { RttError } from "@rtt/core";
import { MAX_SAFE_HI, TWO_POW_32 } from "./format.ts";
import { rd32, wr32 } from "./little-endian.ts";

/** Bytes in front of each message of a batch. */
export const BATCH_ENTRY_HEADER = 12;
/**
 * The most messages one batch may hold: a reader keeps room for one batch below its queue's
 * bound (a batch arrives whole, in one call), so the bound holds with batches too.
 */
export const BATCH_MAX_MESSAGES = 256;

function corrupt(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", `batch frame: ${message}`, {
    hint: "the bytes were damaged, or the writer's batch frames are not this version's",
  });
}

/** Bytes one message takes in a batch payload. */
export function batchEntrySize(length: number): number {
  return BATCH_ENTRY_HEADER + length;
}

/**
 * Writes one message (its header, then its bytes) at `offset` of `into`, which the caller has
 * sized with batchEntrySize; returns the offset after it. `correlation` is a safe integer >= 0.
 */
export function encodeBatchEntry(
  into: Uint8Array,
  offset: number,
  message: Uint8Array,
  correlation: number,
): number {
  wr32(into, offset, message.length);
  const lo = correlation % TWO_POW_32;
  wr32(into, offset + 4, lo);
  wr32(into, offset + 8, (correlation - lo) / TWO_POW_32);
  into.set(message, offset + BATCH_ENTRY_HEADER);
  return offset + BATCH_ENTRY_HEADER + message.length;
}

/**
 * Checks a whole batch payload and returns its message count (1 to BATCH_MAX_MESSAGES):
 * RTT_ERR_FRAME_CORRUPT for a batch of no messages or too many, a header cut short, a length
 * past the payload's end, or a correlation that is not a safe integer.
 */
export function checkBatch(payload: Uint8Array): number {
  if (payload.length === 0) throw corrupt("no messages");
  let at = 0;
  let count = 0;
  while (at < payload.length) {
    if (payload.length - at < BATCH_ENTRY_HEADER)
      throw corrupt(
        `message ${count + 1} at byte ${at}: ${payload.length - at} bytes left, a header is ${BATCH_ENTRY_HEADER}`,
      );
    const length = rd32(payload, at);
    if (rd32(payload, at + 8) > MAX_SAFE_HI)
      throw corrupt(`message ${count + 1} at byte ${at}: its correlation is not a safe integer`);
    at += BATCH_ENTRY_HEADER;
    if (length > payload.length - at)
      throw corrupt(
        `message ${count + 1} declares ${length} bytes, ${payload.length - at} are left in the frame`,
      );
    at += length;
    if (++count > BATCH_MAX_MESSAGES)
      throw corrupt(`more than ${BATCH_MAX_MESSAGES} messages (the most a batch may hold)`);
  }
  return count;
}

/**
 * Hands each message of a batch payload to `visit` in order, as a view of `payload`, after
 * checking the whole payload (checkBatch); returns the count.
 */
export function decodeBatch(
  payload: Uint8Array,
  visit: (message: Uint8Array, correlation: number) => void,
): number {
  const count = checkBatch(payload);
  let at = 0;
  while (at < payload.length) {
    const length = rd32(payload, at);
    const correlation = rd32(payload, at + 4) + rd32(payload, at + 8) * TWO_POW_32;
    at += BATCH_ENTRY_HEADER;
    visit(payload.subarray(at, at + length), correlation);
    at += length;
  }
  return count;
}

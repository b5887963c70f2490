/**
 * Reading frames (docs/design.md §Data plane: frames; the layout is in `format.ts`): the header
 * checks, in the order that keeps a damaged length from being believed, and `decodeFrame` for a
 * frame that arrives whole (a shm ring slot). `stream-decoder.ts` reuses the same checks for
 * byte streams.
 */
import { crc32 } from "node:zlib";
import { RttError } from "@rtt/core";
import {
  DEFAULT_MAX_PAYLOAD,
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  FRAME_TRAILER_SIZE,
  FRAME_VERSION,
  type Frame,
  FrameFlag,
  frameSize,
  KNOWN_TYPES,
  MAX_PAYLOAD_LIMIT,
  MAX_SAFE_HI,
  MAX_TYPE,
  TWO_POW_32,
} from "./format.ts";
import { headerCrc } from "./header-crc.ts";
import { rd16, rd32 } from "./little-endian.ts";

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, "0")}`;

function corrupt(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", message, {
    hint: "the bytes were damaged, or the peer does not speak RTT frames version 1",
  });
}

export function truncated(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_TRUNCATED", message);
}

export function checkMaxPayload(maxPayload: number): void {
  if (!Number.isInteger(maxPayload) || maxPayload < 0 || maxPayload > MAX_PAYLOAD_LIMIT) {
    throw new RangeError(
      `maxPayload must be an integer from 0 to ${MAX_PAYLOAD_LIMIT}; got ${maxPayload}`,
    );
  }
}

/**
 * Validates the 32 header bytes at `o` (which the caller has made sure exist) and returns the
 * whole frame's size. The CRC is checked before the length is believed; the length is checked
 * against `maxPayload` before anyone allocates or waits for it.
 */
export function checkHeader(b: Uint8Array, o: number, maxPayload: number): number {
  const magic = rd16(b, o);
  if (magic !== FRAME_MAGIC) {
    throw corrupt(`frame magic is ${hex(magic, 4)}, expected ${hex(FRAME_MAGIC, 4)} ("RT")`);
  }
  const version = b[o + 2] as number;
  if (version !== FRAME_VERSION) {
    throw corrupt(`frame version is ${version}, expected ${FRAME_VERSION}`);
  }
  const stored = rd32(b, o + 12);
  const computed = headerCrc(b, o);
  if (stored !== computed) {
    throw corrupt(
      `frame header CRC-32 is ${hex(stored, 8)}, expected ${hex(computed, 8)} (computed over the header)`,
    );
  }
  const type = b[o + 3] as number;
  if (type < 1 || type > MAX_TYPE) {
    throw corrupt(
      `frame type is ${type}, expected one of ${KNOWN_TYPES}; ${MAX_TYPE + 1}..255 are reserved`,
    );
  }
  const reserved = rd16(b, o + 6);
  if (reserved !== 0) {
    throw corrupt(`frame reserved field is ${hex(reserved, 4)}, expected 0`);
  }
  const seqHi = rd32(b, o + 20);
  if (seqHi > MAX_SAFE_HI) {
    throw corrupt(
      `frame seq high word is ${hex(seqHi, 8)}, expected at most ${hex(MAX_SAFE_HI, 8)} (a safe integer)`,
    );
  }
  const corrHi = rd32(b, o + 28);
  if (corrHi > MAX_SAFE_HI) {
    throw corrupt(
      `frame correlation high word is ${hex(corrHi, 8)}, expected at most ${hex(MAX_SAFE_HI, 8)} (a safe integer)`,
    );
  }
  const length = rd32(b, o + 8);
  if (length > maxPayload) {
    throw new RttError(
      "RTT_ERR_FRAME_OVERSIZED",
      `frame payload length is ${length} bytes, expected at most ${maxPayload} (this lane's maximum)`,
      { hint: "raise the lane's max payload, or split the message into smaller frames" },
    );
  }
  return frameSize(length, rd16(b, o + 4));
}

/**
 * Reads the frame whose checked header is at `o` and whose `size` bytes are all present. The
 * payload is a view into `b`.
 */
export function frameAt(b: Uint8Array, o: number, size: number): Frame {
  const flags = rd16(b, o + 4);
  const length = rd32(b, o + 8);
  const start = o + FRAME_HEADER_SIZE;
  const payload = b.subarray(start, start + length);
  if (flags & FrameFlag.PAYLOAD_CRC) {
    const stored = rd32(b, o + size - FRAME_TRAILER_SIZE);
    const computed = crc32(payload);
    if (stored !== computed) {
      throw corrupt(
        `frame payload CRC-32 is ${hex(stored, 8)}, expected ${hex(computed, 8)} (computed over ${length} payload bytes)`,
      );
    }
  }
  return {
    type: b[o + 3] as number,
    flags,
    seq: rd32(b, o + 20) * TWO_POW_32 + rd32(b, o + 16),
    correlation: rd32(b, o + 28) * TWO_POW_32 + rd32(b, o + 24),
    payload,
  };
}

/**
 * Decodes exactly one frame occupying all of `bytes`. The payload is a view into `bytes`, not a
 * copy: copy it if `bytes` will be reused (a ring slot, a pooled read buffer).
 */
export function decodeFrame(bytes: Uint8Array, maxPayload: number = DEFAULT_MAX_PAYLOAD): Frame {
  if (maxPayload !== DEFAULT_MAX_PAYLOAD) checkMaxPayload(maxPayload);
  if (bytes.length < FRAME_HEADER_SIZE) {
    throw truncated(
      `frame is ${bytes.length} bytes, expected at least the ${FRAME_HEADER_SIZE}-byte header`,
    );
  }
  const size = checkHeader(bytes, 0, maxPayload);
  if (bytes.length < size) {
    const parts =
      rd16(bytes, 4) & FrameFlag.PAYLOAD_CRC ? "header, payload and CRC" : "header and payload";
    throw truncated(`frame is ${bytes.length} bytes, expected ${size} (${parts})`);
  }
  if (bytes.length > size) {
    throw corrupt(
      `frame is ${bytes.length} bytes, expected exactly ${size}: ${bytes.length - size} trailing bytes`,
    );
  }
  return frameAt(bytes, 0, size);
}

/**
 * Writing frames (docs/design.md §Data plane: frames; the layout is in `format.ts`). A frame the
 * format cannot carry is a programming error of the writer, so it is a RangeError or TypeError,
 * not a frame error.
 */
import { crc32 } from "node:zlib";
import {
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  FRAME_VERSION,
  type Frame,
  FrameFlag,
  frameSize,
  KNOWN_TYPES,
  MAX_PAYLOAD_LIMIT,
  MAX_TYPE,
  TWO_POW_32,
} from "./format.ts";
import { headerCrc } from "./header-crc.ts";
import { wr16, wr32 } from "./little-endian.ts";

function checkFrame(frame: Frame): void {
  const { type, flags, seq, correlation, payload } = frame;
  if (!Number.isInteger(type) || type < 1 || type > MAX_TYPE) {
    throw new RangeError(`frame type must be one of ${KNOWN_TYPES}; got ${type}`);
  }
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) {
    throw new RangeError(`frame flags must be a u16 (0..65535); got ${flags}`);
  }
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new RangeError(`frame seq must be a safe integer >= 0; got ${seq}`);
  }
  if (!Number.isSafeInteger(correlation) || correlation < 0) {
    throw new RangeError(`frame correlation must be a safe integer >= 0; got ${correlation}`);
  }
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError("frame payload must be a Uint8Array");
  }
  if (payload.length > MAX_PAYLOAD_LIMIT) {
    throw new RangeError(
      `frame payload is ${payload.length} bytes; the length field holds at most ${MAX_PAYLOAD_LIMIT}`,
    );
  }
}

/**
 * Writes `frame` (header, payload and, with PAYLOAD_CRC, its CRC) into `target` at `offset` and
 * returns the bytes written, `frameSize(payload.length, flags)`. The payload is copied once,
 * straight into place: this is how the shm ring writes a frame into its segment.
 */
export function encodeFrameInto(target: Uint8Array, offset: number, frame: Frame): number {
  checkFrame(frame);
  const { type, flags, seq, correlation, payload } = frame;
  const size = frameSize(payload.length, flags);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > target.length) {
    throw new RangeError(
      `a ${size}-byte frame does not fit at offset ${offset} of a ${target.length}-byte buffer`,
    );
  }
  const o = offset;
  const seqLo = seq >>> 0;
  const corrLo = correlation >>> 0;
  wr16(target, o, FRAME_MAGIC);
  target[o + 2] = FRAME_VERSION;
  target[o + 3] = type;
  wr16(target, o + 4, flags);
  wr16(target, o + 6, 0);
  wr32(target, o + 8, payload.length);
  wr32(target, o + 16, seqLo);
  wr32(target, o + 20, (seq - seqLo) / TWO_POW_32);
  wr32(target, o + 24, corrLo);
  wr32(target, o + 28, (correlation - corrLo) / TWO_POW_32);
  wr32(target, o + 12, headerCrc(target, o));
  target.set(payload, o + FRAME_HEADER_SIZE);
  if (flags & FrameFlag.PAYLOAD_CRC) {
    wr32(target, o + FRAME_HEADER_SIZE + payload.length, crc32(payload));
  }
  return size;
}

/** Encodes one frame into a new Buffer of exactly its size (the only allocation). */
export function encodeFrame(frame: Frame): Buffer {
  checkFrame(frame);
  // Every byte is written below, so the unzeroed allocation never leaks old memory.
  const out = Buffer.allocUnsafe(frameSize(frame.payload.length, frame.flags));
  encodeFrameInto(out, 0, frame);
  return out;
}

/**
 * The one frame codec every lane uses (shm ring, uds, tcp, in-proc):
 * docs/design.md §Data plane: frames.
 *
 * A frame is a fixed 32-byte little-endian header, the payload, and, when the PAYLOAD_CRC flag
 * is set, a CRC-32 of the payload:
 *
 *    0       2       3       4               6               8
 *    +-------+-------+-------+---------------+---------------+
 *    | magic | vers. | type  |     flags     |   reserved    |   magic 0x5452: "RT" on the wire
 *    | u16   | u8    | u8    |     u16       |   u16 (= 0)   |   version 1
 *    +-------+-------+-------+---------------+---------------+
 *    8                              12                              16
 *    +------------------------------+-------------------------------+
 *    | payload length  u32          | header CRC-32  u32            |   CRC of bytes 0..11 ++ 16..31
 *    +------------------------------+-------------------------------+
 *    16                             20                              24
 *    +------------------------------+-------------------------------+
 *    | seq lo  u32                  | seq hi  u32                   |   a safe integer >= 0
 *    +------------------------------+-------------------------------+
 *    24                             28                              32
 *    +------------------------------+-------------------------------+
 *    | correlation lo  u32          | correlation hi  u32           |   a safe integer >= 0
 *    +------------------------------+-------------------------------+
 *    32                                               32+length     32+length+4
 *    +------------------------------------------------+-------------+
 *    | payload (length bytes)                         | payload CRC |   only with FLAG_PAYLOAD_CRC
 *    +------------------------------------------------+-------------+
 *
 * Why the header has its own CRC: the length field decides how many bytes a reader waits for
 * and allocates. If one flipped bit in it were trusted, a stream reader would sit waiting for
 * gigabytes that never come, or allocate them. The header CRC is checked before the length is
 * used, so damage anywhere in the header is a prompt RTT_ERR_FRAME_CORRUPT, and an intact header
 * that declares more than the lane allows is a prompt RTT_ERR_FRAME_OVERSIZED, both before a
 * single payload byte is buffered. The payload CRC is optional: the shm ring and loopback
 * sockets do not damage bytes, so paying for it is the route's choice.
 *
 * Hot path (the shm ring runs at ~1M frames/s): no BigInt, no DataView, no per-frame allocation
 * except the Frame object and its payload view. The header CRC (28 bytes) uses a table-driven
 * CRC-32 in JS, about 5x faster than two `zlib.crc32` calls for so few bytes; its value is the
 * same as `zlib.crc32(bytes 0..11 ++ 16..31)`, which the tests check. Payload CRCs use
 * `zlib.crc32` (native, fast on long inputs).
 */
import { crc32 } from "node:zlib";
import { type ErrorCode, RttError } from "@rtt/core";

export const FRAME_MAGIC = 0x5452;
export const FRAME_VERSION = 1;
export const FRAME_HEADER_SIZE = 32;
/** Bytes of the payload CRC trailer, present when FrameFlag.PAYLOAD_CRC is set. */
export const FRAME_TRAILER_SIZE = 4;
/** A lane's default ceiling on one payload: 16 MiB. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/** The length field is a u32: no frame can declare more than this. */
export const MAX_PAYLOAD_LIMIT = 0xffff_ffff;

/**
 * Frame types. DATA, EOS, HEARTBEAT and NACK travel on every lane; SYN, ACK, BIND, READY and
 * TRIP are the QuickConnect handshake's control frames (ADR 0011), sent on a route's control
 * lanes, never on its data lanes. 10..255 are reserved: a decoder refuses them as corrupt.
 */
export const FrameType = {
  DATA: 1,
  EOS: 2,
  HEARTBEAT: 3,
  NACK: 4,
  SYN: 5,
  ACK: 6,
  BIND: 7,
  READY: 8,
  TRIP: 9,
} as const;
export type FrameTypeName = keyof typeof FrameType;

/**
 * Flag bits. Bits other than these are carried through unchanged (the header CRC covers them,
 * so a damaged flag is still caught); they are free for later, backward-compatible features.
 */
export const FrameFlag = {
  /** A CRC-32 of the payload follows it. */
  PAYLOAD_CRC: 1,
  /** ECN-like congestion mark, set by the `mark` drop policy when the route's bucket was empty. */
  MARKED: 2,
} as const;

export interface Frame {
  /** One of FrameType. */
  type: number;
  /** Bits of FrameFlag (u16). */
  flags: number;
  /** A safe integer >= 0. */
  seq: number;
  /** A safe integer >= 0; 0 when the frame answers nothing. */
  correlation: number;
  payload: Uint8Array;
}

const FRAME_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "RTT_ERR_FRAME_TRUNCATED",
  "RTT_ERR_FRAME_OVERSIZED",
  "RTT_ERR_FRAME_CORRUPT",
]);

/** True for the three errors a frame decoder throws. */
export function isFrameError(e: unknown): e is RttError {
  return e instanceof RttError && FRAME_ERROR_CODES.has(e.code);
}

const TYPE_NAMES = [
  "",
  "DATA",
  "EOS",
  "HEARTBEAT",
  "NACK",
  "SYN",
  "ACK",
  "BIND",
  "READY",
  "TRIP",
] as const;
const MAX_TYPE = 9;
/** "1 (DATA), 2 (EOS), …, 9 (TRIP)": the known types, for error messages. */
const KNOWN_TYPES = TYPE_NAMES.slice(1)
  .map((name, i) => `${i + 1} (${name})`)
  .join(", ");
/** The high u32 of a u64 that is still a safe integer: 2^53 - 1 = 0x1f_ffff_ffff_ffff. */
const MAX_SAFE_HI = 0x1f_ffff;
const TWO_POW_32 = 0x1_0000_0000;

/** Total bytes of a frame: header, payload and, when the flags ask for it, the payload CRC. */
export function frameSize(payloadLength: number, flags: number): number {
  return (
    FRAME_HEADER_SIZE + payloadLength + (flags & FrameFlag.PAYLOAD_CRC ? FRAME_TRAILER_SIZE : 0)
  );
}

// ---------------------------------------------------------------------------------------------
// Byte access. Offsets are checked by the callers before any read, so the casts are sound.

function rd16(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}

function rd32(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16)) +
    (b[o + 3] as number) * 0x100_0000
  );
}

function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, "0")}`;

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320): the same function as zlib.crc32.

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC-32 of header bytes 0..11 ++ 16..31 (everything but the CRC field itself). */
export function headerCrc(b: Uint8Array, o: number): number {
  const t = CRC_TABLE;
  let c = -1;
  for (let i = o; i < o + 12; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  for (let i = o + 16; i < o + 32; i++) {
    c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Encoding

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

// ---------------------------------------------------------------------------------------------
// Decoding

function corrupt(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", message, {
    hint: "the bytes were damaged, or the peer does not speak RTT frames version 1",
  });
}

function truncated(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_TRUNCATED", message);
}

function checkMaxPayload(maxPayload: number): void {
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
function checkHeader(b: Uint8Array, o: number, maxPayload: number): number {
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
function frameAt(b: Uint8Array, o: number, size: number): Frame {
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

/**
 * Turns a byte stream (uds, tcp) back into frames, whatever the chunk boundaries.
 *
 * Copies as little as it can: a frame that lies wholly inside one chunk is returned as a view
 * into that chunk (so chunks must not be reused by the caller after `push`; Node's socket
 * `data` events hand over fresh buffers). Only a frame that spans chunks is stitched, into one
 * buffer of its exact size, allocated once its header has arrived and been checked: a header
 * that declares more than `maxPayload` is refused there, before any payload is buffered.
 *
 * After it throws, the stream has lost its framing and the decoder stays failed: every later
 * `push` or `end` throws the same error. The lane should close.
 */
export class FrameDecoder {
  readonly maxPayload: number;
  /** The start of a header split across chunks. */
  readonly #head = new Uint8Array(FRAME_HEADER_SIZE);
  #headFill = 0;
  /** A frame split across chunks, being stitched; its header is already checked. */
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #failure: RttError | undefined;

  constructor(maxPayload: number = DEFAULT_MAX_PAYLOAD) {
    checkMaxPayload(maxPayload);
    this.maxPayload = maxPayload;
  }

  /** Bytes held back for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.#headFill + this.#bodyFill;
  }

  /** Feeds one chunk; returns every frame it completes, in order. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#push(chunk);
    } catch (e) {
      if (e instanceof RttError) this.#failure = e;
      throw e;
    }
  }

  /** Declares the stream over: throws RTT_ERR_FRAME_TRUNCATED if it stopped inside a frame. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#body !== undefined) {
      this.#failure = truncated(
        `stream ended inside a frame: ${this.#bodyFill} of its ${this.#body.length} bytes arrived`,
      );
    } else if (this.#headFill > 0) {
      this.#failure = truncated(
        `stream ended inside a frame header: ${this.#headFill} of its ${FRAME_HEADER_SIZE} bytes arrived`,
      );
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  #push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    const len = chunk.length;
    let pos = 0;

    if (this.#headFill > 0) {
      const take = Math.min(FRAME_HEADER_SIZE - this.#headFill, len);
      this.#head.set(chunk.subarray(0, take), this.#headFill);
      this.#headFill += take;
      pos = take;
      if (this.#headFill < FRAME_HEADER_SIZE) return out;
      const size = checkHeader(this.#head, 0, this.maxPayload);
      const body = Buffer.allocUnsafe(size);
      body.set(this.#head, 0);
      this.#body = body;
      this.#bodyFill = FRAME_HEADER_SIZE;
      this.#headFill = 0;
    }

    const body = this.#body;
    if (body !== undefined) {
      const take = Math.min(body.length - this.#bodyFill, len - pos);
      body.set(chunk.subarray(pos, pos + take), this.#bodyFill);
      this.#bodyFill += take;
      pos += take;
      if (this.#bodyFill < body.length) return out;
      this.#body = undefined;
      this.#bodyFill = 0;
      out.push(frameAt(body, 0, body.length));
    }

    while (pos < len) {
      const rest = len - pos;
      if (rest < FRAME_HEADER_SIZE) {
        this.#head.set(chunk.subarray(pos), 0);
        this.#headFill = rest;
        break;
      }
      const size = checkHeader(chunk, pos, this.maxPayload);
      if (rest >= size) {
        out.push(frameAt(chunk, pos, size));
        pos += size;
      } else {
        const stitched = Buffer.allocUnsafe(size);
        stitched.set(chunk.subarray(pos), 0);
        this.#body = stitched;
        this.#bodyFill = rest;
        break;
      }
    }
    return out;
  }
}

/** The name of a frame type, for messages and `rtt tap`; `undefined` for reserved types. */
export function frameTypeName(type: number): FrameTypeName | undefined {
  const name = TYPE_NAMES[type];
  return name === undefined || name === "" ? undefined : name;
}

/**
 * The frame format every lane uses (shm ring, uds, tcp, in-proc):
 * docs/design.md §Data plane: frames. The codec is split by job: `encode.ts` writes frames,
 * `decode.ts` reads one whole frame, `stream-decoder.ts` turns a byte stream back into frames,
 * `header-crc.ts` and `little-endian.ts` are the byte-level pieces both directions share.
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
 * except the Frame object and its payload view.
 */
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
  /**
   * A DATA frame whose payload holds several messages (`batch.ts`), sent only to a reader whose
   * lane address says it takes them. The frame's other flags hold for each of its messages.
   */
  BATCH: 4,
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
/** The highest type that is not reserved. */
export const MAX_TYPE = 9;
/** "1 (DATA), 2 (EOS), …, 9 (TRIP)": the known types, for error messages. */
export const KNOWN_TYPES = TYPE_NAMES.slice(1)
  .map((name, i) => `${i + 1} (${name})`)
  .join(", ");
/** The high u32 of a u64 that is still a safe integer: 2^53 - 1 = 0x1f_ffff_ffff_ffff. */
export const MAX_SAFE_HI = 0x1f_ffff;
export const TWO_POW_32 = 0x1_0000_0000;

/** Total bytes of a frame: header, payload and, when the flags ask for it, the payload CRC. */
export function frameSize(payloadLength: number, flags: number): number {
  return (
    FRAME_HEADER_SIZE + payloadLength + (flags & FrameFlag.PAYLOAD_CRC ? FRAME_TRAILER_SIZE : 0)
  );
}

/** The name of a frame type, for messages and `rtt tap`; `undefined` for reserved types. */
export function frameTypeName(type: number): FrameTypeName | undefined {
  const name = TYPE_NAMES[type];
  return name === undefined || name === "" ? undefined : name;
}

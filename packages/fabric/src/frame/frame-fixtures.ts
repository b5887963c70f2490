/**
 * Test-only: a plain reference encoder, byte helpers, frame error assertions and the fast-check
 * arbitraries the frame codec's tests share.
 */
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { encodeFrame } from "./encode.ts";
import { type Frame, FrameFlag, FrameType, isFrameError } from "./format.ts";
import { headerCrc } from "./header-crc.ts";

/** A second, deliberately plain encoder written from the layout table, to check the real one. */
export function referenceEncode(f: Frame): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt16LE(0x5452, 0);
  header.writeUInt8(1, 2);
  header.writeUInt8(f.type, 3);
  header.writeUInt16LE(f.flags, 4);
  header.writeUInt16LE(0, 6);
  header.writeUInt32LE(f.payload.length, 8);
  header.writeBigUInt64LE(BigInt(f.seq), 16);
  header.writeBigUInt64LE(BigInt(f.correlation), 24);
  header.writeUInt32LE(crc32(Buffer.concat([header.subarray(0, 12), header.subarray(16, 32)])), 12);
  const parts = [header, Buffer.from(f.payload)];
  if (f.flags & 1) {
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc32(f.payload), 0);
    parts.push(trailer);
  }
  return Buffer.concat(parts);
}

/** A frame with its payload as a plain Uint8Array, so deepEqual ignores Buffer vs view. */
export function plain(f: Frame): Frame {
  return { ...f, payload: Uint8Array.from(f.payload) };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Splits `bytes` at the given cut points (any values; taken modulo the length, sorted). */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

/** Cheap deterministic filler for large payloads (fast-check would be slow at 1 MiB). */
export function filled(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** True when `view` lies inside `outer`'s bytes: the same memory, not a copy. */
export function isViewInto(view: Uint8Array, outer: Uint8Array): boolean {
  return (
    view.buffer === outer.buffer &&
    view.byteOffset >= outer.byteOffset &&
    view.byteOffset + view.length <= outer.byteOffset + outer.length
  );
}

export function expectFrameError(fn: () => unknown, code?: string, pattern?: RegExp): RttError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RttError, `expected an RttError, got ${String(e)}`);
    assert.ok(isFrameError(e), `unexpected code ${e.code}`);
    if (code !== undefined) assert.equal(e.code, code, e.message);
    if (pattern !== undefined) assert.match(e.message, pattern);
    return e;
  }
  assert.fail("expected a frame error");
}

/** Runs `fn`; returns normally or with a frame error. Any other exception fails the test. */
export function decodesOrFrameError(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!isFrameError(e)) throw e;
  }
}

export const u64 = fc.oneof(
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER),
);

export const frameArb = (maxLength = 200): fc.Arbitrary<Frame> =>
  fc.record({
    type: fc.constantFrom(...Object.values(FrameType)),
    flags: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: 0, max: 0xffff })),
    seq: u64,
    correlation: u64,
    payload: fc.uint8Array({ maxLength }),
  });

export const crcFrameArb = (maxLength = 64): fc.Arbitrary<Frame> =>
  frameArb(maxLength).map((f) => ({ ...f, flags: f.flags | FrameFlag.PAYLOAD_CRC }));

/**
 * Encoded frames damaged in ways that reach past the first check: random byte edits, then
 * optionally a recomputed header CRC (so reserved, type, seq and length checks are exercised),
 * then an optional cut.
 */
const damagedArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    frame: frameArb(80),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fixCrc: fc.boolean(),
    cut: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.nat(), weight: 1 }),
    extra: fc.uint8Array({ maxLength: 8 }),
  })
  .map(({ frame, edits, fixCrc, cut, extra }) => {
    const b = encodeFrame(frame);
    for (const [pos, value] of edits) b[pos % b.length] = value;
    if (fixCrc) b.writeUInt32LE(headerCrc(b, 0), 12);
    const whole = concat([b, extra]);
    return cut === null ? whole : whole.subarray(0, cut % (whole.length + 1));
  });

/** Bytes that start like a frame header (magic, version) but are otherwise random. */
const headerishArb: fc.Arbitrary<Uint8Array> = fc
  .record({ body: fc.uint8Array({ minLength: 29, maxLength: 120 }), fixCrc: fc.boolean() })
  .map(({ body, fixCrc }) => {
    const b = Buffer.concat([Buffer.from([0x52, 0x54, 1]), body]);
    if (fixCrc) b.writeUInt32LE(headerCrc(b, 0), 12);
    return b;
  });

export const anyBytesArb = fc.oneof(fc.uint8Array({ maxLength: 200 }), damagedArb, headerishArb);

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  DEFAULT_MAX_PAYLOAD,
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  FRAME_VERSION,
  type Frame,
  FrameDecoder,
  FrameFlag,
  FrameType,
  frameSize,
  frameTypeName,
  headerCrc,
  isFrameError,
} from "./frame.ts";

const FRAME_CODES = ["RTT_ERR_FRAME_TRUNCATED", "RTT_ERR_FRAME_OVERSIZED", "RTT_ERR_FRAME_CORRUPT"];

// ---------------------------------------------------------------------------------------------
// Helpers

/** A second, deliberately plain encoder written from the layout table, to check the real one. */
function referenceEncode(f: Frame): Buffer {
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
function plain(f: Frame): Frame {
  return { ...f, payload: Uint8Array.from(f.payload) };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Splits `bytes` at the given cut points (any values; taken modulo the length, sorted). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
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
function filled(size: number, seed: number): Uint8Array {
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
function isViewInto(view: Uint8Array, outer: Uint8Array): boolean {
  return (
    view.buffer === outer.buffer &&
    view.byteOffset >= outer.byteOffset &&
    view.byteOffset + view.length <= outer.byteOffset + outer.length
  );
}

function expectFrameError(fn: () => unknown, code?: string, pattern?: RegExp): RttError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RttError, `expected an RttError, got ${String(e)}`);
    assert.ok(FRAME_CODES.includes(e.code), `unexpected code ${e.code}`);
    if (code !== undefined) assert.equal(e.code, code, e.message);
    if (pattern !== undefined) assert.match(e.message, pattern);
    return e;
  }
  assert.fail("expected a frame error");
}

/** Runs `fn`; returns normally or with a frame error. Any other exception fails the test. */
function decodesOrFrameError(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!isFrameError(e)) throw e;
  }
}

const u64 = fc.oneof(
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER),
);

const frameArb = (maxLength = 200): fc.Arbitrary<Frame> =>
  fc.record({
    type: fc.constantFrom(...Object.values(FrameType)),
    flags: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: 0, max: 0xffff })),
    seq: u64,
    correlation: u64,
    payload: fc.uint8Array({ maxLength }),
  });

const crcFrameArb = (maxLength = 64): fc.Arbitrary<Frame> =>
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

const anyBytesArb = fc.oneof(fc.uint8Array({ maxLength: 200 }), damagedArb, headerishArb);

// ---------------------------------------------------------------------------------------------

describe("frame layout", () => {
  test("constants match the spec", () => {
    assert.equal(FRAME_MAGIC, 0x5452);
    assert.equal(FRAME_VERSION, 1);
    assert.equal(FRAME_HEADER_SIZE, 32);
    assert.equal(DEFAULT_MAX_PAYLOAD, 16 * 1024 * 1024);
    assert.deepEqual(
      { ...FrameType },
      { DATA: 1, EOS: 2, HEARTBEAT: 3, NACK: 4, SYN: 5, ACK: 6, BIND: 7, READY: 8, TRIP: 9 },
    );
    assert.deepEqual({ ...FrameFlag }, { PAYLOAD_CRC: 1, MARKED: 2 });
    assert.equal(frameSize(10, 0), 42);
    assert.equal(frameSize(10, FrameFlag.PAYLOAD_CRC | FrameFlag.MARKED), 46);
    assert.equal(frameTypeName(FrameType.NACK), "NACK");
    assert.equal(frameTypeName(FrameType.SYN), "SYN");
    assert.equal(frameTypeName(FrameType.TRIP), "TRIP");
    assert.equal(frameTypeName(10), undefined);
    assert.equal(frameTypeName(255), undefined);
    assert.equal(frameTypeName(0), undefined);
  });

  test('the wire starts with "RT", version 1', () => {
    const b = encodeFrame({ type: 1, flags: 0, seq: 0, correlation: 0, payload: new Uint8Array() });
    assert.equal(b.subarray(0, 2).toString("latin1"), "RT");
    assert.equal(b[2], 1);
    assert.equal(b.length, 32);
  });

  test("encodeFrame matches a plain reference encoder byte for byte", () => {
    fc.assert(
      fc.property(frameArb(), (f) => {
        assert.deepEqual(encodeFrame(f), referenceEncode(f));
      }),
      { numRuns: 300 },
    );
  });

  test("headerCrc equals zlib.crc32 of bytes 0..11 ++ 16..31", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.nat(32), (bytes, o) => {
        const at = Math.min(o, bytes.length - 32);
        const joined = Buffer.concat([
          bytes.subarray(at, at + 12),
          bytes.subarray(at + 16, at + 32),
        ]);
        assert.equal(headerCrc(bytes, at), crc32(joined));
      }),
    );
  });
});

describe("encode / decode", () => {
  test("round trip: arbitrary frames, with and without PAYLOAD_CRC", () => {
    fc.assert(
      fc.property(frameArb(), (f) => {
        const bytes = encodeFrame(f);
        assert.equal(bytes.length, frameSize(f.payload.length, f.flags));
        assert.deepEqual(plain(decodeFrame(bytes)), plain(f));
      }),
      { numRuns: 500 },
    );
  });

  test("round trip: empty, 64 KiB and 1 MiB payloads", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 65_536, 1 << 20),
        fc.constantFrom(0, FrameFlag.PAYLOAD_CRC, FrameFlag.PAYLOAD_CRC | FrameFlag.MARKED),
        fc.integer(),
        u64,
        (size, flags, seed, seq) => {
          const f: Frame = { type: 1, flags, seq, correlation: 7, payload: filled(size, seed) };
          const decoded = decodeFrame(encodeFrame(f));
          assert.equal(decoded.payload.length, size);
          assert.ok(Buffer.from(decoded.payload).equals(f.payload));
          assert.equal(decoded.seq, seq);
          assert.equal(decoded.flags, flags);
        },
      ),
      { numRuns: 24 },
    );
  });

  test("decodeFrame returns the payload as a view, not a copy", () => {
    const bytes = encodeFrame({
      type: 1,
      flags: 1,
      seq: 1,
      correlation: 2,
      payload: Uint8Array.of(1, 2, 3),
    });
    const f = decodeFrame(bytes);
    assert.ok(isViewInto(f.payload, bytes));
    assert.equal(f.payload.byteOffset, bytes.byteOffset + 32);
  });

  test("encodeFrameInto writes at the offset, returns the size, touches nothing else", () => {
    fc.assert(
      fc.property(frameArb(), fc.nat(40), fc.nat(40), (f, before, after) => {
        const size = frameSize(f.payload.length, f.flags);
        const target = new Uint8Array(before + size + after).fill(0xee);
        assert.equal(encodeFrameInto(target, before, f), size);
        assert.deepEqual(Buffer.from(target.subarray(before, before + size)), encodeFrame(f));
        assert.ok(target.subarray(0, before).every((x) => x === 0xee));
        assert.ok(target.subarray(before + size).every((x) => x === 0xee));
      }),
      { numRuns: 200 },
    );
  });

  test("encodeFrameInto refuses a frame that does not fit", () => {
    const f: Frame = { type: 1, flags: 0, seq: 0, correlation: 0, payload: new Uint8Array(8) };
    assert.throws(() => encodeFrameInto(new Uint8Array(39), 0, f), /does not fit/);
    assert.throws(() => encodeFrameInto(new Uint8Array(40), 1, f), /does not fit/);
    assert.throws(() => encodeFrameInto(new Uint8Array(80), -1, f), RangeError);
    assert.throws(() => encodeFrameInto(new Uint8Array(80), 0.5, f), RangeError);
  });

  test("encoding refuses frames the format cannot carry", () => {
    const ok: Frame = { type: 1, flags: 0, seq: 0, correlation: 0, payload: new Uint8Array() };
    const bad: Array<[Partial<Frame>, RegExp]> = [
      [{ type: 0 }, /frame type must be one of/],
      [{ type: 10 }, /got 10/],
      [{ type: 1.5 }, /frame type/],
      [{ flags: 0x10000 }, /u16/],
      [{ flags: -1 }, /u16/],
      [{ seq: -1 }, /seq must be a safe integer/],
      [{ seq: 2 ** 53 }, /seq must be a safe integer/],
      [{ seq: Number.NaN }, /seq/],
      [{ correlation: 1.5 }, /correlation/],
    ];
    for (const [patch, message] of bad) {
      assert.throws(() => encodeFrame({ ...ok, ...patch }), message);
    }
  });
});

describe("decodeFrame errors", () => {
  const good = (flags: number = FrameFlag.PAYLOAD_CRC): Buffer =>
    encodeFrame({ type: 1, flags, seq: 5, correlation: 6, payload: Uint8Array.of(9, 8, 7, 6) });

  /** A copy of `b` with `edit` applied and the header CRC made valid again. */
  const resealed = (edit: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good());
    edit(b);
    b.writeUInt32LE(headerCrc(b, 0), 12);
    return b;
  };

  test("too short for a header or for the declared frame: truncated", () => {
    expectFrameError(() => decodeFrame(new Uint8Array()), "RTT_ERR_FRAME_TRUNCATED", /0 bytes/);
    expectFrameError(() => decodeFrame(good().subarray(0, 31)), "RTT_ERR_FRAME_TRUNCATED");
    expectFrameError(
      () => decodeFrame(good().subarray(0, 39)),
      "RTT_ERR_FRAME_TRUNCATED",
      /39 bytes, expected 40 \(header, payload and CRC\)/,
    );
    expectFrameError(
      () => decodeFrame(good(0).subarray(0, 35)),
      "RTT_ERR_FRAME_TRUNCATED",
      /expected 36 \(header and payload\)/,
    );
  });

  test("each bad field is named, with what was expected and what was found", () => {
    const cases: Array<[Buffer, RegExp]> = [
      [resealed((b) => b.writeUInt16LE(0x4854, 0)), /magic is 0x4854, expected 0x5452/],
      [resealed((b) => b.writeUInt8(2, 2)), /version is 2, expected 1/],
      [resealed((b) => b.writeUInt16LE(0x0100, 6)), /reserved field is 0x0100, expected 0/],
      [resealed((b) => b.writeUInt8(10, 3)), /type is 10, expected one of 1 \(DATA\)/],
      [resealed((b) => b.writeUInt8(255, 3)), /type is 255, .*9 \(TRIP\); 10\.\.255 are reserved/],
      [resealed((b) => b.writeUInt8(0, 3)), /type is 0/],
      [resealed((b) => b.writeUInt32LE(0x20_0000, 20)), /seq high word is 0x00200000/],
      [resealed((b) => b.writeUInt32LE(0xffff_ffff, 28)), /correlation high word/],
      [
        (() => {
          const b = good();
          b[12] = (b[12] ?? 0) ^ 1;
          return b;
        })(),
        /header CRC-32 is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}/,
      ],
      [
        (() => {
          const b = good();
          b[33] = (b[33] ?? 0) ^ 0x80;
          return b;
        })(),
        /payload CRC-32 is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}/,
      ],
      [Buffer.concat([good(), Buffer.of(0)]), /41 bytes, expected exactly 40: 1 trailing bytes/],
    ];
    for (const [bytes, message] of cases) {
      expectFrameError(() => decodeFrame(bytes), "RTT_ERR_FRAME_CORRUPT", message);
    }
  });

  test("a length over the maximum is refused from the header alone, before truncation", () => {
    const header = resealed((b) => b.writeUInt32LE(0xffff_ffff, 8)).subarray(0, 32);
    expectFrameError(
      () => decodeFrame(header),
      "RTT_ERR_FRAME_OVERSIZED",
      /payload length is 4294967295 bytes, expected at most 16777216/,
    );
    const small = good(0);
    assert.equal(decodeFrame(small, 4).payload.length, 4);
    expectFrameError(() => decodeFrame(small, 3), "RTT_ERR_FRAME_OVERSIZED", /at most 3/);
  });

  test("a damaged length is reported as corrupt (header CRC), never waited for", () => {
    const b = good();
    b.writeUInt32LE(1 << 30, 8);
    expectFrameError(() => decodeFrame(b), "RTT_ERR_FRAME_CORRUPT", /header CRC/);
  });

  test("maxPayload must be a sane integer", () => {
    assert.throws(() => decodeFrame(good(), -1), RangeError);
    assert.throws(() => decodeFrame(good(), 2 ** 32), RangeError);
    assert.throws(() => new FrameDecoder(Number.NaN), RangeError);
  });

  test("every single-byte change of a frame with PAYLOAD_CRC is detected", () => {
    fc.assert(
      fc.property(crcFrameArb(), fc.integer({ min: 1, max: 255 }), (f, mask) => {
        const bytes = encodeFrame(f);
        for (let i = 0; i < bytes.length; i++) {
          const damaged = Buffer.from(bytes);
          damaged[i] = (damaged[i] ?? 0) ^ mask;
          expectFrameError(() => decodeFrame(damaged));
          const decoder = new FrameDecoder();
          expectFrameError(() => {
            decoder.push(damaged);
            decoder.end();
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  test("any bytes: decodeFrame decodes or throws a frame error, nothing else", () => {
    let decoded = 0;
    fc.assert(
      fc.property(anyBytesArb, (bytes) => {
        decodesOrFrameError(() => {
          const f = decodeFrame(bytes);
          decoded += 1;
          // Whatever decodes must re-encode to the same bytes: nothing was misread.
          assert.deepEqual(Buffer.from(encodeFrame(f)), Buffer.from(bytes));
        });
      }),
      { numRuns: 2000 },
    );
    assert.ok(decoded > 0, "the generator should also produce some valid frames");
  });
});

describe("FrameDecoder", () => {
  test("any frames, concatenated and split anywhere, decode to the same frames", () => {
    fc.assert(
      fc.property(
        fc.array(frameArb(120), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.constantFrom(DEFAULT_MAX_PAYLOAD, 120),
        (frames, cuts, max) => {
          const stream = concat(frames.map((f) => encodeFrame(f)));
          const decoder = new FrameDecoder(max);
          const out: Frame[] = [];
          for (const chunk of split(stream, cuts)) out.push(...decoder.push(chunk));
          decoder.end();
          assert.equal(decoder.bufferedBytes, 0);
          assert.deepEqual(out.map(plain), frames.map(plain));
        },
      ),
      { numRuns: 500 },
    );
  });

  test("byte by byte", () => {
    const frames: Frame[] = [
      { type: 1, flags: 1, seq: 1, correlation: 0, payload: filled(100, 1) },
      { type: 2, flags: 0, seq: 2, correlation: 1, payload: new Uint8Array() },
      { type: 3, flags: 3, seq: 2 ** 40, correlation: 2 ** 50, payload: filled(3, 2) },
    ];
    const stream = concat(frames.map((f) => encodeFrame(f)));
    const decoder = new FrameDecoder();
    const out: Frame[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    decoder.end();
    assert.deepEqual(out.map(plain), frames.map(plain));
  });

  test("whole frames in one chunk come back as views into it; only split frames are copied", () => {
    const f = (seq: number): Frame => ({
      type: 1,
      flags: 1,
      seq,
      correlation: 0,
      payload: filled(50, seq),
    });
    const chunk = concat([encodeFrame(f(1)), encodeFrame(f(2)), encodeFrame(f(3))]);
    const cut = 86 + 86 + 10; // inside the third frame
    const decoder = new FrameDecoder();
    const first = decoder.push(chunk.subarray(0, cut));
    assert.equal(first.length, 2);
    for (const frame of first) assert.ok(isViewInto(frame.payload, chunk));
    assert.equal(decoder.bufferedBytes, 10);
    const [third] = decoder.push(chunk.subarray(cut));
    assert.ok(third !== undefined);
    assert.ok(!isViewInto(third.payload, chunk));
    assert.deepEqual(plain(third), plain(f(3)));
  });

  test("an oversized length is refused when its header arrives, nothing buffered", () => {
    const header = Buffer.from(
      encodeFrame({ type: 1, flags: 0, seq: 0, correlation: 0, payload: new Uint8Array() }),
    );
    header.writeUInt32LE(0xffff_ffff, 8);
    header.writeUInt32LE(headerCrc(header, 0), 12);

    // All at once: the header alone is enough to refuse.
    expectFrameError(() => new FrameDecoder().push(header), "RTT_ERR_FRAME_OVERSIZED");

    // A byte at a time: refused on the 32nd byte; the 31 before were all it had kept.
    const decoder = new FrameDecoder();
    for (let i = 0; i < 31; i++) assert.deepEqual(decoder.push(header.subarray(i, i + 1)), []);
    assert.equal(decoder.bufferedBytes, 31);
    expectFrameError(() => decoder.push(header.subarray(31)), "RTT_ERR_FRAME_OVERSIZED");

    // A legitimate frame just over a small lane maximum: refused before its payload comes.
    const big = encodeFrame({
      type: 1,
      flags: 0,
      seq: 0,
      correlation: 0,
      payload: filled(1001, 3),
    });
    const small = new FrameDecoder(1000);
    expectFrameError(
      () => small.push(big.subarray(0, 32)),
      "RTT_ERR_FRAME_OVERSIZED",
      /at most 1000/,
    );
  });

  test("a damaged length in a split header is corrupt, not waited for", () => {
    const b = encodeFrame({ type: 1, flags: 0, seq: 0, correlation: 0, payload: filled(8, 1) });
    b.writeUInt32LE(1 << 30, 8);
    const decoder = new FrameDecoder();
    decoder.push(b.subarray(0, 20));
    expectFrameError(() => decoder.push(b.subarray(20, 32)), "RTT_ERR_FRAME_CORRUPT", /CRC/);
  });

  test("end() inside a frame is truncated; after an error the decoder stays failed", () => {
    const bytes = encodeFrame({ type: 1, flags: 1, seq: 0, correlation: 0, payload: filled(9, 1) });
    const inHeader = new FrameDecoder();
    inHeader.push(bytes.subarray(0, 10));
    expectFrameError(() => inHeader.end(), "RTT_ERR_FRAME_TRUNCATED", /10 of its 32 bytes/);

    const inBody = new FrameDecoder();
    inBody.push(bytes.subarray(0, 40));
    expectFrameError(() => inBody.end(), "RTT_ERR_FRAME_TRUNCATED", /40 of its 45 bytes/);
    expectFrameError(() => inBody.push(bytes), "RTT_ERR_FRAME_TRUNCATED");

    const broken = new FrameDecoder();
    const e = expectFrameError(() => broken.push(new Uint8Array(40)), "RTT_ERR_FRAME_CORRUPT");
    assert.throws(
      () => broken.push(bytes),
      (again) => again === e,
    );
    assert.throws(
      () => broken.end(),
      (again) => again === e,
    );

    const clean = new FrameDecoder();
    assert.equal(clean.push(bytes).length, 1);
    clean.end();
  });

  test("any bytes, split anywhere: frames or a frame error, nothing else", () => {
    fc.assert(
      fc.property(
        fc.array(anyBytesArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom(DEFAULT_MAX_PAYLOAD, 64, 0),
        (parts, cuts, max) => {
          const decoder = new FrameDecoder(max);
          decodesOrFrameError(() => {
            for (const chunk of split(concat(parts), cuts)) decoder.push(chunk);
            decoder.end();
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

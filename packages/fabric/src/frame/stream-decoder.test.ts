import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeFrame } from "./encode.ts";
import { DEFAULT_MAX_PAYLOAD, type Frame } from "./format.ts";
import {
  anyBytesArb,
  concat,
  decodesOrFrameError,
  expectFrameError,
  filled,
  frameArb,
  isViewInto,
  plain,
  split,
} from "./frame-fixtures.ts";
import { headerCrc } from "./header-crc.ts";
import { FrameDecoder } from "./stream-decoder.ts";

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

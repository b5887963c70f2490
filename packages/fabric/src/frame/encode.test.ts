import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeFrame } from "./decode.ts";
import { encodeFrame, encodeFrameInto } from "./encode.ts";
import { type Frame, FrameFlag, frameSize } from "./format.ts";
import { filled, frameArb, isViewInto, plain, u64 } from "./frame-fixtures.ts";

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

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { decodeFrame } from "./decode.ts";
import { encodeFrame } from "./encode.ts";
import { FrameFlag } from "./format.ts";
import {
  anyBytesArb,
  crcFrameArb,
  decodesOrFrameError,
  expectFrameError,
} from "./frame-fixtures.ts";
import { headerCrc } from "./header-crc.ts";
import { FrameDecoder } from "./stream-decoder.ts";

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

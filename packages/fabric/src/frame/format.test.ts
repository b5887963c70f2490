import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { encodeFrame } from "./encode.ts";
import {
  DEFAULT_MAX_PAYLOAD,
  FRAME_HEADER_SIZE,
  FRAME_MAGIC,
  FRAME_VERSION,
  FrameFlag,
  FrameType,
  frameSize,
  frameTypeName,
} from "./format.ts";
import { frameArb, referenceEncode } from "./frame-fixtures.ts";
import { headerCrc } from "./header-crc.ts";

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
    assert.deepEqual({ ...FrameFlag }, { PAYLOAD_CRC: 1, MARKED: 2, BATCH: 4 });
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

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  BATCH_ENTRY_HEADER,
  BATCH_MAX_MESSAGES,
  batchEntrySize,
  checkBatch,
  decodeBatch,
  encodeBatchEntry,
} from "./batch.ts";

interface Message {
  readonly bytes: Uint8Array;
  readonly correlation: number;
}

const messageArb: fc.Arbitrary<Message> = fc.record({
  bytes: fc.uint8Array({ maxLength: 300 }),
  correlation: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  ),
});

function encode(messages: readonly Message[]): Uint8Array {
  const size = messages.reduce((sum, m) => sum + batchEntrySize(m.bytes.length), 0);
  const payload = new Uint8Array(size);
  let at = 0;
  for (const m of messages) at = encodeBatchEntry(payload, at, m.bytes, m.correlation);
  assert.equal(at, size);
  return payload;
}

function decoded(payload: Uint8Array): Message[] {
  const out: Message[] = [];
  const count = decodeBatch(payload, (bytes, correlation) =>
    out.push({ bytes: bytes.slice(), correlation }),
  );
  assert.equal(count, out.length);
  return out;
}

const isCorrupt = (error: unknown) =>
  error instanceof RttError && error.code === "RTT_ERR_FRAME_CORRUPT";

describe("batch frame payloads", () => {
  test("property: round trip, order, bytes and correlations", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 40 }), (messages) => {
        assert.deepEqual(
          decoded(encode(messages)),
          messages.map((m) => ({ bytes: m.bytes, correlation: m.correlation })),
        );
      }),
      { numRuns: 300 },
    );
  });

  test("property: a batch cut short anywhere is refused whole, no message handed on", () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        (messages, cut) => {
          const payload = encode(messages);
          const at = cut % payload.length; // strictly shorter
          // A cut exactly after an earlier message is itself a whole, shorter batch.
          let boundary = 0;
          const boundaries = new Set<number>();
          for (const m of messages) {
            boundary += batchEntrySize(m.bytes.length);
            boundaries.add(boundary);
          }
          fc.pre(!boundaries.has(at) && at > 0);
          let visited = 0;
          assert.throws(() => decodeBatch(payload.subarray(0, at), () => visited++), isCorrupt);
          assert.equal(visited, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("property: hostile bytes either decode into views inside the payload or are refused", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        let count: number;
        try {
          count = checkBatch(bytes);
        } catch (error) {
          assert.ok(isCorrupt(error), String(error));
          return;
        }
        let total = 0;
        decodeBatch(bytes, (message, correlation) => {
          total += BATCH_ENTRY_HEADER + message.length;
          assert.ok(Number.isSafeInteger(correlation) && correlation >= 0);
          assert.equal(message.buffer, bytes.buffer);
        });
        assert.ok(count >= 1);
        assert.equal(total, bytes.length);
      }),
      { numRuns: 1000 },
    );
  });

  test("refused: no messages, a length past the payload, an oversized length, an unsafe correlation, too many messages", () => {
    assert.throws(() => checkBatch(new Uint8Array(0)), /no messages/);
    const one = encode([{ bytes: new Uint8Array([1, 2, 3]), correlation: 7 }]);
    const past = one.slice();
    past[0] = 4; // declares 4 bytes, 3 follow
    assert.throws(() => checkBatch(past), /declares 4 bytes, 3 are left/);
    const huge = one.slice();
    huge.set([0xff, 0xff, 0xff, 0xff], 0);
    assert.throws(() => checkBatch(huge), isCorrupt);
    const unsafe = one.slice();
    unsafe.set([0x00, 0x00, 0x20, 0x00], 8); // correlation's high word 0x200000: 2^53
    assert.throws(() => checkBatch(unsafe), /not a safe integer/);
    assert.equal(checkBatch(encode([{ bytes: new Uint8Array(0), correlation: 0 }])), 1);
    const most = Array.from({ length: BATCH_MAX_MESSAGES }, (_, i) => ({
      bytes: new Uint8Array([i & 0xff]),
      correlation: i,
    }));
    assert.equal(checkBatch(encode(most)), BATCH_MAX_MESSAGES);
    const oversized = encode([...most, { bytes: new Uint8Array(1), correlation: 0 }]);
    let visited = 0;
    assert.throws(() => decodeBatch(oversized, () => visited++), /more than 256 messages/);
    assert.equal(visited, 0);
  });
});

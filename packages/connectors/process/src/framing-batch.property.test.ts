import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  Deframer,
  encodeMessage,
  encodeMessages,
  FRAMINGS,
  framedLength,
  framedParts,
} from "./framing.ts";

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// Lines framing cannot carry a newline inside a message.
const messagesFor = (framing: (typeof FRAMINGS)[number]) =>
  fc.array(
    fc
      .uint8Array({ maxLength: 200 })
      .map((m) => (framing === "lines" ? m.map((b) => (b === 0x0a ? 0x20 : b)) : m)),
    { maxLength: 30 },
  );

describe("process framing of several messages in one write", () => {
  for (const framing of FRAMINGS)
    it(`${framing}: a message framed into a reused scratch is the message framed alone`, () => {
      const scratch = new Uint8Array(4096);
      fc.assert(
        fc.property(messagesFor(framing), (messages) => {
          for (const m of messages) {
            const length = framedLength(framing, m);
            const into = scratch.subarray(0, length);
            const framed = encodeMessages(framing, [m], 0, 1, length, into);
            assert.equal(framed.buffer, scratch.buffer);
            assert.deepEqual(framed, encodeMessage(framing, m));
          }
        }),
      );
    });

  for (const framing of FRAMINGS)
    it(`${framing}: a range framed together is the messages framed one by one`, () => {
      fc.assert(
        fc.property(messagesFor(framing), fc.nat(), fc.nat(), (messages, a, b) => {
          const from = messages.length === 0 ? 0 : a % messages.length;
          const to = from + (messages.length === from ? 0 : b % (messages.length - from + 1));
          const range = messages.slice(from, to);
          const length = range.reduce((n, m) => n + framedLength(framing, m), 0);
          const together = encodeMessages(framing, messages, from, to, length);
          assert.deepEqual(together, concat(range.map((m) => encodeMessage(framing, m))));
          for (const m of range)
            assert.deepEqual(concat(framedParts(framing, m)), encodeMessage(framing, m));
          // And the reader cuts them back (raw has no boundaries: it gets the bytes back).
          if (framing === "raw") return;
          const d = new Deframer(framing);
          const back = [...d.push(together), ...d.end()].map((m) => Uint8Array.from(m));
          assert.deepEqual(
            back,
            range.map((m) => Uint8Array.from(m)),
          );
        }),
      );
    });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { Deframer, encodeMessage, FRAMINGS, type Framing } from "./framing.ts";

/** Splits bytes at the given cut points (sorted, deduplicated, in range). */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

function encodedStream(framing: Framing, messages: Uint8Array[]): Uint8Array {
  const parts = messages.map((m) => encodeMessage(framing, m));
  const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    stream.set(p, at);
    at += p.length;
  }
  return stream;
}

/** The messages cut from the stream pushed in chunks; chunk k is a copy when `copied[k]`. */
function roundTrip(
  framing: Framing,
  messages: Uint8Array[],
  cuts: number[],
  copied: boolean[] = [],
): Uint8Array[] {
  const d = new Deframer(framing);
  const out: Uint8Array[] = [];
  for (const [k, c] of chunked(encodedStream(framing, messages), cuts).entries())
    for (const m of d.push(copied[k] === true ? Uint8Array.prototype.slice.call(c) : c))
      out.push(Uint8Array.prototype.slice.call(m));
  out.push(...d.end());
  return out;
}

describe("process framing", () => {
  it("length-prefixed: any messages, any chunking, come back exactly", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 })),
        fc.array(fc.nat()),
        (messages, cuts) => {
          assert.deepEqual(roundTrip("length-prefixed", messages, cuts), messages);
        },
      ),
    );
  });

  it("lines: messages without newlines, any chunking, come back exactly", () => {
    const line = fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x === 10 ? 11 : x)));
    fc.assert(
      fc.property(fc.array(line), fc.array(fc.nat()), (messages, cuts) => {
        // An empty last line is indistinguishable from none: the stream ends right after "\n".
        assert.deepEqual(roundTrip("lines", messages, cuts), messages);
      }),
    );
  });

  it("chunks in place or copied, mixed: every message comes back exactly", () => {
    const line = fc.uint8Array({ maxLength: 200 }).map((b) => b.map((x) => (x === 10 ? 11 : x)));
    fc.assert(
      fc.property(
        fc.constantFrom<Framing>("lines", "length-prefixed"),
        fc.array(line),
        fc.array(fc.nat()),
        fc.array(fc.boolean()),
        (framing, messages, cuts, copied) => {
          assert.deepEqual(roundTrip(framing, messages, cuts, copied), messages);
        },
      ),
    );
  });

  it("a message over chunks that lie one after another in memory is a view of them, not a copy", () => {
    const line = fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((b) => b.map((x) => (x === 10 ? 11 : x)));
    fc.assert(
      fc.property(
        fc.constantFrom<Framing>("lines", "length-prefixed"),
        fc.array(line, { minLength: 1 }),
        fc.array(fc.nat()),
        (framing, messages, cuts) => {
          const stream = encodedStream(framing, messages);
          const d = new Deframer(framing);
          const got: Uint8Array[] = [];
          for (const c of chunked(stream, cuts)) got.push(...d.push(c));
          got.push(...d.end());
          assert.deepEqual(
            got.map((m) => Uint8Array.prototype.slice.call(m)),
            messages,
          );
          for (const m of got) assert.equal(m.buffer, stream.buffer);
        },
      ),
    );
  });

  it("lines: an unterminated last line is still a message at end of stream", () => {
    const d = new Deframer("lines");
    assert.deepEqual(
      d.push(Buffer.from("a\nb")).map((m) => Buffer.from(m).toString()),
      ["a"],
    );
    assert.deepEqual(
      d.end().map((m) => Buffer.from(m).toString()),
      ["b"],
    );
  });

  it("raw passes chunks through; every framing takes any bytes without throwing anything but RttError", () => {
    assert.deepEqual(new Deframer("raw").push(Buffer.from("xyz")), [Buffer.from("xyz")]);
    fc.assert(
      fc.property(
        fc.constantFrom(...FRAMINGS),
        fc.array(fc.uint8Array({ maxLength: 64 })),
        (framing, chunks) => {
          const d = new Deframer(framing);
          try {
            for (const c of chunks) d.push(c);
            d.end();
          } catch (error) {
            assert.ok(error instanceof RttError);
          }
        },
      ),
    );
  });

  it("a length prefix over the limit is refused at once; a cut message at the end is truncated", () => {
    const d = new Deframer("length-prefixed");
    assert.throws(() => d.push(new Uint8Array([0xff, 0xff, 0xff, 0xff])), {
      code: "RTT_ERR_FRAME_OVERSIZED",
    });
    const e = new Deframer("length-prefixed");
    e.push(new Uint8Array([0, 0, 0, 5, 1, 2]));
    assert.throws(() => e.end(), { code: "RTT_ERR_FRAME_TRUNCATED" });
  });
});

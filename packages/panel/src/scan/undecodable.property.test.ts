/**
 * escapeBytes' laws: what it writes can be read back to the very bytes (so two different names
 * never look alike in a report), holds no control character and no U+FFFD it did not find, and
 * leaves a plain UTF-8 name as it was.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { escapeBytes, isUtf8 } from "./undecodable.ts";

/** The reverse of escapeBytes, written from its description: `\xNN` is a byte, `\\` is `\`. */
function bytesOf(text: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < text.length; ) {
    if (text.startsWith("\\\\", i)) {
      parts.push(Buffer.from("\\"));
      i += 2;
    } else if (text.startsWith("\\x", i)) {
      parts.push(Buffer.from([Number.parseInt(text.slice(i + 2, i + 4), 16)]));
      i += 4;
    } else {
      const char = String.fromCodePoint(text.codePointAt(i) as number);
      parts.push(Buffer.from(char, "utf8"));
      i += char.length;
    }
  }
  return Buffer.concat(parts);
}

/** A C0 control character or DEL: what a report must never carry raw (a forged line, ESC). */
const hasControl = (s: string) => [...s].some((c) => c < " " || c === "\u007f");

/** Bytes that are often, but not always, UTF-8: ASCII, multi-byte sequences and stray bytes. */
const bytes = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 3 }).map((s) => [...Buffer.from(s, "utf8")]),
      fc.constantFrom([0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbf, 0xbd], [0x5c]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 }),
    ),
    { maxLength: 8 },
  )
  .map((chunks) => Buffer.from(chunks.flat()));

describe("escapeBytes", () => {
  it("reads back to the same bytes, with no control character in it", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const text = escapeBytes(b);
        assert.deepEqual(bytesOf(text), b);
        assert.equal(hasControl(text), false, text);
        if (text.includes("\uFFFD")) assert.ok(b.includes(Buffer.from("\uFFFD")));
      }),
      { numRuns: 3000 },
    );
  });

  it("leaves a UTF-8 name without controls or backslashes as it was", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 12 }), (s) => {
        fc.pre(!hasControl(s) && !s.includes("\\"));
        const b = Buffer.from(s, "utf8");
        assert.equal(isUtf8(b), true);
        assert.equal(escapeBytes(b), s);
      }),
    );
  });

  it("a stray byte, a cut sequence and an overlong form are escaped byte by byte", () => {
    assert.equal(escapeBytes(Buffer.from([0x61, 0xff, 0x62])), "a\\xffb");
    assert.equal(escapeBytes(Buffer.from([0xe2, 0x82])), "\\xe2\\x82");
    assert.equal(escapeBytes(Buffer.from([0xc0, 0xaf])), "\\xc0\\xaf");
    assert.equal(escapeBytes(Buffer.from("a\nb\\")), "a\\x0ab\\\\");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { escapeControl, QUOTE_MAX_CHARS, quoteInput } from "./untrusted-text.ts";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const ESCAPE = /^\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})$/;

/** Strings rich in what a forged log line is made of: newlines, ESC, C1, separators. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\r", "\u001b", "[31m", "\u0085", "\u2028", "\u202e", "\\", '"', "\0"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 3 }),
  ),
  maxLength: 400,
});

/** The character an escape escapeControl writes stands for. */
function decode(written: string): string {
  const named: Record<string, string> = { "\\n": "\n", "\\r": "\r", "\\t": "\t" };
  return named[written] ?? String.fromCharCode(Number.parseInt(written.slice(2), 16));
}

describe("escapeControl: properties", () => {
  it("leaves no control character, line break or bidi override in its output", () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = escapeControl(s);
        assert.equal(UNSAFE.test(out), false, JSON.stringify(out));
        assert.equal(out.split("\n").length, 1);
      }),
      { numRuns: 500 },
    );
  });

  it("works character by character: a safe one as it is, an unsafe one as its escape", () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        assert.equal(escapeControl(a + b), escapeControl(a) + escapeControl(b));
        for (const c of a) {
          const out = escapeControl(c);
          if (UNSAFE.test(c)) {
            assert.match(out, ESCAPE);
            assert.equal(decode(out), c);
          } else assert.equal(out, c);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("writes ESC and a newline in their escaped form", () => {
    assert.equal(escapeControl("a\nb\u001b[31mc\r\t"), "a\\nb\\x1b[31mc\\r\\t");
    assert.equal(escapeControl("x\u2028y\u202e"), "x\\u2028y\\u202e");
  });
});

describe("quoteInput: properties", () => {
  it("gives back a short input exactly (as JSON), with nothing unsafe in the quote", () => {
    fc.assert(
      fc.property(hostile, fc.string({ unit: "binary", maxLength: 50 }), (h, b) => {
        const s = (h + b).slice(0, QUOTE_MAX_CHARS);
        const q = quoteInput(s);
        assert.equal(UNSAFE.test(q), false, q);
        assert.equal(JSON.parse(q), s);
      }),
      { numRuns: 300 },
    );
  });

  it("quotes only the first QUOTE_MAX_CHARS of a long input, and says how long it was", () => {
    fc.assert(
      fc.property(hostile, fc.nat({ max: 5000 }), (h, more) => {
        const s = h + "y".repeat(QUOTE_MAX_CHARS + 1 - Math.min(h.length, QUOTE_MAX_CHARS) + more);
        const q = quoteInput(s);
        assert.equal(UNSAFE.test(q), false);
        const suffix = `…" (${s.length} characters)`;
        assert.ok(q.endsWith(suffix), q.slice(-40));
        const head = JSON.parse(`${q.slice(0, -suffix.length)}"`) as string;
        assert.ok(head.length <= QUOTE_MAX_CHARS && head.length >= QUOTE_MAX_CHARS - 1);
        assert.ok(s.startsWith(head));
      }),
      { numRuns: 300 },
    );
  });

  it("never cuts a surrogate pair in two", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 50 }),
        fc.string({ unit: "grapheme", minLength: 300, maxLength: 400 }),
        (pad, s) => {
          const head = quoteInput("a".repeat(pad) + s).split('…"')[0] ?? "";
          assert.equal(/[\ud800-\udbff]$/.test(head), false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("quotes a 100 KB value in a few hundred characters", () => {
    assert.match(quoteInput("x".repeat(100_000)), /^"x{200}…" \(100000 characters\)$/);
  });
});

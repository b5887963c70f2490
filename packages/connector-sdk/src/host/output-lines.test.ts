import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { formatTail, LineSplitter, MAX_LINE, OutputTail } from "./output-lines.ts";

function splitAll(chunks: readonly Uint8Array[]): string[] {
  const s = new LineSplitter();
  return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
}

/** Cuts `bytes` at the given points. */
function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...sorted, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

describe("driver output lines", () => {
  test("LF and CRLF end lines; the unterminated rest comes at the end", () => {
    assert.deepEqual(splitAll([Buffer.from("a\r\nb\nc")]), ["a", "b", "c"]);
    assert.deepEqual(splitAll([Buffer.from("x\n")]), ["x"]);
  });

  test("property: however the bytes are chunked, the lines are the same", () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom("\n", "\r\n", "é", "€", "😀"),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
      ),
      maxLength: 200,
    });
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (t, points) => {
        const bytes = Buffer.from(t);
        const whole = splitAll([bytes]);
        assert.deepEqual(splitAll(cut(bytes, points)), whole);
        const expected = t.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
        if (expected.at(-1) === "") expected.pop();
        assert.deepEqual(whole, expected);
      }),
    );
  });

  test("a line without end is cut into MAX_LINE pieces", () => {
    const s = new LineSplitter();
    const lines = s.push("y".repeat(MAX_LINE * 2 + 5));
    assert.deepEqual(
      lines.map((l) => l.length),
      [MAX_LINE, MAX_LINE],
    );
    assert.deepEqual(s.end(), ["yyyyy"]);
  });

  test("the tail keeps the last lines in order", () => {
    const t = new OutputTail(3);
    for (const l of ["1", "2", "3", "4", "5"]) t.push(l);
    assert.deepEqual(t.lines(), ["3", "4", "5"]);
    assert.match(formatTail(t.lines()), /last output:\n {4}3\n {4}4\n {4}5$/);
    assert.match(formatTail([]), /printed nothing/);
  });
});

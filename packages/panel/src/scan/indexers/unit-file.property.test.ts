/** The unit-file parser never throws, and what a unit file says comes back entry for entry. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseUnitFile } from "./unit-file.ts";

const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/);
// No line breaks, no '\' at the end (a continuation), no blanks at either end (trimmed).
const value = fc
  .string({ maxLength: 40 })
  .map((v) =>
    v
      .replace(/[\r\n]/g, " ")
      .trim()
      .replace(/\\+$/, ""),
  )
  .filter((v) => v === v.trim());
const section = fc.record({
  name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/),
  entries: fc.array(fc.record({ key, value }), { maxLength: 6 }),
});

describe("unit-file parser", () => {
  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        for (const e of parseUnitFile(text)) assert.ok(e.line >= 1);
      }),
    );
  });

  it("round-trips sections, keys, values and lines", () => {
    fc.assert(
      fc.property(fc.array(section, { maxLength: 5 }), fc.boolean(), (sections, comments) => {
        const lines: string[] = [];
        const expected: { section: string; key: string; value: string; line: number }[] = [];
        for (const s of sections) {
          lines.push(`[${s.name}]`);
          if (comments) lines.push("# a comment", "");
          for (const e of s.entries) {
            lines.push(`${e.key} = ${e.value}`);
            expected.push({ section: s.name, ...e, line: lines.length });
          }
        }
        assert.deepEqual(parseUnitFile(lines.join("\n")), expected);
      }),
    );
  });

  it("joins continued lines and keeps the first line's number", () => {
    assert.deepEqual(parseUnitFile("[S]\nA=1 \\\n; skipped\n  2\nB=3"), [
      { section: "S", key: "A", value: "1  2", line: 2 },
      { section: "S", key: "B", value: "3", line: 5 },
    ]);
  });
});

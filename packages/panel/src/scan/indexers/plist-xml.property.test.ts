/**
 * The plist reader never throws, whatever the text, and reads back any plist written the way
 * Apple's tools write one (escaped text, nested dicts and arrays).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type PlistValue, parsePlistXml } from "./plist-xml.ts";

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function write(v: PlistValue): string {
  if (typeof v === "boolean") return v ? "<true/>" : "<false/>";
  if (typeof v === "number") return `<integer>${v}</integer>`;
  if (typeof v === "string") return `<string>${escapeXml(v)}</string>`;
  if (Array.isArray(v)) return `<array>${v.map(write).join("\n")}</array>`;
  return `<dict>${[...v].map(([k, x]) => `<key>${escapeXml(k)}</key>\n${write(x)}`).join("\n")}</dict>`;
}

// Text without control characters, which XML 1.0 does not allow (and '\r', which it folds).
const text = fc
  .string({ maxLength: 12 })
  .map((s) => [...s].map((c) => (c.charCodeAt(0) < 0x20 ? " " : c)).join(""));
const { value } = fc.letrec<{ value: PlistValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.integer(),
    fc.boolean(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc
      .uniqueArray(fc.tuple(text, tie("value")), { maxLength: 4, selector: ([k]) => k })
      .map((entries) => new Map(entries)),
  ),
}));

describe("plist reader", () => {
  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (t) => {
        parsePlistXml(t);
        parsePlistXml(`<plist>${t}</plist>`);
        parsePlistXml(`<plist><dict><key>a</key>${t}</dict></plist>`);
      }),
    );
  });

  it("reads back what it is given", () => {
    fc.assert(
      fc.property(value, (v) => {
        assert.deepEqual(parsePlistXml(`<plist version="1.0">\n${write(v)}\n</plist>\n`)?.root, v);
      }),
    );
  });

  it("expands no entity but the predefined ones and character references", () => {
    assert.equal(parsePlistXml("<plist><string>&#x41;&#66;&lt;</string></plist>")?.root, "AB<");
    assert.equal(parsePlistXml("<plist><string>&nbsp;</string></plist>"), undefined);
    assert.equal(parsePlistXml("<plist><string>a & b</string></plist>"), undefined);
    assert.equal(parsePlistXml("<!DOCTYPE x [<!ENTITY a 'b'>]><plist><true/></plist>"), undefined);
    assert.equal(parsePlistXml("<plist><string><![CDATA[x]]></string></plist>"), undefined);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { extensionKeyWarnings, unknownExtensionKeys } from "./extension-key-check.ts";
import { KNOWN_EXTENSION_KEYS } from "./extension-keys.ts";
import { validateDocument } from "./validate.ts";

const known = fc.constantFrom(...KNOWN_EXTENSION_KEYS);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const KNOWN = new Set(KNOWN_EXTENSION_KEYS);
const letter = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-_0123456789");
const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

/** One typing slip in the name part of `key` (after "x-"): a letter changed, added, dropped or two swapped. */
const slip = fc
  .tuple(known, fc.nat(), letter, fc.constantFrom("change", "add", "drop", "swap"))
  .map(([key, at, c, kind]) => {
    const i = 2 + (at % (key.length - 2));
    switch (kind) {
      case "change":
        return key.slice(0, i) + c + key.slice(i + 1);
      case "add":
        return key.slice(0, i) + c + key.slice(i);
      case "drop":
        return key.slice(0, i) + key.slice(i + 1);
      default:
        return i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : key;
    }
  });

describe("unknownExtensionKeys: properties", () => {
  it("a slip of a known key that is not itself known is reported, with a known key to try", () => {
    fc.assert(
      fc.property(slip, (key) => {
        fc.pre(!KNOWN.has(key));
        const found = unknownExtensionKeys({ [key]: 1 });
        assert.equal(found.length, 1);
        assert.equal(found[0]?.key, key);
        assert.ok(KNOWN.has(found[0]?.suggestion ?? ""), JSON.stringify(found));
      }),
      { numRuns: 500 },
    );
  });

  it("known keys, keys without x- and the named driver's own keys are never reported", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(known, { maxLength: 6 }),
        fc.uniqueArray(name, { maxLength: 4 }),
        name,
        fc.uniqueArray(name, { maxLength: 4 }),
        (keys, plain, driver, own) => {
          const symbol = {
            ...Object.fromEntries(keys.map((k) => [k, 1])),
            ...Object.fromEntries(plain.map((k) => [k, 1])),
            ...Object.fromEntries(own.map((k) => [`x-${driver}-${k}`, 1])),
            "x-driver": driver,
          };
          assert.deepEqual(unknownExtensionKeys(symbol), []);
        },
      ),
    );
  });

  it("reports each unknown x- key once, in order, whatever else the symbol holds", () => {
    const unknown = name.map((n) => `x-${n}`).filter((k) => !KNOWN.has(k));
    fc.assert(
      fc.property(fc.uniqueArray(unknown, { maxLength: 6 }), fc.uniqueArray(known), (odd, keys) => {
        const symbol = Object.fromEntries([...odd, ...keys].map((k) => [k, true]));
        assert.deepEqual(
          unknownExtensionKeys(symbol).map((u) => u.key),
          odd,
        );
      }),
    );
  });

  it("a hostile key or driver name reaches the warning escaped, on one line", () => {
    const hostile = fc.string({
      unit: fc.constantFrom("a", "\n", "\r", "\u001b", "[31m", "\u2028", "\u202e", '"', "\\"),
      maxLength: 30,
    });
    fc.assert(
      fc.property(hostile, hostile, (key, driver) => {
        const symbol = {
          saddr: "rtt://demo/proc/tool@1.0.0",
          type: "proc",
          direction: "both",
          "x-driver": `d${driver}`,
          [`x-${key}`]: 1,
        };
        const r = validateDocument("manifest", JSON.stringify({ symbol }), "m.json");
        assert.ok(r.ok);
        for (const w of r.ok ? extensionKeyWarnings(r.document) : []) {
          assert.doesNotMatch(`${w.message} ${w.hint}`, UNSAFE);
        }
      }),
    );
  });
});

/**
 * Whatever a project calls itself, a discovered symbol gets a valid concrete address: segmentOf
 * always yields a SADDR segment, is idempotent, and discoveredSaddr never throws.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConcrete, SYMBOL_TYPES } from "@rtt/core";
import fc from "fast-check";
import { discoveredSaddr, segmentOf, UNVERSIONED, versionOf } from "./address.ts";

const SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const name = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("@scope/pkg", "github.com/a/b", "__main__", "..", "-x-", "My App!", "ß"),
);

describe("discovered addresses", () => {
  it("segmentOf yields a segment, and is idempotent", () => {
    fc.assert(
      fc.property(name, (n) => {
        const s = segmentOf(n);
        assert.match(s, SEGMENT);
        assert.equal(segmentOf(s), s);
      }),
    );
  });

  it("discoveredSaddr always parses as a concrete address", () => {
    fc.assert(
      fc.property(
        name,
        fc.constantFrom(...SYMBOL_TYPES),
        name,
        fc.option(fc.oneof(name, fc.constantFrom("1.2.3", "v2.0.0", "1.0.0-rc.1+b"))),
        (namespace, type, n, version) => {
          const saddr = discoveredSaddr({
            namespace,
            type,
            name: n,
            ...(version === null ? {} : { version }),
          });
          assert.equal(parseConcrete(saddr).type, type);
        },
      ),
    );
  });

  it("keeps an exact version and replaces anything else", () => {
    assert.equal(versionOf("v1.2.3"), "1.2.3");
    assert.equal(versionOf("1.2"), UNVERSIONED);
    assert.equal(versionOf(undefined), UNVERSIONED);
  });
});

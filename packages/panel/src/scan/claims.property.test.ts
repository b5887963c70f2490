/**
 * resolveClaims' law for copies of one address: they are one symbol (one kept, a warning each
 * for the others) exactly when contract, `x-` keys and signer all agree, whatever the key order
 * of the `x-` values; otherwise none is catalogued and each copy is an error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CatalogSymbol,
  canonicalJson,
  type JsonValue,
  type ManifestSigner,
  symbolFromContract,
} from "@rtt/core";
import fc from "fast-check";
import { type Claim, resolveClaims } from "./claims.ts";

const SADDR = "rtt://obs/extension/logger@1.9.9#ndjson";

interface Variant {
  readonly direction: "consumer" | "provider";
  readonly run?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly signer?: ManifestSigner;
}

const signer: fc.Arbitrary<ManifestSigner> = fc.oneof(
  fc.record({ key: fc.constantFrom("a".repeat(32), "b".repeat(32)), trusted: fc.constant(false) }),
  fc.record({
    key: fc.constant("a".repeat(32)),
    trusted: fc.constant(true),
    name: fc.constantFrom("alice", "al"),
  }),
);

const variant: fc.Arbitrary<Variant> = fc.record(
  {
    direction: fc.constantFrom("consumer", "provider"),
    run: fc.array(fc.constantFrom("node", "sh", "-c", "logger.mjs"), { maxLength: 2 }),
    env: fc.dictionary(fc.constantFrom("A", "B"), fc.constantFrom("1", "2"), { maxKeys: 2 }),
    signer,
  },
  { requiredKeys: ["direction"] },
);

function symbolOf(v: Variant, file: string): CatalogSymbol {
  const extra: Record<string, JsonValue> = {};
  if (v.run !== undefined) extra["x-run"] = [...v.run];
  // Keys in reverse order: the order of an x- value's keys must not matter.
  if (v.env !== undefined)
    extra["x-env"] = Object.fromEntries(Object.entries(v.env).reverse()) as JsonValue;
  const symbol = symbolFromContract(
    { saddr: SADDR, type: "extension", direction: v.direction, ...extra },
    { file, scanner: "manifest", score: 1 },
  );
  return v.signer === undefined ? symbol : { ...symbol, signer: v.signer };
}

/** What a variant means, in canonical form: two copies are the same symbol iff these are equal. */
function meaning(v: Variant): string {
  return canonicalJson({
    direction: v.direction,
    run: v.run ?? null,
    env: v.env ?? null,
    signer: v.signer ?? null,
  });
}

/** `base` with its `part` taken from `other` (absent there: absent here). */
function withPart(base: Variant, other: Variant, part: keyof Variant): Variant {
  const { [part]: _dropped, ...rest } = base;
  return (other[part] === undefined ? rest : { ...rest, [part]: other[part] }) as Variant;
}

/** A variant and its copies: each the same, or with one part taken from another variant. */
const copies: fc.Arbitrary<Variant[]> = variant.chain((base) =>
  fc
    .array(
      fc.oneof(
        fc.constant(base),
        fc
          .tuple(variant, fc.constantFrom<keyof Variant>("direction", "run", "env", "signer"))
          .map(([other, part]) => withPart(base, other, part)),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((more) => [base, ...more]),
);

describe("resolveClaims on copies of one address", () => {
  it("keeps one copy exactly when contract, x- keys and signer agree", () => {
    fc.assert(
      fc.property(copies, (variants) => {
        const claims: Claim[] = variants.map((v, i) => ({
          symbol: symbolOf(v, `copy${i}/rtt.manifest.json`),
          at: { line: 3, column: 5 },
        }));
        const { symbols, conflicts, diagnostics } = resolveClaims(claims);
        const same = variants.every((v) => meaning(v) === meaning(variants[0] as Variant));
        assert.equal(conflicts.length, 1);
        assert.equal(conflicts[0]?.identical, same);
        if (same) {
          assert.deepEqual(
            symbols.map((s) => s.source.file),
            ["copy0/rtt.manifest.json"],
          );
          assert.equal(diagnostics.length, variants.length - 1);
          assert.ok(diagnostics.every((d) => d.severity === "warning"));
        } else {
          assert.deepEqual(symbols, []);
          assert.equal(diagnostics.length, variants.length);
          assert.ok(diagnostics.every((d) => d.severity === "error"));
        }
      }),
    );
  });
});

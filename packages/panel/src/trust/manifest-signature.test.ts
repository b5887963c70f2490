import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { JsonValue } from "@rtt/core";
import fc from "fast-check";
import { generateSigningKey, loadTrustedKeys } from "./keys.ts";
import { checkManifestSignature, signManifest } from "./manifest-signature.ts";

type JsonObject = { readonly [key: string]: JsonValue };

const manifest: JsonObject = {
  $schema: "https://rtt/spec/v1",
  symbol: {
    saddr: "rtt://obs/extension/logger@1.0.0#ndjson",
    type: "extension",
    direction: "consumer",
    "x-run": ["node", "logger.mjs", "out.ndjson"],
  },
};

/** The same JSON with members in another order, as a reformatting editor might leave it. */
function reordered(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe("manifest signatures", () => {
  const rttDir = mkdtempSync(join(tmpdir(), "rtt-msig-"));
  after(() => rmSync(rttDir, { recursive: true, force: true }));
  const acme = generateSigningKey(rttDir, "acme");
  const stranger = generateSigningKey(mkdtempSync(join(rttDir, "other-")), "stranger");
  const trusted = loadTrustedKeys(rttDir);

  test("unsigned, trusted, untrusted", () => {
    assert.deepEqual(checkManifestSignature(manifest, trusted), { state: "unsigned" });
    const signed = signManifest(manifest, acme);
    assert.deepEqual(checkManifestSignature(signed, trusted), {
      state: "trusted",
      key: acme.keyId,
      name: "acme",
    });
    assert.deepEqual(checkManifestSignature(signManifest(manifest, stranger), trusted), {
      state: "untrusted",
      key: stranger.keyId,
    });
  });

  test("re-signing replaces the old signature", () => {
    const twice = signManifest(signManifest(manifest, stranger), acme);
    assert.equal(checkManifestSignature(twice, trusted).state, "trusted");
  });

  test("reformatting keeps a signature valid; any changed string breaks it", () => {
    const signed = signManifest(manifest, acme);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (text) => {
        const back = JSON.parse(JSON.stringify(reordered(signed), null, 3)) as JsonObject;
        assert.equal(checkManifestSignature(back, trusted).state, "trusted");
        const symbol = back.symbol as JsonObject;
        const run = symbol["x-run"] as string[];
        const changed = { ...back, symbol: { ...symbol, "x-run": [...run.slice(0, 2), text] } };
        const expected = text === run[2] ? "trusted" : "invalid";
        assert.equal(checkManifestSignature(changed, trusted).state, expected);
      }),
      { numRuns: 60 },
    );
  });

  test("an added x- key breaks a signature", () => {
    const signed = signManifest(manifest, acme) as { symbol: JsonObject } & JsonObject;
    const added = { ...signed, symbol: { ...signed.symbol, "x-cwd": "/" } };
    assert.equal(checkManifestSignature(added, trusted).state, "invalid");
  });
});

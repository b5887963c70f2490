import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extensionKeyWarnings, unknownExtensionKeys } from "./extension-key-check.ts";
import { EXTENSION_KEYS } from "./extension-keys.ts";
import type { JsonValue } from "./json-value.ts";
import { validateDocument } from "./validate.ts";

/** A valid request/response proc manifest with `extra` in its symbol, as 2-space JSON. */
function manifest(extra: Readonly<Record<string, JsonValue>>): string {
  const symbol = {
    saddr: "rtt://demo/proc/tool@1.0.0",
    type: "proc",
    direction: "both",
    io: "req",
    ...extra,
  };
  return JSON.stringify({ symbol }, null, 2);
}

function warningsOf(text: string) {
  const r = validateDocument("manifest", text, "tool/rtt.manifest.json");
  assert.equal(r.ok, true, r.ok ? "" : JSON.stringify(r.diagnostics));
  return r.ok ? extensionKeyWarnings(r.document) : [];
}

describe("extensionKeyWarnings", () => {
  it("warns at the misspelt key's line and column, with the known key it meant", () => {
    const text = manifest({ "x-run": ["python3", "tool.py"], "x-cdw": ".." });
    const [w, ...rest] = warningsOf(text);
    assert.deepEqual(rest, []);
    const line = text.split("\n").findIndex((l) => l.includes('"x-cdw"')) + 1;
    assert.deepEqual(w, {
      severity: "warning",
      code: "RTT_ERR_DOC_SCHEMA",
      message: 'unknown key "x-cdw": RTT reads no such key',
      file: "tool/rtt.manifest.json",
      line,
      column: 5,
      hint: 'did you mean "x-cwd"?',
    });
  });

  it("without a near key, the hint says where keys are listed and how a custom driver's look", () => {
    const [w] = warningsOf(manifest({ "x-team-contact": "ops@example.org" }));
    assert.match(w?.hint ?? "", /docs\/manifest\.md/);
    assert.match(w?.hint ?? "", /"x-<driver>-"/);
  });

  it("leaves alone the keys of the driver the manifest names, and only those", () => {
    const text = manifest({ "x-driver": "mqtt", "x-mqtt-topic": "a/b", "x-kafka-topic": "c" });
    assert.deepEqual(
      warningsOf(text).map((w) => [w.message, w.hint]),
      [
        [
          'unknown key "x-kafka-topic": RTT reads no such key',
          `no built-in driver reads it (docs/manifest.md lists the keys); this manifest's driver reads keys starting with "x-mqtt-"; notes for people go in "tags" or "x-note"`,
        ],
      ],
    );
  });

  it("warns about a known key put beside symbol instead of in it", () => {
    const text = JSON.stringify(
      { "x-run": ["true"], "x-tool": 1, symbol: JSON.parse(manifest({})).symbol },
      null,
      2,
    );
    assert.deepEqual(
      warningsOf(text).map((w) => [w.line, w.column, w.message, w.hint]),
      [[2, 3, '"x-run" is read inside "symbol" only', 'move it into "symbol"']],
    );
  });

  it("says nothing about a manifest with only known keys", () => {
    assert.deepEqual(warningsOf(manifest({ "x-run": ["a"], "x-note": "n", "x-env": {} })), []);
  });

  it("every example of the key table validates in a manifest and warns about nothing", () => {
    for (const [key, spec] of Object.entries(EXTENSION_KEYS)) {
      assert.deepEqual(warningsOf(manifest({ [key]: spec.example })), [], key);
    }
  });
});

describe("unknownExtensionKeys", () => {
  it("lists unknown keys in the symbol's order; keys without x- are the schema's business", () => {
    assert.deepEqual(unknownExtensionKeys({ "x-zz": 1, saddr: "s", "x-rn": [], typo: 1 }), [
      { key: "x-zz" },
      { key: "x-rn", suggestion: "x-run" },
    ]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { symbol } from "../reconcile/reconciler-fixtures.ts";
import { symbolToWire } from "./panel-messages.ts";

describe("symbolToWire", () => {
  it("carries who signed the manifest, and nothing for an unsigned one", () => {
    const plain = symbol("rtt://obs/proc/logger@1.0.0", {});
    assert.deepEqual(
      [symbolToWire(plain).signed_by, symbolToWire(plain).signer_trusted],
      ["", false],
    );
    const key = "ab".repeat(16);
    const signed = symbolToWire({ ...plain, signer: { key, trusted: true, name: "me" } });
    assert.deepEqual([signed.signed_by, signed.signer_trusted], [key, true]);
    const stranger = symbolToWire({ ...plain, signer: { key, trusted: false } });
    assert.deepEqual([stranger.signed_by, stranger.signer_trusted], [key, false]);
  });

  it("carries who found the symbol, how sure, and at which line", () => {
    const plain = symbol("rtt://obs/proc/logger@1.0.0", {});
    const wire = symbolToWire(plain);
    assert.deepEqual([wire.found_by, wire.score, wire.source_line], ["manifest", 1, 0]);
    const found = symbolToWire({
      ...plain,
      source: { file: "bin/logger", line: 1, scanner: "indexer:shell", score: 0.6 },
    });
    assert.deepEqual(
      [found.source_file, found.found_by, found.score, found.source_line],
      ["bin/logger", "indexer:shell", 0.6, 1],
    );
  });
});

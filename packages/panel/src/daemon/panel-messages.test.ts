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
});

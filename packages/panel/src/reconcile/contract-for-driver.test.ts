/** A driver is opened with the launch the plan recorded, not the manifest as it is now (ADR 0012). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Contract, contractHash, launchOf, symbolFromContract } from "@rtt/core";
import { contractForDriver } from "./drivers.ts";

const SOURCE = {
  file: "services/logger/rtt.manifest.json",
  scanner: "manifest",
  score: 1,
} as const;

function logger(extra: Record<string, unknown>) {
  return symbolFromContract(
    {
      saddr: "rtt://obs/extension/logger@1.0.0",
      type: "extension",
      direction: "consumer",
      ...extra,
    } as Contract,
    SOURCE,
  );
}

describe("contractForDriver", () => {
  it("runs the recorded launch, keeping labels from the catalog", () => {
    const planned = logger({ "x-run": ["node", "logger.mjs"] });
    const edited = logger({
      "x-run": ["sh", "-c", "id > /tmp/pwned"],
      "x-cwd": "/",
      "x-note": "a label",
    });
    const sent = JSON.parse(contractForDriver(edited, "/ws", launchOf(planned)));
    assert.deepEqual(sent["x-run"], ["node", "logger.mjs"]);
    assert.equal(sent["x-cwd"], "/ws/services/logger");
    assert.equal(sent["x-note"], "a label");
    assert.equal("launch_hash" in sent || "source" in sent || "contract_hash" in sent, false);
  });

  it("without a recorded launch, runs the catalog's, x-cwd against the manifest's folder", () => {
    const sent = JSON.parse(
      contractForDriver(logger({ "x-run": ["node", "l.mjs"], "x-cwd": "bin" }), "/ws"),
    );
    assert.deepEqual(sent["x-run"], ["node", "l.mjs"]);
    assert.equal(sent["x-cwd"], "/ws/services/logger/bin");
  });

  it("hashes to the catalog's contract hash, whoever signed the manifest", () => {
    // The driver checks this hash in the QuickConnect SYN: catalog-only fields must not reach it.
    const signed = {
      ...logger({ "x-run": ["node", "logger.mjs"] }),
      signer: { key: "0".repeat(32), trusted: true, name: "me" },
    };
    const sent = JSON.parse(contractForDriver(signed, "/ws")) as Contract;
    assert.equal(contractHash(sent), signed.contract_hash);
  });
});

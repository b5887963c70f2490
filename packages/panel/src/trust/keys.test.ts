import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  generateSigningKey,
  loadSigningKey,
  loadTrustedKeys,
  panelKey,
  signBytes,
  verifyBytes,
} from "./keys.ts";

describe("workspace keys", () => {
  const rttDir = mkdtempSync(join(tmpdir(), "rtt-keys-"));
  after(() => rmSync(rttDir, { recursive: true, force: true }));

  test("a generated key is 0600 in a 0700 folder, trusted by its public half, never replaced", () => {
    const made = generateSigningKey(rttDir, "acme");
    assert.equal(statSync(join(rttDir, "keys", "acme.key")).mode & 0o777, 0o600);
    assert.equal(statSync(join(rttDir, "keys")).mode & 0o777, 0o700);
    assert.equal(made.publicFile, join(rttDir, "trust", "acme.pub"));
    const trusted = loadTrustedKeys(rttDir);
    assert.equal(trusted.get(made.keyId)?.name, "acme");
    assert.equal(loadSigningKey(rttDir, "acme").keyId, made.keyId);
    assert.throws(() => generateSigningKey(rttDir, "acme"), /exists already/);
    assert.throws(() => generateSigningKey(rttDir, "../evil"), /not allowed/);
  });

  test("the panel's key is made once and is not a trusted signer", () => {
    const first = panelKey(rttDir);
    assert.equal(panelKey(rttDir).keyId, first.keyId);
    assert.equal(loadTrustedKeys(rttDir).has(first.keyId), false);
  });

  test("signatures verify only for the signed bytes, the right key and a well-formed value", () => {
    const key = loadSigningKey(rttDir, "acme");
    const other = panelKey(rttDir);
    const data = Buffer.from("hello");
    const sig = signBytes(key.privateKey, data);
    assert.equal(verifyBytes(key.publicKey, data, sig), true);
    assert.equal(verifyBytes(key.publicKey, Buffer.from("hellO"), sig), false);
    assert.equal(verifyBytes(other.publicKey, data, sig), false);
    assert.equal(verifyBytes(key.publicKey, data, `${sig.slice(0, -2)}!!`), false);
    assert.equal(verifyBytes(key.publicKey, data, ""), false);
  });

  test("a trust file that is no key is an error naming it", () => {
    writeFileSync(join(rttDir, "trust", "junk.pub"), "not a key");
    assert.throws(() => loadTrustedKeys(rttDir), /junk\.pub is not a public key/);
  });
});

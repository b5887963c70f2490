import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { keyIdOf, verifyToken } from "@rtt/core";
import type { SigningKey } from "./keys.ts";
import { MAX_TTL_MS, mintToken, parseTtl } from "./tokens.ts";

function freshKey(name = "panel"): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { name, keyId: keyIdOf(publicKey), privateKey, publicKey };
}

const scope = { actions: ["qc" as const, "trip" as const], routes: ["events-to-log"], saddrs: [] };
const NOW = Date.parse("2026-12-06T12:00:00Z");

describe("capability tokens", () => {
  const key = freshKey();

  test("a minted token verifies with its claims, scope and key id in the footer", () => {
    const { token, claims } = mintToken(key, scope, { ttlMs: 3_600_000, sub: "alice", now: NOW });
    const back = verifyToken(key.publicKey, token, NOW + 1000);
    assert.deepEqual(back, claims);
    assert.equal(back.exp - back.iat, 3_600_000);
    assert.match(back.jti, /^[0-9a-f]{32}$/);
    const footer = JSON.parse(Buffer.from(token.split(".")[3] ?? "", "base64url").toString());
    assert.deepEqual(footer, { kid: key.keyId });
  });

  test("each token has its own id", () => {
    const a = mintToken(key, scope, { ttlMs: 1000, sub: "a" }).claims.jti;
    const b = mintToken(key, scope, { ttlMs: 1000, sub: "a" }).claims.jti;
    assert.notEqual(a, b);
  });

  test("expired past the skew allowance, or issued in the future, is refused", () => {
    const { token } = mintToken(key, scope, { ttlMs: 1000, sub: "a", now: NOW });
    assert.doesNotThrow(() => verifyToken(key.publicKey, token, NOW + 1000 + 5000));
    assert.throws(
      () => verifyToken(key.publicKey, token, NOW + 1000 + 60_000),
      /expired at 2026-12-06T12:00:01.000Z/,
    );
    assert.throws(() => verifyToken(key.publicKey, token, NOW - 60_000), /issued in the future/);
  });

  test("a token of another panel is refused naming both keys", () => {
    const other = freshKey();
    const { token } = mintToken(other, scope, { ttlMs: 60_000, sub: "a", now: NOW });
    assert.throws(
      () => verifyToken(key.publicKey, token, NOW),
      (e: Error & { code?: string }) =>
        e.code === "RTT_ERR_TOKEN" &&
        e.message.includes(other.keyId) &&
        e.message.includes(key.keyId),
    );
  });

  test("a forged kid does not help: the signature is still checked", () => {
    const other = freshKey();
    const forged = { ...other, keyId: key.keyId };
    const { token } = mintToken(forged, scope, { ttlMs: 60_000, sub: "a", now: NOW });
    assert.throws(() => verifyToken(key.publicKey, token, NOW), /signature does not verify/);
  });

  test("a malformed scope is refused at mint", () => {
    assert.throws(
      () =>
        mintToken(
          key,
          { actions: ["root" as never], routes: [], saddrs: [] },
          { ttlMs: 1, sub: "" },
        ),
      /unknown action "root"/,
    );
  });

  test("TTLs parse with units, up to 30 days", () => {
    assert.equal(parseTtl("90s"), 90_000);
    assert.equal(parseTtl("15m"), 900_000);
    assert.equal(parseTtl("1h"), 3_600_000);
    assert.equal(parseTtl("30d"), MAX_TTL_MS);
    assert.throws(() => parseTtl("31d"), /longer than the 30d/);
    for (const bad of ["", "1", "0s", "-1h", "1.5h", "1w", "1 h", "h"])
      assert.throws(() => parseTtl(bad), /expected a whole number and a unit/, bad);
  });
});

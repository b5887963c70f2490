import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { keyIdOf, signV4Public, verifyToken, verifyV4Public } from "@rtt/core";
import type { SigningKey } from "./keys.ts";
import { MAX_TTL_MS, mintToken, parseTtl } from "./tokens.ts";

function freshKey(name = "panel"): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { name, keyId: keyIdOf(publicKey), privateKey, publicKey };
}

const scope = { actions: ["qc" as const, "trip" as const], routes: ["events-to-log"], saddrs: [] };
const NOW = Date.parse("2026-12-06T12:00:00Z");

describe("PASETO v4.public", () => {
  // The published PASETO test vector 4-S-2 (paseto-standard/test-vectors, v4.json).
  const secretPem =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILTL+0PfTOIQcn2VPkpxMwf6Gbt9n4UEFDjZ4RuUKjd0\n-----END PRIVATE KEY-----";
  const token =
    "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9v3Jt8mx_TdM2ceTGoqwrh4yDFn0XsHvvV_D0DtwQxVrJEBMl0F2caAdgnpKlt4p7xBnx1HcO-SPo8FPp214HDw.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9";
  const payload = '{"data":"this is a signed message","exp":"2022-01-01T00:00:00+00:00"}';
  const footer = '{"kid":"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haN"}';

  test("signs and verifies the published test vector 4-S-2 byte for byte", () => {
    const priv = createPrivateKey(secretPem);
    assert.equal(signV4Public(priv, Buffer.from(payload), Buffer.from(footer)), token);
    const out = verifyV4Public(createPublicKey(priv), token);
    assert.equal(out.message.toString(), payload);
    assert.equal(out.footer.toString(), footer);
  });

  test("refuses a changed payload, footer or another key", () => {
    const pub = createPublicKey(createPrivateKey(secretPem));
    const [, , body, foot] = token.split(".");
    const flipped = `v4.public.${(body ?? "").replace(/^e/, "f")}.${foot}`;
    assert.throws(() => verifyV4Public(pub, flipped), /does not verify|not base64url/);
    const otherFooter = `v4.public.${body}.${Buffer.from('{"kid":"x"}').toString("base64url")}`;
    assert.throws(() => verifyV4Public(pub, otherFooter), /does not verify/);
    assert.throws(() => verifyV4Public(freshKey().publicKey, token), /does not verify/);
    assert.throws(() => verifyV4Public(pub, "v3.public.abc"), /not a PASETO v4.public/);
    assert.throws(() => verifyV4Public(pub, "v4.public.AAAA"), /truncated/);
  });
});

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

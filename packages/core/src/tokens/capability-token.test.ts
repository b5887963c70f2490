// The PASETO v4.public codec against the published test vector, and the Ed25519 key forms a
// driver is handed (the raw 32 bytes of the panel's public key).
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { signV4Public, verifyV4Public } from "./capability-token.ts";
import { keyIdOf, publicKeyFromRaw, rawPublicKey } from "./ed25519.ts";

const freshKey = () => generateKeyPairSync("ed25519");

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

describe("Ed25519 public keys in raw form", () => {
  test("the raw 32 bytes make the same key, with the same id", () => {
    const { publicKey } = freshKey();
    const raw = rawPublicKey(publicKey);
    assert.equal(raw.length, 32);
    const back = publicKeyFromRaw(raw);
    assert.ok(back.equals(publicKey));
    assert.equal(keyIdOf(back), keyIdOf(publicKey));
  });

  test("anything but 32 bytes is refused with RTT_ERR_KEY", () => {
    for (const n of [0, 31, 33, 64])
      assert.throws(() => publicKeyFromRaw(new Uint8Array(n)), {
        code: "RTT_ERR_KEY",
        message: new RegExp(`is 32 bytes, not ${n}`),
      });
  });
});

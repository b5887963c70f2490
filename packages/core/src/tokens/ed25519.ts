/**
 * The Ed25519 primitives every trust check shares (node:crypto): a key's id, a signature and
 * its check, and a public key from its raw 32 bytes (as the panel hands it to a driver).
 * Private keys and their files stay in the panel (trust/keys.ts).
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { RttError } from "../errors.ts";

const RAW_PUBLIC_KEY_BYTES = 32;

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string")
    throw new RttError("RTT_ERR_KEY", "not an Ed25519 public key");
  return Buffer.from(jwk.x, "base64url");
}

/** The Ed25519 public key whose raw form is `raw`; RTT_ERR_KEY when it is not 32 bytes. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== RAW_PUBLIC_KEY_BYTES)
    throw new RttError(
      "RTT_ERR_KEY",
      `an Ed25519 public key is ${RAW_PUBLIC_KEY_BYTES} bytes, not ${raw.length}`,
    );
  const x = Buffer.from(raw).toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}

/** The id of a public key: hex of the first 16 bytes of SHA-256 over its raw 32 bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, 32);
}

/** An Ed25519 signature of `data`, base64. */
export function signBytes(key: KeyObject, data: Uint8Array): string {
  return sign(null, data, key).toString("base64");
}

/** Whether `signature` (base64) is `key`'s signature of `data`; false for malformed input. */
export function verifyBytes(key: KeyObject, data: Uint8Array, signature: string): boolean {
  const bytes = Buffer.from(signature, "base64");
  if (bytes.length !== 64 || bytes.toString("base64") !== signature) return false;
  try {
    return verify(null, data, key, bytes);
  } catch {
    return false;
  }
}

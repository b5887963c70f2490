/**
 * Manifest signatures (ADR 0017). A manifest's `signature` member is an Ed25519 signature over
 * the RFC 8785 canonical form of the whole manifest without that member: every key counts,
 * `x-run` and the other `x-` keys included, while whitespace and member order do not, so a
 * reformatted file stays valid and any changed value does not.
 */
import type { JsonValue, ManifestSignature } from "@rtt/core";
import { canonicalJson } from "@rtt/core";
import { type SigningKey, signBytes, type TrustedKey, verifyBytes } from "./keys.ts";

export const SIGNATURE_MEMBER = "signature";

/** What a manifest's signature says, checked against the trusted keys. */
export type SignatureCheck =
  | { readonly state: "unsigned" }
  /** Signed by a trusted key, and the signature verifies. */
  | { readonly state: "trusted"; readonly key: string; readonly name: string }
  /** Signed by a key that is not trusted: whether it verifies cannot be told. */
  | { readonly state: "untrusted"; readonly key: string }
  /** Signed by a trusted key, but the bytes changed since (or the signature is not its). */
  | { readonly state: "invalid"; readonly key: string; readonly name: string };

type JsonObject = { readonly [key: string]: JsonValue };

/** The bytes a signature covers: the canonical manifest without its `signature` member. */
export function signedBytes(manifest: JsonObject): Buffer {
  const { [SIGNATURE_MEMBER]: _signature, ...rest } = manifest;
  return Buffer.from(canonicalJson(rest), "utf8");
}

/** The manifest with a fresh `signature` member by `key` (an older one is replaced). */
export function signManifest(manifest: JsonObject, key: SigningKey): JsonObject {
  const signature: ManifestSignature = {
    alg: "ed25519",
    key: key.keyId,
    sig: signBytes(key.privateKey, signedBytes(manifest)),
  };
  const { [SIGNATURE_MEMBER]: _old, ...rest } = manifest;
  return { ...rest, [SIGNATURE_MEMBER]: { ...signature } };
}

/**
 * Checks a manifest that passed schema validation (so `signature`, when there, has the
 * ManifestSignature shape) against the trusted keys.
 */
export function checkManifestSignature(
  manifest: JsonObject,
  trusted: ReadonlyMap<string, TrustedKey>,
): SignatureCheck {
  const signature = manifest[SIGNATURE_MEMBER] as ManifestSignature | undefined;
  if (signature === undefined) return { state: "unsigned" };
  const signer = trusted.get(signature.key);
  if (signer === undefined) return { state: "untrusted", key: signature.key };
  const ok = verifyBytes(signer.publicKey, signedBytes(manifest), signature.sig);
  return { state: ok ? "trusted" : "invalid", key: signature.key, name: signer.name };
}

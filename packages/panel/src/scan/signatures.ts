/**
 * What the scan makes of manifest signatures (ADR 0017): the trusted keys are read once per scan,
 * each manifest's signature is checked against them, and in strict mode every symbol that is not
 * signed by a trusted key is named.
 */
import { join } from "node:path";
import {
  type CatalogSymbol,
  canonicalHash,
  type Diagnostic,
  type JsonValue,
  type ManifestSigner,
  RttError,
  type SourceDocument,
} from "@rtt/core";
import { type ManifestTrust, passesStrictMode } from "../router/steps.ts";
import { loadTrustedKeys, TRUST_DIR, type TrustedKey } from "../trust/keys.ts";
import { checkManifestSignature } from "../trust/manifest-signature.ts";
import { relativeToRoot, type WorkspacePaths } from "../workspace/workspace.ts";

export interface ScanTrust {
  readonly keys: ReadonlyMap<string, TrustedKey>;
  /**
   * A digest of the trusted keys (id and name): a cached verdict was reached under the keys of
   * the scan that cached it, so when this changes every manifest is checked again.
   */
  readonly digest: string;
}

/** The workspace's trusted keys, or a diagnostic naming the trust file that is not a key. */
export function scanTrust(paths: WorkspacePaths): ScanTrust | { failure: Diagnostic } {
  let keys: ReadonlyMap<string, TrustedKey>;
  try {
    keys = loadTrustedKeys(paths.rttDir);
  } catch (error) {
    if (!(error instanceof RttError)) throw error;
    return {
      failure: {
        severity: "error",
        code: error.code,
        message: error.message,
        file: relativeToRoot(paths, join(paths.rttDir, TRUST_DIR)),
        line: 1,
        column: 1,
        hint: `${error.hint ?? "fix or remove that trust file"}; the catalog was left as it was`,
      },
    };
  }
  const ids = [...keys.values()].map((k) => [k.keyId, k.name]).sort();
  return { keys, digest: canonicalHash(ids) };
}

/**
 * Who signed a valid manifest: `{signer}` (absent when unsigned), or the diagnostic for a
 * signature that does not verify with the trusted key it names — such a manifest is not
 * catalogued, whatever the mode.
 */
export function signerOf(
  /** The manifest as parsed, schema-valid. */
  manifest: unknown,
  document: SourceDocument,
  file: string,
  keys: ReadonlyMap<string, TrustedKey>,
): { signer?: ManifestSigner } | { failure: Diagnostic } {
  const check = checkManifestSignature(manifest as { readonly [key: string]: JsonValue }, keys);
  switch (check.state) {
    case "unsigned":
      return {};
    case "trusted":
      return { signer: { key: check.key, trusted: true, name: check.name } };
    case "untrusted":
      return { signer: { key: check.key, trusted: false } };
    case "invalid":
      return {
        failure: {
          severity: "error",
          code: "RTT_ERR_SIGNATURE",
          message: `the signature by trusted key ${check.name} (${check.key}) does not verify; the manifest changed after it was signed, so it is not catalogued`,
          file,
          ...document.locate(["signature"]),
          hint: "if the change is yours, sign it again with `rtt sign FILE`; otherwise restore the signed file",
        },
      };
  }
}

/**
 * With `security.strict_manifests`, a warning for every symbol not signed by a trusted key: the
 * router passes it over unless `security.allow_unsigned` matches its address.
 */
export function strictWarnings(
  trust: ManifestTrust,
  symbols: readonly CatalogSymbol[],
): Diagnostic[] {
  return symbols
    .filter((s) => !passesStrictMode(trust, s))
    .map((s) => {
      const found = s.source.scanner !== "manifest";
      return {
        severity: "warning",
        code: "RTT_ERR_SIGNATURE",
        message: found
          ? `${s.saddr} was discovered by ${s.source.scanner}, so it is unsigned; strict_manifests is on, so it will not be routed unless allow_unsigned matches it`
          : `${s.saddr} is ${s.signer === undefined ? "unsigned" : `signed by untrusted key ${s.signer.key}`}; strict_manifests is on, so it will not be routed unless allow_unsigned matches it`,
        file: s.source.file,
        line: s.source.line ?? 1,
        column: 1,
        hint: found
          ? `adopt it into a manifest with \`rtt adopt ${s.saddr} --sign\`, or add its address to security.allow_unsigned`
          : s.signer === undefined
            ? "sign it with `rtt sign FILE` (after `rtt keys generate`), or add its address to security.allow_unsigned"
            : "trust the signer by putting its public key in .rtt/trust/, or add the address to security.allow_unsigned",
      } satisfies Diagnostic;
    });
}

/**
 * The ledger's head file signed with the panel's key (docs/adr/0019-audit-identity.md): a head
 * rewritten by someone without the key does not verify. The signature covers a domain string
 * and the RFC 8785 form of `{seq, hash}`, so it cannot be replayed as a token or a manifest's.
 */

import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { canonicalJson } from "@rtt/core";
import { type SigningKey, signBytes, verifyBytes } from "../trust/keys.ts";
import type { AuditHead } from "./record.ts";

const DOMAIN = "rtt-audit-head-v1\n";

function signedBytes(head: AuditHead): Buffer {
  return Buffer.from(DOMAIN + canonicalJson({ seq: head.seq, hash: head.hash }), "utf8");
}

/** The head file's content: `{seq, hash}`, with `sig` when a signer is given. */
export function headContent(head: AuditHead, signer: SigningKey | undefined): string {
  const body = { seq: head.seq, hash: head.hash };
  if (signer === undefined) return `${JSON.stringify(body)}\n`;
  const sig = {
    alg: "ed25519",
    key: signer.keyId,
    sig: signBytes(signer.privateKey, signedBytes(head)),
  };
  return `${JSON.stringify({ ...body, sig })}\n`;
}

/** Whether the head file at `path` is signed, and by `key`: "absent" when there is no file. */
export function headSignature(path: string, key: KeyObject): "absent" | "unsigned" | "bad" | "ok" {
  if (!existsSync(path)) return "absent";
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return "bad";
  }
  const v = value as { seq?: unknown; hash?: unknown; sig?: { alg?: unknown; sig?: unknown } };
  if (v === null || typeof v !== "object") return "bad";
  if (v.sig === undefined) return "unsigned";
  if (v.sig?.alg !== "ed25519" || typeof v.sig.sig !== "string") return "bad";
  if (typeof v.seq !== "number" || typeof v.hash !== "string") return "bad";
  const ok = verifyBytes(key, signedBytes({ seq: v.seq, hash: v.hash }), v.sig.sig);
  return ok ? "ok" : "bad";
}

/**
 * Capability tokens (ADR 0018): PASETO v4.public, made with node:crypto — PAE plus an Ed25519
 * signature by the panel's key. The payload carries the registered claims `jti`, `iat`, `exp`
 * (ISO 8601, as PASETO registers them) and `sub` (who minted it, informational), and the scope:
 * `actions`, `routes`, `saddrs` (token-scope.ts). The footer names the signing key:
 * `{"kid":"<panel key id>"}`, so a token of another panel is refused as that, not as a bad
 * signature.
 *
 * The codec and the check live here, in core, so the panel (its API gate) and a driver (the
 * route token in a QuickConnect SYN) verify with one implementation; minting needs the panel's
 * private key and stays in the panel (trust/tokens.ts).
 */
import type { KeyObject } from "node:crypto";
import { RttError } from "../errors.ts";
import { keyIdOf, signBytes, verifyBytes } from "./ed25519.ts";
import { checkScope, type TokenScope } from "./token-scope.ts";

const HEADER = "v4.public.";
const SIGNATURE_BYTES = 64;
/** Far above any real token; a bigger header is refused before it is decoded. */
export const MAX_TOKEN_CHARS = 8192;
/** Clocks of one machine (or a few) disagree by less than this. */
export const CLOCK_SKEW_MS = 10_000;

export interface TokenClaims extends TokenScope {
  readonly jti: string;
  readonly sub: string;
  /** Unix ms. */
  readonly iat: number;
  readonly exp: number;
}

/** PASETO's pre-authentication encoding: the piece count, then each piece after its length. */
export function pae(pieces: readonly Uint8Array[]): Buffer {
  const le64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n) & 0x7fff_ffff_ffff_ffffn);
    return b;
  };
  return Buffer.concat([le64(pieces.length), ...pieces.flatMap((p) => [le64(p.length), p])]);
}

/** A v4.public token over `message` with `footer` (may be empty), signed by `key`. */
export function signV4Public(key: KeyObject, message: Uint8Array, footer: Uint8Array): string {
  const header = Buffer.from(HEADER);
  const sig = Buffer.from(
    signBytes(key, pae([header, message, footer, new Uint8Array()])),
    "base64",
  );
  const body = Buffer.concat([message, sig]).toString("base64url");
  return footer.length === 0
    ? `${HEADER}${body}`
    : `${HEADER}${body}.${Buffer.from(footer).toString("base64url")}`;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function fromBase64url(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, "base64url");
  if (!B64URL.test(text) || bytes.toString("base64url") !== text)
    throw new RttError("RTT_ERR_TOKEN", `the token's ${what} is not base64url`);
  return bytes;
}

/** The parts of a v4.public token, unverified. */
function splitToken(token: string): { message: Buffer; sig: Buffer; footer: Buffer } {
  if (token.length > MAX_TOKEN_CHARS)
    throw new RttError("RTT_ERR_TOKEN", `the token is longer than ${MAX_TOKEN_CHARS} characters`);
  if (!token.startsWith(HEADER))
    throw new RttError("RTT_ERR_TOKEN", "the token is not a PASETO v4.public token", {
      hint: "`rtt token mint` prints one; it starts with v4.public.",
    });
  const parts = token.slice(HEADER.length).split(".");
  if (parts.length > 2) throw new RttError("RTT_ERR_TOKEN", "the token has too many parts");
  const body = fromBase64url(parts[0] ?? "", "body");
  if (body.length < SIGNATURE_BYTES) throw new RttError("RTT_ERR_TOKEN", "the token is truncated");
  return {
    message: body.subarray(0, body.length - SIGNATURE_BYTES),
    sig: body.subarray(body.length - SIGNATURE_BYTES),
    footer: parts.length === 2 ? fromBase64url(parts[1] ?? "", "footer") : Buffer.alloc(0),
  };
}

/** The message of a v4.public token whose signature by `key` verifies; RTT_ERR_TOKEN else. */
export function verifyV4Public(key: KeyObject, token: string): { message: Buffer; footer: Buffer } {
  const { message, sig, footer } = splitToken(token);
  const signed = pae([Buffer.from(HEADER), message, footer, new Uint8Array()]);
  if (!verifyBytes(key, signed, sig.toString("base64")))
    throw new RttError("RTT_ERR_TOKEN", "the token's signature does not verify");
  return { message, footer };
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new RttError("RTT_ERR_TOKEN", `the token's ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new RttError("RTT_ERR_TOKEN", `the token's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function stringList(claims: Record<string, unknown>, name: string): string[] {
  const v = claims[name] ?? [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    throw new RttError("RTT_ERR_TOKEN", `the token's ${name} claim is not a list of strings`);
  return v;
}

function timeClaim(claims: Record<string, unknown>, name: string): number {
  const v = claims[name];
  const ms = typeof v === "string" ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new RttError("RTT_ERR_TOKEN", `the token's ${name} claim is not an ISO 8601 time`);
  return ms;
}

/**
 * The claims of `token` when it is signed by `publicKey`, issued and not expired at `now`
 * (within CLOCK_SKEW_MS); RTT_ERR_TOKEN naming what is wrong else. Scope is checked by the
 * caller (token-scope.ts), against what the call touches.
 */
export function verifyToken(publicKey: KeyObject, token: string, now = Date.now()): TokenClaims {
  const { footer } = splitToken(token);
  const kid = footer.length === 0 ? undefined : parseJson(footer, "footer").kid;
  const ours = keyIdOf(publicKey);
  if (kid !== ours)
    throw new RttError(
      "RTT_ERR_TOKEN",
      `the token is signed by key ${typeof kid === "string" ? kid : "(unnamed)"}, not this panel's key ${ours}`,
      { hint: "mint it in this workspace: `rtt token mint`" },
    );
  const { message } = verifyV4Public(publicKey, token);
  const c = parseJson(message, "payload");
  if (typeof c.jti !== "string" || c.jti === "")
    throw new RttError("RTT_ERR_TOKEN", "the token has no jti claim");
  const claims: TokenClaims = {
    jti: c.jti,
    sub: typeof c.sub === "string" ? c.sub : "",
    iat: timeClaim(c, "iat"),
    exp: timeClaim(c, "exp"),
    ...checkScope(
      {
        actions: stringList(c, "actions") as TokenScope["actions"],
        routes: stringList(c, "routes"),
        saddrs: stringList(c, "saddrs"),
      },
      "the token",
    ),
  };
  if (now > claims.exp + CLOCK_SKEW_MS)
    throw new RttError(
      "RTT_ERR_TOKEN",
      `the token ${claims.jti} expired at ${new Date(claims.exp).toISOString()}`,
      {
        hint: "mint a new one: `rtt token mint`",
      },
    );
  if (claims.iat > now + CLOCK_SKEW_MS)
    throw new RttError(
      "RTT_ERR_TOKEN",
      `the token ${claims.jti} is issued in the future (${new Date(claims.iat).toISOString()})`,
    );
  return claims;
}

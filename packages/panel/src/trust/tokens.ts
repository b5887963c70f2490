/**
 * Minting capability tokens (ADR 0018): the claims of a scope, signed by the panel's private
 * key as PASETO v4.public. The codec and the check are core's (capability-token.ts), shared with
 * the drivers that check route tokens; minting needs the private key, so it stays here.
 */
import { randomBytes } from "node:crypto";
import { RttError } from "@rtt/core/errors.ts";
import { signV4Public, type TokenClaims } from "@rtt/core/tokens/capability-token.ts";
import { checkScope, type TokenScope } from "@rtt/core/tokens/token-scope.ts";
import type { SigningKey } from "./keys.ts";

export const MAX_TTL_MS = 30 * 24 * 3_600_000;

/** A token for `scope`, valid `ttlMs` from `now`, signed by the panel's key. */
export function mintToken(
  key: SigningKey,
  scope: TokenScope,
  options: { readonly ttlMs: number; readonly sub: string; readonly now?: number },
): { token: string; claims: TokenClaims } {
  checkScope(scope, "the token's scope");
  const now = options.now ?? Date.now();
  const claims: TokenClaims = {
    jti: randomBytes(16).toString("hex"),
    sub: options.sub,
    iat: now,
    exp: now + options.ttlMs,
    actions: [...scope.actions],
    routes: [...scope.routes],
    saddrs: [...scope.saddrs],
  };
  const payload = {
    ...claims,
    iat: new Date(claims.iat).toISOString(),
    exp: new Date(claims.exp).toISOString(),
  };
  const footer = Buffer.from(JSON.stringify({ kid: key.keyId }));
  const token = signV4Public(key.privateKey, Buffer.from(JSON.stringify(payload)), footer);
  return { token, claims };
}

const TTL = /^([1-9][0-9]{0,8})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `15m`, `1h`, `30d` in ms; at most MAX_TTL_MS. */
export function parseTtl(text: string): number {
  const m = TTL.exec(text);
  if (m === null)
    throw new RttError(
      "RTT_ERR_USAGE",
      `--ttl ${JSON.stringify(text)}: expected a whole number and a unit`,
      {
        hint: "e.g. --ttl 90s, 15m, 1h or 7d",
      },
    );
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms > MAX_TTL_MS)
    throw new RttError("RTT_ERR_USAGE", `--ttl ${text}: longer than the 30d a token may live`, {
      hint: "mint a shorter one, and a new one when it expires",
    });
  return ms;
}

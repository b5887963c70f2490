/**
 * Who may stop the panel (issue 15; docs/adr/0012 §API limits). Shutdown ends every route of
 * the workspace, so only its owner may ask: a process of the user the panel runs as (the kernel
 * says who connected, callers.ts) — subject, like any mutating call, to a token when
 * security.require_tokens is on — or, with tokens required, anyone whose token carries
 * `shutdown` (the owner minted it for them: ADR 0018).
 */
import type { Metadata } from "@grpc/grpc-js";
import { RttError } from "@rtt/core";
import { type CallerIdentity, whoOf } from "../audit/identity.ts";
import { EVERY_ROUTE_TARGET, type TokenGate } from "../trust/authorize.ts";

/** The uid the panel runs as (undefined where the platform has none). */
export function panelUid(): number | undefined {
  return process.getuid?.();
}

/**
 * The token id a Shutdown from `caller` was allowed by (undefined: none was needed), or the
 * refusal: RTT_ERR_NOT_OWNER, or the token gate's RTT_ERR_TOKEN.
 */
export function authorizeShutdown(
  caller: CallerIdentity,
  metadata: Metadata,
  tokens: Pick<TokenGate, "authorize" | "requireTokens">,
  ownerUid: number | undefined = panelUid(),
): string | undefined {
  const owner = caller.kind === "peer" && caller.uid === ownerUid;
  if (owner || tokens.requireTokens)
    return tokens.authorize(metadata, "shutdown", [EVERY_ROUTE_TARGET]).tokenId;
  throw new RttError(
    "RTT_ERR_NOT_OWNER",
    `Shutdown: only the panel's owner (uid ${ownerUid}) may stop it; the caller is ${whoOf(caller)}`,
    {
      hint: "ask the user the panel runs as, or turn on security.require_tokens and use a token that carries shutdown",
    },
  );
}

/**
 * The panel's token gate (ADR 0018): what each mutating API handler calls first. A call that
 * carries `authorization: Bearer <token>` is verified whatever panel.yaml says — a token that
 * is bad, expired or does not cover the call is refused, never ignored — and a call without one
 * passes only when `security.require_tokens` is off (the socket's file mode is the gate then).
 * The verified token's id goes back to the handler for the audit.
 */
import type { KeyObject } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import { RttError } from "@rtt/core/errors.ts";
import { verifyToken } from "@rtt/core/tokens/capability-token.ts";
import { EVERY_ROUTE, scopeDenial, type TokenAction } from "@rtt/core/tokens/token-scope.ts";
import type { Edit } from "../plan/plan.ts";
import type { Edge } from "../plan/topology.ts";
import { AUTHORIZATION_KEY } from "./authorization-key.ts";

const BEARER = /^Bearer ([^\s]+)$/i;

/** What a call touches: a route and the addresses at its ends, or every route. */
export interface CallTarget {
  readonly route: string | typeof EVERY_ROUTE;
  readonly saddrs: readonly string[];
}

export const EVERY_ROUTE_TARGET: CallTarget = { route: EVERY_ROUTE, saddrs: [] };

/** The target of a route given its edges before and/or after the call. */
export function routeTarget(route: string, ...edges: readonly (Edge | undefined)[]): CallTarget {
  const saddrs = new Set<string>();
  for (const e of edges) if (e !== undefined) saddrs.add(e.from.saddr).add(e.to.saddr);
  return { route, saddrs: [...saddrs] };
}

/** What applying `edits` touches: each edited route, with its ends before and after. */
export function editTargets(edits: readonly Edit[]): CallTarget[] {
  return edits.map((e) =>
    routeTarget(e.route, "before" in e ? e.before : undefined, "after" in e ? e.after : undefined),
  );
}

/** A call the gate let through: the token's id when one was used (for the audit). */
export interface Authorized {
  readonly tokenId?: string;
}

export interface TokenGateOptions {
  readonly requireTokens: boolean;
  /** The panel key's public half: only its tokens verify. */
  readonly publicKey: KeyObject;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export class TokenGate {
  readonly requireTokens: boolean;
  readonly #o: TokenGateOptions;

  constructor(options: TokenGateOptions) {
    this.requireTokens = options.requireTokens;
    this.#o = options;
  }

  /**
   * Lets the call through or throws RTT_ERR_TOKEN (PERMISSION_DENIED) naming what is missing.
   * `targets`: what the call touches; none (an apply with nothing to change) checks the action.
   */
  authorize(metadata: Metadata, action: TokenAction, targets: readonly CallTarget[]): Authorized {
    try {
      return this.#check(metadata, action, targets);
    } catch (error) {
      if (error instanceof RttError) this.#o.log?.(`refused ${action}: ${error.message}`);
      throw error;
    }
  }

  #check(metadata: Metadata, action: TokenAction, targets: readonly CallTarget[]): Authorized {
    const token = bearerToken(metadata);
    if (token === undefined) {
      if (!this.requireTokens) return {};
      throw new RttError(
        "RTT_ERR_TOKEN",
        `${action} needs a capability token (security.require_tokens is on) and the call carries none`,
        {
          hint: "mint one with `rtt token mint --action ACTION --route ROUTE` and pass it as RTT_TOKEN (the owner's CLI mints its own when it can read .rtt/keys/panel.key)",
        },
      );
    }
    const claims = verifyToken(this.#o.publicKey, token, this.#o.now?.() ?? Date.now());
    const denied = (detail: string) =>
      new RttError("RTT_ERR_TOKEN", `token ${claims.jti} does not cover ${action}: ${detail}`, {
        hint: "mint one that covers it: `rtt token mint --action ACTION --route ROUTE`",
      });
    // A call that touches nothing (an apply with no edits) needs only its action granted.
    if (targets.length === 0 && !claims.actions.includes(action))
      throw denied(
        `action ${action} is not among the token's actions (${claims.actions.join(", ") || "none"})`,
      );
    for (const t of targets) {
      const denial = scopeDenial(claims, { action, route: t.route, saddrs: t.saddrs });
      if (denial !== undefined) throw denied(denial.detail);
    }
    this.#o.log?.(
      `token ${claims.jti}${claims.sub === "" ? "" : ` (${claims.sub})`} allowed ${action}`,
    );
    return { tokenId: claims.jti };
  }
}

/** The bearer token of a call, if any; more than one, or another scheme, is refused. */
export function bearerToken(metadata: Metadata): string | undefined {
  const values = metadata.get(AUTHORIZATION_KEY);
  if (values.length === 0) return undefined;
  if (values.length > 1)
    throw new RttError("RTT_ERR_TOKEN", "the call carries more than one authorization header");
  const match = BEARER.exec(String(values[0]));
  if (match === null)
    throw new RttError("RTT_ERR_TOKEN", "the authorization header is not `Bearer <token>`");
  return match[1];
}

/**
 * Route tokens (ADR 0018 "Route tokens"): at a route's handshake the panel mints a token
 * scoped to exactly that route (action `qc`, the route id, both ends' addresses), signed by
 * its key and living only as long as a handshake may take — it is checked in the SYN and
 * nowhere else. The source driver sends it in the SYN; the target, told the route id and the
 * panel's public key in its Offer, checks it when its contract's auth mode is token or caps.
 */
import type { OfferGrant } from "@rtt/connector-sdk";
import type { SigningKey } from "./keys.ts";
import { mintToken } from "./tokens.ts";

/** The route's two ends, as planned (concrete addresses). */
export interface RouteEnds {
  readonly from: string;
  readonly to: string;
}

/** A route token outlives its handshake's deadline by this: the SYN's retries, a busy host. */
export const ROUTE_TOKEN_MARGIN_MS = 5000;

/** What the reconciler asks of route tokens at each handshake (RouteTokens, or a test's). */
export interface RouteTokenSource {
  /** What the target's Offer names: the route, and the key its tokens are checked with. */
  grant(routeId: string): OfferGrant;
  /** A fresh token for `routeId` between `ends`, for the source's SYN. */
  mint(routeId: string, ends: RouteEnds): string;
}

export class RouteTokens implements RouteTokenSource {
  readonly #key: SigningKey;
  readonly #ttlMs: number;

  /** Tokens live `handshakeTimeoutMs` plus ROUTE_TOKEN_MARGIN_MS. */
  constructor(key: SigningKey, handshakeTimeoutMs: number) {
    this.#key = key;
    this.#ttlMs = handshakeTimeoutMs + ROUTE_TOKEN_MARGIN_MS;
  }

  grant(routeId: string): OfferGrant {
    return { routeId, panelKey: this.#key.publicKey };
  }

  mint(routeId: string, ends: RouteEnds): string {
    return mintToken(
      this.#key,
      { actions: ["qc"], routes: [routeId], saddrs: [ends.from, ends.to] },
      { ttlMs: this.#ttlMs, sub: `route ${routeId}` },
    ).token;
  }
}

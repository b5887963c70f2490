/**
 * The target end's check of a route token in the QuickConnect SYN (ADR 0018 "Route tokens"):
 * when the link's contract says `auth.mode` `token` or `caps`, only an initiator holding a
 * token the panel minted for this route (action `qc`, the route id, both ends' addresses) is
 * admitted, so a driver cannot be bound into a route it was not given. The panel names the
 * route and its public key in the Offer; the target trusts its own gRPC channel to the panel.
 */
import type { KeyObject } from "node:crypto";
import {
  type AuthMode,
  type Contract,
  errorMessage,
  RttError,
  scopeDenial,
  verifyToken,
} from "@rtt/core";
import type { Syn } from "../quickconnect/messages.ts";

/** What the panel says, in the Offer, about the route a target link serves. */
export interface RouteGrant {
  readonly routeId: string;
  /** The panel's public key: route tokens are signed with its private half. */
  readonly panelKey: KeyObject;
}

/** The auth modes under which a target checks the SYN's route token. */
const CHECKED_MODES: readonly AuthMode[] = ["token", "caps"];

export function requiresRouteToken(contract: Contract): boolean {
  return CHECKED_MODES.includes(contract.auth?.mode ?? "none");
}

/**
 * The SYN check of a target link whose contract is `contract` at `saddr`, or undefined when
 * its auth mode needs none. A link that needs one but was offered without a route grant is
 * refused at the Offer: it could never admit anybody. Token times are wall time: `wallNow`.
 */
export function routeAdmission(
  contract: Contract,
  saddr: string,
  grant: RouteGrant | undefined,
  wallNow: () => number = Date.now,
): ((syn: Syn) => string | undefined) | undefined {
  if (!requiresRouteToken(contract)) return undefined;
  const mode = contract.auth?.mode;
  if (grant === undefined)
    throw new RttError(
      "RTT_ERR_TOKEN",
      `${saddr} has auth mode ${mode}: an Offer with handshake must name the route and the panel's key`,
      { hint: "the panel sends route_id and panel_key in Offer; update the panel" },
    );
  return (syn) => {
    if (syn.token === undefined)
      return `${saddr} has auth mode ${mode} and the SYN carries no route token`;
    let denial: string | undefined;
    try {
      const claims = verifyToken(grant.panelKey, syn.token, wallNow());
      denial = scopeDenial(claims, {
        action: "qc",
        route: grant.routeId,
        saddrs: [syn.saddr, saddr],
      })?.detail;
    } catch (error) {
      return `route token refused: ${errorMessage(error)}`;
    }
    return denial === undefined ? undefined : `route token refused: ${denial}`;
  };
}

/**
 * The agree step of a route's wiring (ADR 0011): its target offers the route's lane with the
 * QuickConnect control lanes, and its source runs the handshake toward them — the same step,
 * and the same ask, for a batch's prepare, a target move and arming a warm spare.
 */
import { createHash } from "node:crypto";
import type { ControlAddresses } from "@rtt/connector-sdk";
import type { LaneKind } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import type { EdgeEnd } from "../plan/topology.ts";
import type { RouteTokenSource } from "../trust/route-tokens.ts";
import type { DriverCalls } from "./drivers.ts";

/** How long a route's QuickConnect handshake may take before its batch rolls back. */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/** What the target offered: the route's data lane and its QuickConnect control lanes. */
export interface Offered {
  readonly address: LaneAddress;
  readonly control: ControlAddresses;
}

/** One side of the agree step: the driver running it and its link of the route. */
export interface AgreeingEnd {
  readonly driver: DriverCalls;
  readonly link: string;
}

export interface Agreement {
  readonly source: AgreeingEnd;
  readonly target: AgreeingEnd;
  readonly lane: LaneKind;
  /** The route being wired: its route token is scoped to it. */
  readonly route: string;
  /** The source end's address, as planned. */
  readonly from: string;
  /** The target end as the source expects to find it (its symbol and contract). */
  readonly to: EdgeEnd;
  /** Mints the route token; absent, none is sent (ReconcilerOptions.routeTokens). */
  readonly tokens: RouteTokenSource | undefined;
  readonly nonce: string;
  /** Runs after the offer, before the handshake (a fault step; a reply lane's wiring). */
  readonly between?: () => Promise<void>;
}

/**
 * The target offers, then the source runs SYN → ACK → BIND → READY toward what it offered;
 * nothing flows yet. Returns what the target offered (the source is switched to its address).
 */
export async function agree(a: Agreement): Promise<Offered> {
  const grant = a.tokens?.grant(a.route);
  const offered = await a.target.driver.offerWithHandshake(
    a.target.link,
    a.lane,
    grant === undefined ? {} : { grant },
  );
  await a.between?.();
  await a.source.driver.handshake(a.source.link, handshakeAsk(a, offered));
  return offered;
}

/** What the source end asks in the QuickConnect handshake toward the target's offered lanes. */
function handshakeAsk(a: Agreement, offered: Offered) {
  // Minted last, just before the SYN: it lives only as long as a handshake may take.
  const routeToken = a.tokens?.mint(a.route, { from: a.from, to: a.to.saddr });
  return {
    control: offered.control,
    data: offered.address,
    expectSaddr: a.to.saddr,
    expectContractHash: a.to.contract_hash,
    nonce: a.nonce,
    timeoutMs: HANDSHAKE_TIMEOUT_MS,
    ...(routeToken === undefined ? {} : { routeToken }),
  };
}

/** A route's handshake nonce within a transaction: derived from both, unique to the pair. */
export function txNonce(txid: string, routeId: string): string {
  return createHash("sha256").update(`${txid}\u0000${routeId}`).digest("hex").slice(0, 32);
}

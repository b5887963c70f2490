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
import type { DriverCalls } from "./drivers.ts";

/** How long a route's QuickConnect handshake may take before its batch rolls back. */
const HANDSHAKE_TIMEOUT_MS = 5000;

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
  /** The target end as the source expects to find it (its symbol and contract). */
  readonly to: EdgeEnd;
  readonly nonce: string;
  /** Runs after the offer, before the handshake (a fault step; a reply lane's wiring). */
  readonly between?: () => Promise<void>;
}

/**
 * The target offers, then the source runs SYN → ACK → BIND → READY toward what it offered;
 * nothing flows yet. Returns what the target offered (the source is switched to its address).
 */
export async function agree(a: Agreement): Promise<Offered> {
  const offered = await a.target.driver.offerWithHandshake(a.target.link, a.lane);
  await a.between?.();
  await a.source.driver.handshake(a.source.link, handshakeAsk(a.to, offered, a.nonce));
  return offered;
}

/** What the source end asks in the QuickConnect handshake toward `to`'s offered lanes. */
function handshakeAsk(to: EdgeEnd, offered: Offered, nonce: string) {
  return {
    control: offered.control,
    data: offered.address,
    expectSaddr: to.saddr,
    expectContractHash: to.contract_hash,
    nonce,
    timeoutMs: HANDSHAKE_TIMEOUT_MS,
  };
}

/** A route's handshake nonce within a transaction: derived from both, unique to the pair. */
export function txNonce(txid: string, routeId: string): string {
  return createHash("sha256").update(`${txid}\u0000${routeId}`).digest("hex").slice(0, 32);
}

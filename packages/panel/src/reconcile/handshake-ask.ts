/**
 * What a route's source asks in the QuickConnect handshake (ADR 0011) toward the lanes its
 * target offered: the same ask for a batch's prepare, a target move and arming a warm spare.
 */
import { createHash } from "node:crypto";
import type { ControlAddresses } from "@rtt/connector-sdk";
import type { LaneAddress } from "@rtt/fabric";
import type { EdgeEnd } from "../plan/topology.ts";

/** How long a route's QuickConnect handshake may take before its batch rolls back. */
const HANDSHAKE_TIMEOUT_MS = 5000;

/** What the source end asks in the QuickConnect handshake toward `to`'s offered lanes. */
export function handshakeAsk(
  to: EdgeEnd,
  offered: { readonly address: LaneAddress; readonly control: ControlAddresses },
  nonce: string,
) {
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

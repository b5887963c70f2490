/**
 * The agree step of a route's wiring (ADR 0011): its target offers the route's lane with the
 * QuickConnect control lanes, and its source runs the handshake toward them — the same step,
 * and the same ask, for a batch's prepare, a target move and arming a warm spare. The lane kind
 * is negotiated here (ADR 0031, lane-choice.ts): the plan's, else the next of `routing.prefer`
 * both drivers declare, past any whose Offer fails.
 */
import { createHash } from "node:crypto";
import type { ControlAddresses } from "@rtt/connector-sdk";
import type { LaneKind } from "@rtt/core";
import { errorMessage } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import type { EdgeEnd } from "../plan/topology.ts";
import type { RouteTokenSource } from "../trust/route-tokens.ts";
import type { DriverCalls } from "./drivers.ts";
import { laneCandidates, noCommonLane } from "./lane-choice.ts";

/** How long a route's QuickConnect handshake may take before its batch rolls back. */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/** What the target offered: the route's data lane and its QuickConnect control lanes. */
export interface Offered {
  readonly address: LaneAddress;
  readonly control: ControlAddresses;
}

/** What the target offered, and the lane kind it was offered on (ADR 0031). */
export interface Agreed extends Offered {
  readonly lane: LaneKind;
}

/** One side of the agree step: the driver running it and its link of the route. */
export interface AgreeingEnd {
  readonly driver: DriverCalls;
  readonly link: string;
}

export interface Agreement {
  readonly source: AgreeingEnd;
  readonly target: AgreeingEnd;
  /** The plan's lane for the route: tried first. */
  readonly lane: LaneKind;
  /** `routing.prefer`: the kinds to fall back on, in order, when the plan's cannot be made. */
  readonly prefer?: readonly LaneKind[];
  /** Lines of progress: a lane kind skipped, and why. */
  readonly progress?: (line: string) => void;
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
  readonly between?: (lane: LaneKind) => Promise<void>;
}

/**
 * The target offers, then the source runs SYN → ACK → BIND → READY toward what it offered;
 * nothing flows yet. Returns what the target offered (the source is switched to its address).
 */
export async function agree(a: Agreement): Promise<Agreed> {
  const { lane, offered } = await offerFirstLane(a);
  await a.between?.(lane);
  await a.source.driver.handshake(a.source.link, handshakeAsk(a, offered));
  return { ...offered, lane };
}

/** The target's Offer on the first candidate kind that it can make; the last failure if none. */
async function offerFirstLane(a: Agreement): Promise<{ lane: LaneKind; offered: Offered }> {
  const prefer = a.prefer ?? [];
  const source = a.source.driver;
  const target = a.target.driver;
  const kinds = laneCandidates(a.lane, prefer, source, target);
  const ends = { source: a.from, target: a.to.saddr };
  if (kinds.length === 0) throw noCommonLane(a.route, a.lane, prefer, ends, source, target);
  const grant = a.tokens?.grant(a.route);
  let failure: unknown;
  for (const lane of kinds) {
    try {
      const offered = await target.offerWithHandshake(
        a.target.link,
        lane,
        grant === undefined ? {} : { grant },
      );
      if (lane !== a.lane) a.progress?.(`  ${a.route}: over ${lane}, not the planned ${a.lane}`);
      return { lane, offered };
    } catch (error) {
      failure = error;
      a.progress?.(`  ${a.route}: the target could not offer ${lane}: ${errorMessage(error)}`);
    }
  }
  throw failure;
}

/** The lane negotiation's part of an Agreement, from the reconciler's options. */
export function laneOptions(o: {
  readonly prefer?: () => readonly LaneKind[];
  readonly progress?: (line: string) => void;
}): Pick<Agreement, "prefer" | "progress"> {
  return {
    ...(o.prefer === undefined ? {} : { prefer: o.prefer() }),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
  };
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

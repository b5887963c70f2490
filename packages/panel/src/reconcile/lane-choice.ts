/**
 * Lane negotiation (ADR 0031): which lane kinds a route may use between two drivers, in the
 * order the panel tries them. The plan names the route's lane from `routing.prefer` alone; at
 * apply the panel knows what each end's driver declared (GetInfo's `lanes`) and tries the plan's
 * lane, then the rest of `routing.prefer`, skipping every kind either driver cannot make. A kind
 * whose Offer fails is skipped too: the next one is tried (agree() in handshake-ask.ts).
 */
import type { LaneKind } from "@rtt/core";
import { RttError } from "@rtt/core";

/** A driver's declared lane kinds; undefined = not known (an in-process driver): any kind. */
export interface LaneSupport {
  readonly lanes?: readonly LaneKind[] | undefined;
}

/** The kinds to try for a route planned over `planned`, most preferred first. */
export function laneCandidates(
  planned: LaneKind,
  prefer: readonly LaneKind[],
  source: LaneSupport,
  target: LaneSupport,
): LaneKind[] {
  const speaks = (end: LaneSupport, kind: LaneKind) =>
    end.lanes === undefined || end.lanes.includes(kind);
  // "inproc" only where the plan chose it: it needs both ends in one process.
  const order = [planned, ...prefer.filter((k) => k !== planned && k !== "inproc")];
  return order.filter((kind) => speaks(source, kind) && speaks(target, kind));
}

/** Why no lane kind is left for a route: what each end declared. */
export function noCommonLane(
  route: string,
  planned: LaneKind,
  prefer: readonly LaneKind[],
  ends: { readonly source: string; readonly target: string },
  source: LaneSupport,
  target: LaneSupport,
): RttError {
  const list = (end: LaneSupport) => (end.lanes ?? []).join(", ") || "(none)";
  return new RttError(
    "RTT_ERR_LANE_UNAVAILABLE",
    `route ${route}: no lane kind both drivers make among ${[planned, ...prefer.filter((k) => k !== planned)].join(", ")}: ` +
      `driver "${ends.source}" declares ${list(source)}, driver "${ends.target}" declares ${list(target)}`,
    { hint: "add a kind both drivers declare to routing.prefer in .rtt/panel.yaml" },
  );
}

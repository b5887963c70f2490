/**
 * The lane kinds a driver declares (ADR 0031): in GetInfo's `lanes`, and in field 10 of its
 * handshake line as a comma-separated list ("shm,uds,tcp"). A driver that declares nothing is
 * one written before the field: it speaks "uds" and "tcp", the two kinds any language can make
 * with its standard library ("shm" needs the ring of @rtt/fabric's addon).
 */
import { isLaneKind, type LaneKind, RttError } from "@rtt/core";

/** What a driver that declares no lane kinds speaks. */
export const UNDECLARED_LANES: readonly LaneKind[] = ["uds", "tcp"];

/** The declared kinds, in the driver's order without duplicates; [] = UNDECLARED_LANES. */
export function declaredLanes(kinds: readonly string[], where: string): LaneKind[] {
  if (kinds.length === 0) return [...UNDECLARED_LANES];
  const out: LaneKind[] = [];
  for (const kind of kinds) {
    if (!isLaneKind(kind))
      throw new RttError(
        "RTT_ERR_DRIVER_HANDSHAKE",
        `${where}: unknown lane kind ${JSON.stringify(kind)}`,
        { hint: "declare lane kinds among shm, uds, tcp (docs/connectors.md)" },
      );
    if (!out.includes(kind)) out.push(kind);
  }
  return out;
}

/** Field 10 of a handshake line as a list: absent or empty = UNDECLARED_LANES. */
export function lanesOfLine(extra: readonly string[]): LaneKind[] {
  const field = extra[0] ?? "";
  return declaredLanes(field === "" ? [] : field.split(","), "handshake line field 10 (lanes)");
}

/** The kinds this process can make: the ring only where the addon loads. */
export function localLanes(shmLoads: boolean): LaneKind[] {
  return shmLoads ? ["shm", "uds", "tcp"] : ["uds", "tcp"];
}

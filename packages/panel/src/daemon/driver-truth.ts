/**
 * Crash consistency from the drivers (docs/adr/0030-durability-contract.md; docs/design.md §The
 * life of a route: recover). A hot swap answers once its source switched and its commit is
 * written, not fsynced, and a crash can fall between the Switch and the commit record: the WAL's
 * last commit may then name a route's old target while its source writes to the new one. The
 * drivers are the truth: each reports, per link, the lane it writes and the lane it reads
 * (ListLinks, OpenLink.outbound/inbound). A committed route whose source link writes to the
 * lane another link reads is running *to that link*; where that differs from the commit, the
 * restarted panel adopts it — the route is taken as wired to that target, audited as `adopt`
 * and journaled by a commit — instead of rewiring it back and undoing a swap that happened.
 *
 * A driver that does not report lanes (an older one) leaves its routes as the WAL says.
 */
import type { ListedLink } from "@rtt/connector-sdk";
import { type CatalogSymbol, canonicalJson } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import { endOf } from "../plan/topology.ts";
import { linkDrainMs } from "../reconcile/close-deadlines.ts";
import type { DriverPool } from "../reconcile/drivers.ts";
import type { WiredRoute } from "../reconcile/graph.ts";

/** A committed route the drivers run to another target, and that target's link. */
export interface ObservedMove {
  readonly route: WiredRoute;
  readonly to: { readonly driver: string; readonly link: string; readonly saddr: string };
}

/** A lane's identity, whatever order its fields came in. */
const laneKey = (address: LaneAddress): string => canonicalJson(address);

/** Each running driver's links, with their lanes; a driver that does not answer is left out. */
export async function listDriverLinks(
  pool: DriverPool,
): Promise<Map<string, readonly ListedLink[]>> {
  const held = new Map<string, readonly ListedLink[]>();
  for (const driver of pool.names()) {
    const links = await pool
      .running(driver)
      ?.listLinks()
      .catch(() => undefined);
    if (links !== undefined) held.set(driver, links);
  }
  return held;
}

/**
 * The routes of `routes` whose source link writes to the inbound lane of another link than
 * their committed target: where the drivers say each one goes. Pure: the lanes as listed.
 */
export function observedMoves(
  routes: readonly WiredRoute[],
  held: ReadonlyMap<string, readonly ListedLink[]>,
): ObservedMove[] {
  const readers = new Map<string, ObservedMove["to"]>();
  for (const [driver, links] of held)
    for (const l of links)
      if (l.inbound !== undefined)
        readers.set(laneKey(l.inbound), { driver, link: l.linkId, saddr: l.saddr });
  const moves: ObservedMove[] = [];
  for (const route of routes) {
    const source = held.get(route.from.driver)?.find((l) => l.linkId === route.from.link);
    if (source?.outbound === undefined) continue;
    const to = readers.get(laneKey(source.outbound));
    if (to === undefined) continue;
    if (to.driver === route.to.driver && to.link === route.to.link) continue;
    moves.push({ route, to });
  }
  return moves;
}

/**
 * The route as the drivers run it: wired to the observed target, whose symbol must be in the
 * catalog (else undefined: the WAL's word stands, and the restore rewires it as committed).
 */
export function adoptedRoute(
  move: ObservedMove,
  catalog: readonly CatalogSymbol[],
): WiredRoute | undefined {
  const symbol = catalog.find((s) => s.saddr === move.to.saddr);
  if (symbol === undefined) return undefined;
  const { route } = move;
  const to = endOf(symbol, move.to.driver);
  return {
    edge: { ...route.edge, to },
    from: route.from,
    to: { driver: move.to.driver, link: move.to.link, drain_ms: linkDrainMs(to, "target") },
  };
}

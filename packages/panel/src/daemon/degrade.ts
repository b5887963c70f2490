/**
 * Degrade modes (ADR 0014): what a route whose breaker opened does when the policy names no
 * failover target. A request/response route whose target declares `x-examples` is answered by
 * the stub driver in the target's place — same symbol, same contract hash, another driver — so
 * the edge itself says the route is degraded, the WAL journals it like any rewiring, and a
 * restarted panel keeps it. Anything else is held: it stays wired to the failing target.
 */
import { type CatalogSymbol, EXAMPLES_KEY, readExamples } from "@rtt/core";
import { catalogEnd, type EdgeEnd, endOf, STUB_DRIVER } from "../plan/topology.ts";
import type { WiredRoute } from "../reconcile/graph.ts";

/** Whether a stub answers for the route's target now. */
export function isDegraded(route: WiredRoute): boolean {
  return route.edge.to.driver === STUB_DRIVER;
}

/** The stub end that can stand in for the route's target, or why none can (the route is held). */
export function stubEnd(
  route: WiredRoute,
  catalog: readonly CatalogSymbol[],
): { readonly to: EdgeEnd } | { readonly held: string } {
  const target = catalog.find((s) => s.saddr === route.edge.to.saddr);
  if (target === undefined) return { held: `${route.edge.to.saddr} is not in the catalog` };
  if (route.edge.pattern !== "reqrep")
    return { held: "a one-way route has no requests a stub could answer" };
  const declared = target.extensions?.[EXAMPLES_KEY];
  if (declared === undefined)
    return { held: `${target.saddr} declares no x-examples a stub could answer from` };
  const read = readExamples(declared);
  if (!read.ok) return { held: `${target.saddr}'s x-examples: ${read.problem.message}` };
  return { to: endOf(target, STUB_DRIVER) };
}

/** The degraded route's real target end: the driver the catalog names for its symbol. */
export function realEnd(route: WiredRoute, catalog: readonly CatalogSymbol[]): EdgeEnd | undefined {
  return catalogEnd(route.edge.to.saddr, catalog);
}

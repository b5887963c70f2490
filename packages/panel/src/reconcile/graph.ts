/**
 * The graph the WAL journals with every commit (docs/design.md §The life of a route: apply): the
 * topology (edges), the links that carry it, the drivers holding those links (what a restarted
 * panel re-attaches to) and the routes' breakers.
 */
import type { DriverRecord } from "@rtt/connector-sdk";
import type { JsonValue } from "@rtt/core";
import { type Edge, TOPOLOGY_FORMAT } from "../plan/topology.ts";
import type { LinkRef } from "./drivers.ts";

export interface WiredRoute {
  readonly edge: Edge;
  readonly from: LinkRef;
  readonly to: LinkRef;
}

/**
 * The graph the WAL journals: the topology, the links that carry it, and the drivers holding
 * those links (what a restarted panel re-attaches to).
 */
export interface PanelGraph {
  readonly format: typeof TOPOLOGY_FORMAT;
  readonly edges: Readonly<Record<string, Edge>>;
  readonly links: Readonly<Record<string, { readonly from: LinkRef; readonly to: LinkRef }>>;
  readonly drivers: Readonly<Record<string, JsonValue>>;
  /** Each route's circuit breaker (health/breaker.ts), so a restart keeps an open one open. */
  readonly breakers: Readonly<Record<string, JsonValue>>;
  /**
   * Routes running on the target a failover moved them to while their breaker stays open, so a
   * restart does not hold them for want of a next target (daemon/fallback.ts). Absent: none.
   */
  readonly failed_over?: readonly string[];
}

/**
 * The graph as the WAL stores it. It is plain JSON by construction (strings, numbers and the
 * drivers' and breakers' own JSON), but TypeScript does not see an interface as assignable to
 * JsonValue's index signatures: this is the one place that says so.
 */
export function graphJson(graph: PanelGraph): JsonValue {
  return graph as unknown as JsonValue;
}

/**
 * What a move's WAL begin journals: the route as it is wired now and the commit the move starts
 * from (`base`), not the whole graph. Replay rebuilds the state from commits alone and discards a
 * begin left without its commit, so a begin only says what its transaction was about; the whole
 * graph (every route's edge and links, the drivers, the breakers) was the flip's costliest record
 * to encode, and is written once, by the commit.
 */
export function moveJson(route: WiredRoute, base: number): JsonValue {
  const { edge, from, to } = route;
  return { base, edge, from, to } as unknown as JsonValue;
}

/** The routes' edges by route id, in id order: the graph's (and Status's topology's) edges. */
export function edgesOf(routes: Iterable<WiredRoute>): Record<string, Edge> {
  const sorted = [...routes].sort((a, b) => (a.edge.route < b.edge.route ? -1 : 1));
  return Object.fromEntries(sorted.map((r) => [r.edge.route, r.edge]));
}

export function graphOf(
  routes: Iterable<WiredRoute>,
  drivers: Readonly<Record<string, JsonValue>> = {},
  breakers: Readonly<Record<string, JsonValue>> = {},
  failedOver: Iterable<string> = [],
): PanelGraph {
  const sorted = [...routes].sort((a, b) => (a.edge.route < b.edge.route ? -1 : 1));
  const wired = new Set(sorted.map((r) => r.edge.route));
  const onFailover = [...failedOver].filter((id) => wired.has(id)).sort();
  return {
    format: TOPOLOGY_FORMAT,
    edges: edgesOf(sorted),
    links: Object.fromEntries(sorted.map((r) => [r.edge.route, { from: r.from, to: r.to }])),
    drivers,
    breakers: Object.fromEntries(
      Object.entries(breakers)
        .filter(([id]) => wired.has(id))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
    ...(onFailover.length === 0 ? {} : { failed_over: onFailover }),
  };
}

/**
 * A journaled graph (or one of its fields) as an object whose fields can be read: undefined when
 * it is none (absent, null, an array, a scalar). Every reader below goes through it.
 */
function objectOf(value: JsonValue | undefined): { readonly [k: string]: JsonValue } | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return value as { readonly [k: string]: JsonValue };
}

/** The routes a journaled graph says run on a failover target (PanelGraph.failed_over). */
export function failedOverOf(graph: JsonValue | undefined): string[] {
  const list = objectOf(graph)?.failed_over;
  return Array.isArray(list) ? list.filter((id): id is string => typeof id === "string") : [];
}

/** The breaker states a journaled graph carries, by route (PanelGraph.breakers). */
export function breakersOf(graph: JsonValue | undefined): Record<string, unknown> {
  const breakers = objectOf(objectOf(graph)?.breakers);
  return breakers === undefined ? {} : { ...breakers };
}

/** The driver records a journaled graph carries (PanelGraph.drivers): what to re-attach to. */
export function driverRecordsOf(graph: JsonValue | undefined): DriverRecord[] {
  const drivers = objectOf(objectOf(graph)?.drivers);
  return drivers === undefined ? [] : (Object.values(drivers) as unknown as DriverRecord[]);
}

/** The wired routes a journaled graph names (links and edges both present). */
export function wiredRoutesOf(graph: JsonValue | undefined): WiredRoute[] {
  const g = objectOf(graph) as Partial<PanelGraph> | undefined;
  if (g === undefined) return [];
  if (g.format !== TOPOLOGY_FORMAT || g.edges === undefined || g.links === undefined) return [];
  const out: WiredRoute[] = [];
  for (const [id, edge] of Object.entries(g.edges)) {
    const links = g.links[id];
    if (links !== undefined) out.push({ edge, from: links.from, to: links.to });
  }
  return out;
}

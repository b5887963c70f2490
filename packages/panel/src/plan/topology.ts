/**
 * The panel's graph of wired routes (the observed and the desired graph,
 * docs/design.md §The life of a route: plan): one edge per route id, naming both
 * ends, the driver that opens each, the lane kind and the traffic pattern. The WAL journals it as
 * each apply's pre and post graph, so its JSON form must be canonical: keys sorted, no clock.
 */
import { canonicalHash, canonicalOnce, sameCanonicalMembers } from "@rtt/core/canonical-json.ts";
import type { JsonValue } from "@rtt/core/json-value.ts";
import { driverFor, type Launch, launchChanges, launchHash, launchOf } from "@rtt/core/launch.ts";
import type { LaneKind } from "@rtt/core/qos.ts";
import type { CatalogSymbol } from "@rtt/core/symbol.ts";

// Which connector opens a symbol is part of its launch (core launch.ts); kept importable here.
export { driverFor };

export const TOPOLOGY_FORMAT = "rtt.topology/v1";

/**
 * `oneway`: the source's output flows to the target (streams, events).
 * `reqrep`: requests flow to the target and its responses flow back, paired by correlation id
 * (either end speaks `io: req`).
 */
export type LinkPattern = "oneway" | "reqrep";

/** One end of an edge: the symbol and who opens it. */
export interface EdgeEnd {
  readonly saddr: string;
  /** The connector whose driver opens this end (`process`, `http`, `file`, or one in .rtt/drivers/). */
  readonly driver: string;
  readonly contract_hash: string;
  /**
   * What runs at this end, as planned: the driver is opened with this, not with what the
   * manifest says at apply time. Absent in topologies committed before launches were recorded.
   */
  readonly launch?: Launch;
  /** `launchHash(launch)`, present with it. */
  readonly launch_hash?: string;
}

/** The end at `symbol`, opened by `driver`, running the symbol's launch. */
export function endOf(symbol: CatalogSymbol, driver: string): EdgeEnd {
  const cached = ends.get(symbol);
  if (cached?.driver === driver) return cached;
  const launch = launchOf(symbol);
  const end: EdgeEnd = {
    saddr: symbol.saddr,
    driver,
    contract_hash: symbol.contract_hash,
    launch,
    launch_hash: launchHash(launch),
  };
  ends.set(symbol, end);
  return end;
}

/**
 * The end last made for a symbol: a target shared by many routes, or a symbol planned again by
 * a panel that keeps its catalog, is built and its launch hashed once. Its text is made only
 * where one is wanted (a plan compares ends member by member, `sameWiring`). Ends are never
 * mutated.
 */
const ends = new WeakMap<CatalogSymbol, EdgeEnd>();

/**
 * What differs between what two ends of one route run, each line prefixed with `which`
 * (`from`/`to`); an end recorded before launches were, as "(launch not recorded)".
 */
export function endLaunchChanges(which: string, before: EdgeEnd, after: EdgeEnd): string[] {
  if (before.launch_hash === after.launch_hash) return [];
  if (before.launch === undefined || after.launch === undefined)
    return [`${which} launch: (launch not recorded)`];
  return launchChanges(before.launch, after.launch).map((c) => `${which} ${c}`);
}

export interface Edge {
  readonly route: string;
  readonly from: EdgeEnd;
  readonly to: EdgeEnd;
  readonly lane: LaneKind;
  readonly pattern: LinkPattern;
  /** QoS priority from the policy (0 = first). Batches run in this order. */
  readonly prio: number;
  /** The route's parameters, passed to both ends' drivers at Open. */
  readonly params: Readonly<Record<string, string>>;
}

/** The live handles of a wired edge, known only to the panel that wired it. */
export interface EdgeLinks {
  readonly from: string;
  readonly to: string;
}

export interface Topology {
  readonly format: typeof TOPOLOGY_FORMAT;
  /** By route id, keys sorted. */
  readonly edges: Readonly<Record<string, Edge>>;
}

export const EMPTY_TOPOLOGY: Topology = { format: TOPOLOGY_FORMAT, edges: {} };

/** Two edges are the same wiring when this is equal: anything that changes it is a replace. */
export function edgeKey(edge: Edge): string {
  return canonicalHash(canonicalOnce(edge));
}

/**
 * `edgeKey(a) === edgeKey(b)` without hashing or serialising either edge: member by member,
 * down to the ends' launches. A plan compares every route's wiring, and an end is shared by
 * every route to its symbol (compared as itself, unexamined).
 */
export function sameWiring(a: Edge, b: Edge): boolean {
  return a === b || sameCanonicalMembers(a, b);
}

/**
 * Identifies a topology by its edges alone (links and drivers are how, not what). Each edge's
 * canonical text is computed once (edges are never mutated), shared with `edgeKey`.
 */
export function topologyHash(t: Topology): string {
  // Null prototype: a route id "__proto__" stays an own member. A WAL record's graph is read
  // back unchecked (asTopology), so a member that is no object is serialised as it is.
  const edges: Record<string, unknown> = Object.create(null);
  for (const [route, edge] of Object.entries(t.edges) as [string, unknown][])
    edges[route] = typeof edge === "object" && edge !== null ? canonicalOnce(edge) : edge;
  return canonicalHash(edges);
}

export function topologyOf(edges: Iterable<Edge>): Topology {
  const sorted = [...edges].sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
  return { format: TOPOLOGY_FORMAT, edges: Object.fromEntries(sorted.map((e) => [e.route, e])) };
}

/** A WAL commit's topology as a key (`stateChanges`): the same edges, the same key. */
export const topologyKey = (post: JsonValue): string => topologyHash(asTopology(post));

/** Reads a topology back from a WAL record's graph; anything else is the empty graph. */
export function asTopology(value: JsonValue | undefined): Topology {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return EMPTY_TOPOLOGY;
  const record = value as { readonly [key: string]: JsonValue };
  const edges = record.edges;
  const isGraph =
    record.format === TOPOLOGY_FORMAT &&
    typeof edges === "object" &&
    edges !== null &&
    !Array.isArray(edges);
  return isGraph ? (value as unknown as Topology) : EMPTY_TOPOLOGY;
}

/** The connector that answers for a degraded route's target (packages/connectors/stub, ADR 0014). */
export const STUB_DRIVER = "stub";

/** A target end as the catalog has it: the driver `driverFor` names; undefined when none can. */
export function catalogEnd(saddr: string, catalog: readonly CatalogSymbol[]): EdgeEnd | undefined {
  const symbol = catalog.find((s) => s.saddr === saddr);
  const driver = symbol === undefined ? undefined : driverFor(symbol);
  if (symbol === undefined || driver === undefined || driver === STUB_DRIVER) return undefined;
  return endOf(symbol, driver);
}

export function patternOf(from: CatalogSymbol, to: CatalogSymbol): LinkPattern {
  return from.io === "req" || to.io === "req" ? "reqrep" : "oneway";
}

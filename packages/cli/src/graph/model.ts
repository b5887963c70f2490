/**
 * The topology as a picture sees it — symbols as nodes, routes as edges with their breaker —
 * for `rtt graph` and `rtt ui`. From the running panel (what is wired, where a qc or failover
 * moved it, each breaker) or, when none runs, from the workspace's files (routes.json resolved
 * against the catalog: what `rtt apply` would wire). Sorted, so the same topology is the same
 * graph byte for byte.
 */
import type { RouteListMessage } from "@rtt/connector-sdk";
import { type CatalogSymbol, parseSaddr, RttError } from "@rtt/core";
import {
  type EndResolution,
  loadRoutes,
  type PanelConnection,
  readCatalog,
  resolveRoutes,
  STUB_DRIVER,
  type WorkspacePaths,
} from "@rtt/panel";

export interface GraphNode {
  /** The symbol's address; a route end no catalog symbol answers keeps its reference. */
  readonly id: string;
  /** The symbol type ("api", "bus", ...), "?" when the address does not parse. */
  readonly type: string;
  /** `name@version#variant` without namespace and type: what fits in a box. */
  readonly name: string;
  /** False for a route end that resolves to no single catalog symbol. */
  readonly catalogued: boolean;
}

/** A breaker's state as the panel names it, or `unwired` (from files) and `unknown` (no sample). */
export type BreakerState = "closed" | "open" | "half-open" | "unwired" | "unknown";

export interface GraphEdge {
  /** The route's id. */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly breaker: BreakerState;
  /** Tripped with nowhere to go: its source is parked. */
  readonly held: boolean;
  /** Its breaker is open and a stub answers from the target's examples. */
  readonly degraded: boolean;
}

export interface TopologyGraph {
  /** Where it came from: the running panel, or the workspace's files. */
  readonly source: "panel" | "files";
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** One colour per breaker state, shared by `rtt graph`'s output and the ui page. */
export const BREAKER_COLOURS: Readonly<Record<BreakerState, string>> = {
  closed: "#2e7d32",
  "half-open": "#ef8f00",
  open: "#c62828",
  unwired: "#9e9e9e",
  unknown: "#607d8b",
};

export function breakerState(text: string): BreakerState {
  return text === "closed" || text === "open" || text === "half-open" ? text : "unknown";
}

const byId = <T extends { readonly id: string }>(a: T, b: T) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** A node for `id`: the catalog's symbol, else what its address says. */
function nodeOf(id: string, catalog: ReadonlyMap<string, CatalogSymbol>): GraphNode {
  const symbol = catalog.get(id);
  try {
    const a = parseSaddr(id);
    const version = a.version === undefined ? "" : `@${a.version}`;
    const variant = a.variant === undefined ? "" : `#${a.variant}`;
    return {
      id,
      type: symbol?.type ?? a.type,
      name: `${a.name}${version}${variant}`,
      catalogued: symbol !== undefined,
    };
  } catch {
    return { id, type: symbol?.type ?? "?", name: id, catalogued: symbol !== undefined };
  }
}

/** Every catalog symbol and every edge's ends, as nodes; nodes and edges sorted by id. */
export function graphOf(
  source: TopologyGraph["source"],
  symbols: readonly CatalogSymbol[],
  edges: readonly GraphEdge[],
): TopologyGraph {
  const catalog = new Map(symbols.map((s) => [s.saddr, s]));
  const ids = new Set([...catalog.keys(), ...edges.flatMap((e) => [e.from, e.to])]);
  return {
    source,
    nodes: [...ids].map((id) => nodeOf(id, catalog)).sort(byId),
    edges: [...edges].sort(byId),
  };
}

type LiveRoute = RouteListMessage["routes"][number];

/** The panel's wired routes as edges: where each goes now, and its breaker. */
export function liveEdges(routes: readonly LiveRoute[]): GraphEdge[] {
  return routes.map((r) => ({
    id: r.id,
    from: r.from,
    to: r.to,
    breaker: breakerState(r.breaker),
    held: r.held,
    degraded: r.to_link?.driver === STUB_DRIVER,
  }));
}

/** The one symbol an end resolves to, else its reference as written. */
const endId = (end: EndResolution): string => {
  const [only, ...more] = end.resolution.matches;
  return only !== undefined && more.length === 0 ? only.saddr : end.reference;
};

/**
 * routes.json's routes as edges to their first target (a failover list's others wait), each
 * `unwired`. Invalid routes.json: RTT_ERR_DOC_SCHEMA naming its first problem.
 */
export function fileEdges(paths: WorkspacePaths, symbols: readonly CatalogSymbol[]): GraphEdge[] {
  const { routes, diagnostics } = loadRoutes(paths);
  const first = diagnostics[0];
  if (first !== undefined)
    throw new RttError(first.code, first.message, {
      position: { file: first.file, line: first.line, column: first.column },
      hint: first.hint ?? "`rtt ls routes` shows each problem",
    });
  return resolveRoutes(routes, symbols).flatMap((r) => {
    const to = r.to[0];
    if (to === undefined) return [];
    return [
      {
        id: r.id,
        from: endId(r.from),
        to: endId(to),
        breaker: "unwired" as const,
        held: false,
        degraded: false,
      },
    ];
  });
}

/** The topology from the panel behind `conn`, or from the files when `conn` is undefined. */
export async function loadGraph(
  paths: WorkspacePaths,
  conn: PanelConnection | undefined,
): Promise<TopologyGraph> {
  const { symbols } = readCatalog(paths.catalog);
  if (conn === undefined) return graphOf("files", symbols, fileEdges(paths, symbols));
  const { routes } = await conn.routes();
  return graphOf("panel", symbols, liveEdges(routes));
}

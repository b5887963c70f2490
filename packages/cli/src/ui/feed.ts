/**
 * What the ui page shows, kept live for every page at once: the topology (from the running
 * panel, or the workspace's files while none runs), each route's latest health sample (the
 * panel's Health stream, as `rtt tap` reads it), and the audit tail (its Audit stream, followed).
 * One pair of streams serves all pages; when the panel goes away the feed says so, shows the
 * files' topology, and looks for a panel again every RECONNECT_MS.
 */
import type { AuditEventMessage, RouteHealthMessage, ServerStream } from "@rtt/connector-sdk";
import { errorMessage, RttError } from "@rtt/core";
import { currentWho, type PanelConnection, STUB_DRIVER, type WorkspacePaths } from "@rtt/panel";
import { runningPanel } from "../commands/panel.ts";
import { BREAKER_COLOURS, breakerState, loadGraph, type TopologyGraph } from "../graph/model.ts";

const RECONNECT_MS = 2000;
/** Audit records the page lists. */
export const AUDIT_TAIL = 30;
/** A burst of audit records (an apply's batch) refreshes the topology once. */
const REFRESH_DEBOUNCE_MS = 100;

/** One route's latest sample as the page draws it. */
export interface EdgeHealth {
  readonly route: string;
  readonly breaker: string;
  readonly colour: string;
  readonly reason: string;
  readonly degraded: boolean;
  readonly throughput: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly ok: boolean;
  readonly err: string;
  readonly at_unix_ms: number;
}

export interface AuditLine {
  readonly seq: number;
  readonly at: string;
  readonly who: string;
  readonly action: string;
  readonly route: string;
  readonly why: string;
}

/** The page's events: each is sent as a server-sent event of that name. */
export type FeedEvent =
  | { readonly event: "graph"; readonly data: PageGraph }
  | { readonly event: "health"; readonly data: EdgeHealth }
  | { readonly event: "audit"; readonly data: AuditLine };

/** The topology with each edge's colour, and whether a panel answers (and why not). */
export interface PageGraph extends TopologyGraph {
  readonly panel: { readonly pid: number } | { readonly down: string };
  readonly colours: Readonly<Record<string, string>>;
}

export function edgeHealth(s: RouteHealthMessage): EdgeHealth {
  const breaker = breakerState(s.breaker);
  return {
    route: s.route,
    breaker,
    colour: BREAKER_COLOURS[breaker],
    reason: s.breaker_reason,
    degraded: s.to_link?.driver === STUB_DRIVER,
    throughput: s.throughput,
    p50_ms: s.p50_ms,
    p99_ms: s.p99_ms,
    ok: s.ok,
    err: s.err,
    at_unix_ms: Number(s.at_unix_ms),
  };
}

const auditLine = (r: AuditEventMessage): AuditLine => ({
  seq: Number(r.seq),
  at: r.at,
  who: r.who,
  action: r.action,
  route: r.route,
  why: r.why,
});

export class UiFeed {
  readonly #paths: WorkspacePaths;
  readonly #listeners = new Set<(e: FeedEvent) => void>();
  readonly #health = new Map<string, EdgeHealth>();
  #audit: AuditLine[] = [];
  #graph: PageGraph | undefined;
  #conn: PanelConnection | undefined;
  #pid = 0;
  #streams: ServerStream<unknown>[] = [];
  #stopped = false;
  #wake: (() => void) | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(paths: WorkspacePaths) {
    this.#paths = paths;
  }

  /** Starts following the panel; resolves once the first topology is known. */
  async start(): Promise<void> {
    let first: () => void = () => {};
    const known = new Promise<void>((r) => {
      first = r;
    });
    this.#running = this.#run(first);
    await known;
  }

  /** Calls `listener` with what a new page needs at once, then with every change. */
  subscribe(listener: (e: FeedEvent) => void): () => void {
    if (this.#graph !== undefined) listener({ event: "graph", data: this.#graph });
    for (const h of this.#health.values()) listener({ event: "health", data: h });
    for (const a of this.#audit) listener({ event: "audit", data: a });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Trip or heal a route through the panel, as `rtt trip`/`rtt heal` would. */
  async breaker(
    kind: "trip" | "heal",
    route: string,
    why: string,
  ): Promise<{ route: string; state: string; reason: string }> {
    const conn = this.#conn;
    if (conn === undefined)
      throw new RttError("RTT_ERR_PANEL_UNREACHABLE", `no panel runs: cannot ${kind} ${route}`, {
        hint: "`rtt panel start` or `rtt apply`; the page reconnects by itself",
      });
    const r = await conn.breaker(kind, route, currentWho(), why);
    await this.#refresh(conn);
    return r;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#refreshTimer);
    for (const s of this.#streams) s.cancel();
    this.#wake?.();
    await this.#running;
  }

  #emit(e: FeedEvent): void {
    for (const l of this.#listeners) l(e);
  }

  /** Reads the topology again (from `conn`, else the files) and sends it to every page. */
  async #refresh(conn: PanelConnection | undefined, down = ""): Promise<void> {
    let graph: TopologyGraph;
    try {
      graph = await loadGraph(this.#paths, conn);
    } catch (error) {
      graph = { source: conn === undefined ? "files" : "panel", nodes: [], edges: [] };
      down = `${down}${down === "" ? "" : "; "}${errorMessage(error)}`;
    }
    const colours = Object.fromEntries(graph.edges.map((e) => [e.id, BREAKER_COLOURS[e.breaker]]));
    const panel = conn === undefined || down !== "" ? { down } : { pid: this.#pid };
    this.#graph = { ...graph, panel, colours };
    this.#emit({ event: "graph", data: this.#graph });
  }

  #refreshSoon(conn: PanelConnection): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.#refresh(conn), REFRESH_DEBOUNCE_MS);
  }

  async #run(known: () => void): Promise<void> {
    while (!this.#stopped) {
      let conn: PanelConnection | undefined;
      let why = "no panel runs here (`rtt panel start`, or `rtt apply` wires routes.json)";
      try {
        conn = await runningPanel(this.#paths);
        if (conn !== undefined) this.#pid = (await conn.status()).pid;
      } catch (error) {
        conn?.close();
        conn = undefined;
        why = errorMessage(error);
      }
      if (conn === undefined) {
        await this.#refresh(undefined, why);
        known();
        await this.#sleep(RECONNECT_MS);
        continue;
      }
      if (this.#stopped) {
        conn.close();
        break;
      }
      this.#conn = conn;
      await this.#refresh(conn);
      known();
      await this.#follow(conn);
      this.#conn = undefined;
      this.#health.clear();
      conn.close();
    }
  }

  /** Reads both streams until either ends (the panel stopped) or the feed stops. */
  async #follow(conn: PanelConnection): Promise<void> {
    if (this.#stopped) return;
    const health = conn.health();
    const audit = conn.audit({ limit: AUDIT_TAIL, follow: true });
    this.#streams = [health, audit];
    this.#audit = [];
    const readHealth = async () => {
      for await (const s of health) {
        const h = edgeHealth(s);
        // A route the topology lacks: a qc, failover or apply the audit has not told yet.
        if (!this.#graph?.edges.some((e) => e.id === h.route)) this.#refreshSoon(conn);
        this.#health.set(h.route, h);
        this.#emit({ event: "health", data: h });
      }
    };
    const readAudit = async () => {
      for await (const r of audit) {
        const line = auditLine(r);
        this.#audit = [...this.#audit, line].slice(-AUDIT_TAIL);
        this.#emit({ event: "audit", data: line });
        this.#refreshSoon(conn);
      }
    };
    // Either ending (quietly or not) means the panel went away: start over.
    await Promise.race([readHealth().catch(() => {}), readAudit().catch(() => {})]);
    clearTimeout(this.#refreshTimer);
    health.cancel();
    audit.cancel();
    this.#streams = [];
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * The rtt.panel.v1.Panel service (proto/rtt/v1/panel.proto; docs/design.md §Processes and
 * sockets: the panel daemon): all thirteen of its calls, over what the daemon hands over in a
 * `PanelServiceContext`. The read side (Status, ListRoutes, ListSymbols, PlanRoutes, Health,
 * Audit, Scan) reads the workspace's files and asks the drivers for health samples; the write side
 * (ApplyPlan, Rollback, QuickConnect, Trip, Heal, Shutdown) goes through the reconciler, the
 * route health loop and the daemon. Errors leave as their RttError's status and code
 * (call-handlers.ts; a bug is INTERNAL with its detail in the log only).
 */
import type * as grpc from "@grpc/grpc-js";
import type { PanelHandlers, PlanIn } from "@rtt/connector-sdk";
import { type CatalogSymbol, type JsonValue, parseSaddr, RttError, SYMBOL_TYPES } from "@rtt/core";
import { whoOf } from "../audit/identity.ts";
import type { AuditRecord } from "../audit/ledger.ts";
import { readRecordsFrom } from "../audit/ledger-file.ts";
import { resolveSelector } from "../catalog.ts";
import { diffTopologies, planProblems } from "../plan/plan.ts";
import { asTopology, TOPOLOGY_FORMAT, type Topology } from "../plan/topology.ts";
import type { PolicyEngine } from "../policy/policy-engine.ts";
import type { Actor } from "../reconcile/actor.ts";
import { edgesOf } from "../reconcile/graph.ts";
import { topologyText } from "../reconcile/graph-text.ts";
import type { ApplyResult, Reconciler } from "../reconcile/reconciler.ts";
import type { ManifestTrust } from "../router/router.ts";
import type { SandboxStatus } from "../sandbox/driver-sandbox.ts";
import { scanReportJson } from "../scan/report-json.ts";
import { editTargets, routeTarget, type TokenGate } from "../trust/authorize.ts";
import type { Wal } from "../wal/wal.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { panelStreaming, panelUnary, pause, send } from "./call-handlers.ts";
import type { Callers } from "./callers.ts";
import type { HostPool } from "./host-pool.ts";
import { limitedLog } from "./limited-log.ts";
import { findWiredRoute, swapTarget } from "./live-ops.ts";
import { authorizeShutdown } from "./owner.ts";
import {
  applyResultToWire,
  auditToWire,
  liveRouteToWire,
  routeHealthToWire,
  samplesOf,
  symbolToWire,
} from "./panel-messages.ts";
import { decidePlan, panelPlan } from "./plan-check.ts";
import { withRequestChecks } from "./request-checks.ts";
import type { RouteHealth } from "./route-health.ts";
import type { LastScan } from "./scan-watch.ts";

/** How often Audit with `follow` looks at the ledger for new records. */
const AUDIT_POLL_MS = 200;
/** Below this a Health interval is raised to it: each tick asks every driver for a sample. */
const MIN_HEALTH_INTERVAL_MS = 10;
/** …and at most an hour: a timer past 2^31 ms fires at once (Node warns and uses 1 ms). */
const MAX_HEALTH_INTERVAL_MS = 3_600_000;

/** What the Panel service needs of the daemon. */
export interface PanelServiceContext {
  readonly paths: WorkspacePaths;
  readonly listen: string;
  readonly version: string;
  readonly startedAt: number;
  /** panel.yaml's health.heartbeat_ms: the default Health interval. */
  readonly heartbeatMs: number;
  /** Aborted when the panel stops: the open streams end then. */
  readonly closing: AbortSignal;
  readonly wal: Pick<Wal, "committed" | "rollbackTarget">;
  readonly reconciler: Reconciler;
  readonly pool: Pick<HostPool, "status" | "sample">;
  /** Capability tokens: each mutating call asks it first (trust/authorize.ts, ADR 0018). */
  readonly tokens: TokenGate;
  /** What the panel found wrong with the audit ledger at start; "" when nothing (ADR 0019). */
  readonly auditProblem: string;
  /** The drivers' sandbox (ADR 0023): what was asked, what runs, and why less, if so. */
  readonly sandbox: SandboxStatus;
  /** Why every commit is refused until a restart (a write could not be cut back); "" if none. */
  writesStopped(): string;
  /** Who made each call (the connecting process, ADR 0019): the audit's `who`. */
  readonly callers: Pick<Callers, "actor" | "of">;
  /** Route health and breakers; none while the panel is still starting. */
  health(): RouteHealth | undefined;
  /** The catalog's symbols (RTT_ERR_CATALOG_MISSING before the first scan). */
  catalog(): readonly CatalogSymbol[];
  policy(): PolicyEngine;
  /** panel.yaml's strict mode, as the router applies it. */
  trust(): ManifestTrust;
  /** Reconciles the live wiring to `target` (a rollback), logging batches that did not commit. */
  reconcileTo(target: Topology, actor: Actor): Promise<ApplyResult>;
  /** After an apply: compacts the WAL once it is big. */
  compact(): Promise<void>;
  /** After an apply: keeps each route's next failover target prebound. */
  prebind(): void;
  log(line: string): void;
  /** The last scan of a watching panel, once what it saw changing is scanned; else undefined. */
  lastScan(): Promise<LastScan | undefined>;
  /** Stops the panel (Shutdown answers first). */
  stop(): Promise<void>;
}

type Handler<M extends keyof PanelHandlers> = PanelHandlers[M];
/** The request message of the unary call `M`. */
type UnaryRequest<M extends keyof PanelHandlers> =
  Handler<M> extends grpc.handleUnaryCall<infer Req, infer _Res> ? Req : never;
/** What identifies a call's caller: any server call. */
type Call = Parameters<Callers["actor"]>[0] & { readonly metadata: grpc.Metadata };
/** The server side of the server-streaming call `M`. */
type StreamCall<M extends keyof PanelHandlers> =
  Handler<M> extends grpc.handleServerStreamingCall<infer Req, infer Res>
    ? grpc.ServerWritableStream<Req, Res>
    : never;

export function panelService(ctx: PanelServiceContext): PanelHandlers {
  const log = ctx.log;
  const refusals = limitedLog(log);
  return withRequestChecks(
    {
      Status: panelUnary("Status", log, () => status(ctx)),
      ApplyPlan: panelUnary("ApplyPlan", log, (req, call) => applyPlan(ctx, req, call)),
      ListRoutes: panelUnary("ListRoutes", log, () => listRoutes(ctx)),
      Rollback: panelUnary("Rollback", log, (req, call) => rollback(ctx, req, call)),
      ListSymbols: panelStreaming("ListSymbols", log, (call) => listSymbols(ctx, call)),
      PlanRoutes: panelUnary("PlanRoutes", log, () => planNow(ctx)),
      Health: panelStreaming("Health", log, (call) => healthStream(ctx, call)),
      Audit: panelStreaming("Audit", log, (call) => auditStream(ctx, call)),
      QuickConnect: panelUnary("QuickConnect", log, (req, call) => quickConnect(ctx, req, call)),
      Trip: panelUnary("Trip", log, (req, call) => breakerCall(ctx, "trip", req, call)),
      Heal: panelUnary("Heal", log, (req, call) => breakerCall(ctx, "heal", req, call)),
      Shutdown: panelUnary("Shutdown", log, (req, call) => shutdown(ctx, req, call)),
      Scan: panelUnary("Scan", log, () => scanNow(ctx)),
    },
    // A refused request is logged with who sent it (the log is where probing shows), within
    // limits: any client can send a thousand bad requests a second.
    (method, call, why) => {
      const bug = why.cause instanceof Error ? ` (${why.cause.stack ?? why.cause.message})` : "";
      refusals(`refused ${method} from ${whoOf(ctx.callers.of(call))}: ${why.message}${bug}`);
    },
  );
}

/** The live topology as Status reports it (JSON) and as `rtt apply` plans against it. */
function liveTopologyJson(ctx: PanelServiceContext): string {
  return topologyJsonOf(ctx.reconciler);
}

/**
 * The wired routes' edges as a topology's JSON, each edge's text made once (graph-text.ts): Status
 * sends it on every call, and needs neither the drivers' records nor the breakers.
 */
function topologyJsonOf(reconciler: Pick<Reconciler, "live">): string {
  return topologyText({ format: TOPOLOGY_FORMAT, edges: edgesOf(reconciler.live.values()) });
}

/** What `rtt apply` (and a watching panel) plans against: Status's topology, through its JSON. */
export function liveTopologyOf(reconciler: Pick<Reconciler, "live">): Topology {
  return asTopology(JSON.parse(topologyJsonOf(reconciler)) as JsonValue);
}

function liveTopology(ctx: PanelServiceContext): Topology {
  return liveTopologyOf(ctx.reconciler);
}

function status(ctx: PanelServiceContext) {
  return {
    pid: process.pid,
    root: ctx.paths.root,
    listen: ctx.listen,
    started_at_unix_ms: ctx.startedAt,
    committed_seq: ctx.wal.committed?.seq ?? 0,
    routes: ctx.reconciler.live.size,
    drivers: ctx.pool.status(),
    version: ctx.version,
    topology_json: liveTopologyJson(ctx),
    audit_problem: ctx.auditProblem,
    sandbox: ctx.sandbox,
    writes_stopped: ctx.writesStopped(),
  };
}

/** Applies the panel's own plan, when the client's is that plan (plan-check.ts). */
async function applyPlan(ctx: PanelServiceContext, req: UnaryRequest<"ApplyPlan">, call: Call) {
  const panel = panelPlan(ctx.paths, liveTopology(ctx), ctx.wal.committed?.seq ?? 0);
  const plan = decidePlan(req.plan_json, panel);
  const { tokenId } = ctx.tokens.authorize(call.metadata, "apply", editTargets(plan.edits));
  const actor = ctx.callers.actor(call, req.who, req.why || "apply", tokenId);
  const result = await ctx.reconciler.apply(plan, panel.catalog, actor);
  await ctx.compact();
  ctx.prebind();
  return applyResultToWire(result);
}

async function listRoutes(ctx: PanelServiceContext) {
  const live = [...ctx.reconciler.live.values()];
  return {
    committed_seq: ctx.wal.committed?.seq ?? 0,
    routes: await Promise.all(
      live.map(async (r) =>
        liveRouteToWire(
          r,
          await samplesOf(ctx.pool, r),
          ctx.health()?.view(r.edge.route)?.breaker.state ?? "",
          ctx.reconciler.isParked(r.edge.route),
          ctx.reconciler.retiredTargets(r.edge.route),
        ),
      ),
    ),
  };
}

async function rollback(ctx: PanelServiceContext, req: UnaryRequest<"Rollback">, call: Call) {
  const target = asTopology(ctx.wal.rollbackTarget(Number(req.seq)).post);
  const live: Topology = { format: TOPOLOGY_FORMAT, edges: ctx.reconciler.graph.edges };
  const { tokenId } = ctx.tokens.authorize(
    call.metadata,
    "rollback",
    editTargets(diffTopologies(live, target)),
  );
  const actor = ctx.callers.actor(call, req.who, `rollback to commit ${req.seq}`, tokenId);
  return applyResultToWire(await ctx.reconcileTo(target, actor));
}

/** The catalog's symbols that `rtt ls symbols [pattern] [--type type]` would list. */
function filterSymbols(
  symbols: readonly CatalogSymbol[],
  pattern: string,
  type: string,
): readonly CatalogSymbol[] {
  if (type !== "" && !(SYMBOL_TYPES as readonly string[]).includes(type))
    throw new RttError("RTT_ERR_USAGE", `type ${type}: expected one of ${SYMBOL_TYPES.join(", ")}`);
  let out = symbols;
  if (pattern !== "") out = resolveSelector(out, parseSaddr(pattern)).matches;
  if (type !== "") out = out.filter((s) => s.type === type);
  return out;
}

async function listSymbols(ctx: PanelServiceContext, call: StreamCall<"ListSymbols">) {
  for (const s of filterSymbols(ctx.catalog(), call.request.pattern, call.request.type)) {
    if (call.cancelled) return;
    await send(call, ctx.closing, symbolToWire(s));
  }
}

/** The plan `rtt apply` would make now, with `plan_json` the bytes `rtt plan --json` prints. */
function planNow(ctx: PanelServiceContext): PlanIn {
  const { plan } = panelPlan(ctx.paths, liveTopology(ctx), ctx.wal.committed?.seq ?? 0);
  const count = (action: string) => plan.edits.filter((e) => e.action === action).length;
  const edited = new Set(plan.edits.map((e) => e.route));
  return {
    plan_json: `${JSON.stringify(plan, null, 2)}\n`,
    base_seq: plan.base_seq,
    to_create: count("create"),
    to_replace: count("replace"),
    to_delete: count("delete"),
    unchanged: Object.keys(plan.desired.edges).filter((id) => !edited.has(id)).length,
    problems: planProblems(plan),
  };
}

/** Health samples of every wired route (or the one asked for), every interval until cancelled. */
async function healthStream(ctx: PanelServiceContext, call: StreamCall<"Health">) {
  const only = call.request.route;
  const interval = Math.min(
    MAX_HEALTH_INTERVAL_MS,
    Math.max(MIN_HEALTH_INTERVAL_MS, call.request.interval_ms || ctx.heartbeatMs),
  );
  const open = () => !call.cancelled && !ctx.closing.aborted;
  while (open()) {
    const routes = [...ctx.reconciler.live.values()].filter(
      (r) => only === "" || r.edge.route === only,
    );
    const samples = await Promise.all(
      routes.map(async (r) => {
        const links = await samplesOf(ctx.pool, r);
        return routeHealthToWire(r, links, ctx.health()?.view(r.edge.route), Date.now());
      }),
    );
    if (only !== "" && routes.length === 0)
      samples.push({
        route: only,
        ok: false,
        err_rate: 1,
        err: `route ${only} is not wired`,
        at_unix_ms: Date.now(),
      });
    for (const s of samples) await send(call, ctx.closing, s);
    await pause(call, ctx.closing, interval);
  }
}

/** The ledger's records (the last `limit`); with `follow`, then each new one until cancelled. */
async function auditStream(ctx: PanelServiceContext, call: StreamCall<"Audit">) {
  const { route, limit, follow } = call.request;
  const wanted = (r: AuditRecord) => route === "" || r.route === route;
  const first = readRecordsFrom(ctx.paths.audit, 0);
  const existing = first.records.filter(wanted);
  for (const r of limit > 0 ? existing.slice(-limit) : existing) {
    if (call.cancelled) return;
    await send(call, ctx.closing, auditToWire(r));
  }
  let offset = first.next;
  const open = () => !call.cancelled && !ctx.closing.aborted;
  while (follow && open()) {
    await pause(call, ctx.closing, AUDIT_POLL_MS);
    if (!open()) return;
    const more = readRecordsFrom(ctx.paths.audit, offset);
    offset = more.next;
    for (const r of more.records) if (wanted(r)) await send(call, ctx.closing, auditToWire(r));
  }
}

/** `rtt qc from -> to`: a hot swap of a wired one-way route, through the router's hard steps. */
async function quickConnect(
  ctx: PanelServiceContext,
  req: UnaryRequest<"QuickConnect">,
  call: Call,
) {
  const started = performance.now();
  const catalog = ctx.catalog();
  const route = findWiredRoute(req.from, ctx.reconciler.live.values());
  const swap = swapTarget(route, req.to, catalog, ctx.policy(), ctx.trust());
  const touched = routeTarget(route.edge.route, route.edge);
  const { tokenId } = ctx.tokens.authorize(call.metadata, "qc", [
    { ...touched, saddrs: [...touched.saddrs, swap.target.saddr] },
  ]);
  const actor = ctx.callers.actor(call, req.who, `rtt qc ${req.from} -> ${req.to}`, tokenId);
  const r = await ctx.reconciler.quickConnect(route.edge.route, swap.target, swap.driver, actor);
  return {
    route: r.route,
    changed: r.changed,
    committed_seq: r.seq,
    old_frames: r.oldFrames,
    old_to: route.edge.to.saddr,
    new_to: swap.target.saddr,
    warm: r.warm,
    panel_us: Math.round((performance.now() - started) * 1000),
  };
}

/**
 * `rtt trip` / `rtt heal`: a route's breaker by hand. The audit records the operator and their
 * why (or the command); the breaker's reason names the operator's own why only.
 */
function breakerCall(
  ctx: PanelServiceContext,
  kind: "trip" | "heal",
  req: UnaryRequest<"Trip">,
  call: Call,
) {
  const health = ctx.health();
  if (health === undefined)
    throw new RttError("RTT_ERR_PANEL_UNREACHABLE", "the panel is still starting");
  const wired = findWiredRoute(req.route, ctx.reconciler.live.values()).edge;
  const { tokenId } = ctx.tokens.authorize(call.metadata, kind, [routeTarget(wired.route, wired)]);
  const route = wired.route;
  const actor = ctx.callers.actor(call, req.who, req.why || `rtt ${kind} route/${route}`, tokenId);
  const state =
    kind === "trip" ? health.trip(route, actor, req.why || undefined) : health.heal(route, actor);
  return { route, state: state.state, reason: state.reason };
}

/** A watching panel's last scan report, as `rtt scan --json` prints it. */
async function scanNow(ctx: PanelServiceContext) {
  const last = await ctx.lastScan();
  if (last === undefined) return { watching: false, report_json: "" };
  const report = scanReportJson(last.report, ctx.paths.catalog, last.durationMs);
  return { watching: true, report_json: JSON.stringify(report) };
}

function shutdown(ctx: PanelServiceContext, req: UnaryRequest<"Shutdown">, call: Call) {
  const tokenId = authorizeShutdown(ctx.callers.of(call), call.metadata, ctx.tokens);
  const who = ctx.callers.actor(call, "", "", tokenId).who;
  const by = tokenId === undefined ? who : `${who} with token ${tokenId}`;
  ctx.log(`shutting down (asked by ${by}): ${req.reason || "no reason given"}`);
  // Answer first; the drivers and the socket go right after.
  setImmediate(() => void ctx.stop());
  return { pid: process.pid };
}

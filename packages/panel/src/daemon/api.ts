/**
 * The read side of the panel API for any client
 * (docs/design.md §Processes and sockets: the panel daemon): ListSymbols, PlanRoutes, Health and
 * Audit, and the standard services beside rtt.panel.v1.Panel on the same socket — gRPC health
 * checking (grpc.health.v1) and server reflection (v1 and v1alpha), so grpcurl or a client in any
 * language can find and call the panel without RTT's .proto files at hand.
 *
 * Nothing here wires anything: each handler reads the workspace's files or asks the drivers for
 * a health sample, through the small `PanelApiContext` the daemon hands over.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import {
  type AuditEventIn,
  type HealthSample,
  type LinkStateIn,
  loadProtoDefinition,
  type PanelHandlers,
  type PanelSymbolIn,
  type PlanIn,
  panelPackageDefinition,
  type RouteHealthIn,
  toServiceError,
} from "@rtt/connector-sdk";
import {
  type CatalogSymbol,
  formatDiagnostic,
  parseSaddr,
  RttError,
  SYMBOL_TYPES,
} from "@rtt/core";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import type { IDescriptorProto, IFileDescriptorProto } from "protobufjs/ext/descriptor/index.js";
import type { AuditRecord } from "../audit/ledger.ts";
import { resolveSelector } from "../catalog.ts";
import { loadPlanInputs } from "../plan/inputs.ts";
import { makePlan, planProblems } from "../plan/plan.ts";
import type { Topology } from "../plan/topology.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import type { RouteHealthView } from "./route-health.ts";

// A CommonJS module whose exports Node cannot name statically: required, not imported.
const { FileDescriptorProto } = createRequire(import.meta.url)(
  "protobufjs/ext/descriptor",
) as typeof import("protobufjs/ext/descriptor/index.js");

/** The fully qualified name health checks and reflection know the panel's service by. */
export const PANEL_SERVICE = "rtt.panel.v1.Panel";

/** How often Audit with `follow` looks at the ledger for new records. */
export const AUDIT_POLL_MS = 200;

/** Below this a Health interval is raised to it: each tick asks every driver for a sample. */
const MIN_HEALTH_INTERVAL_MS = 10;
/** …and at most an hour: a timer past 2^31 ms fires at once (Node warns and uses 1 ms). */
const MAX_HEALTH_INTERVAL_MS = 3_600_000;

/** What the handlers need of the daemon. */
export interface PanelApiContext {
  readonly paths: WorkspacePaths;
  /** panel.yaml's health.heartbeat_ms: the default Health interval. */
  readonly heartbeatMs: number;
  /** Aborted when the panel stops: the open streams end then. */
  readonly closing: AbortSignal;
  /** The live topology and the WAL seq it is (what `rtt apply` plans against). */
  topology(): { readonly seq: number; readonly topology: Topology };
  /** The wired routes, live now. */
  liveRoutes(): Iterable<WiredRoute>;
  /** The catalog's symbols (RTT_ERR_CATALOG_MISSING before the first scan). */
  catalog(): readonly CatalogSymbol[];
  /** One health sample of a link, or undefined when its driver does not answer. */
  sample(driver: string, link: string): Promise<HealthSample | undefined>;
  /** The panel's rolling statistics and breaker of a route, once its health loop runs. */
  healthView?(route: string): RouteHealthView | undefined;
}

export type PanelApiHandlers = Pick<
  PanelHandlers,
  "ListSymbols" | "PlanRoutes" | "Health" | "Audit"
>;

/**
 * A server-streaming handler from an async function that writes to the call and returns when the
 * stream is complete; a throw ends the stream with the RttError's status and code.
 */
function streaming<Req, Res>(
  run: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    run(call).then(
      () => {
        if (!call.cancelled) call.end();
      },
      (error: unknown) => {
        if (!call.cancelled) call.emit("error", toServiceError(error));
      },
    );
  };
}

/** Resolves after `ms`, or as soon as the call is cancelled or the panel stops. */
function pause(
  call: grpc.ServerWritableStream<unknown, unknown>,
  closing: AbortSignal,
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    if (call.cancelled || closing.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      call.off("cancelled", done);
      closing.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    call.on("cancelled", done);
    closing.addEventListener("abort", done);
  });
}

/** A catalog symbol as the wire carries it. */
export function symbolToWire(s: CatalogSymbol): PanelSymbolIn {
  return {
    saddr: s.saddr,
    type: s.type,
    tags: { ...s.tags },
    contract_hash: Buffer.from(s.contract_hash, "hex"),
    direction: s.direction,
    io: s.io ?? "",
    capabilities: [...s.capabilities],
    source_file: s.source.file,
  };
}

/** The catalog's symbols that `rtt ls symbols [pattern] [--type type]` would list. */
export function filterSymbols(
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

/** The plan `rtt apply` would make now, with `plan_json` the bytes `rtt plan --json` prints. */
export function planNow(ctx: PanelApiContext): PlanIn {
  const loaded = loadPlanInputs(ctx.paths);
  if (!loaded.ok)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `the plan's inputs are invalid; nothing was planned:\n${loaded.diagnostics.map(formatDiagnostic).join("\n")}`,
      { hint: "run `rtt scan` and `rtt plan` to see every problem with its line and column" },
    );
  const { seq, topology } = ctx.topology();
  const plan = makePlan(loaded.inputs, topology, seq);
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

export function linkState(
  ref: { driver: string; link: string },
  s: HealthSample | undefined,
): LinkStateIn {
  return {
    driver: ref.driver,
    link: ref.link,
    ok: s?.ok ?? false,
    err: s === undefined ? "no health sample (driver not running?)" : s.err,
    frames_in: s?.frames_in ?? 0,
    frames_out: s?.frames_out ?? 0,
    qdepth: s?.qdepth ?? 0,
    drops: s?.drops ?? 0,
    marked: s?.marked ?? 0,
    nacked: s?.nacked ?? 0,
    buffered: s?.buffered ?? 0,
  };
}

/** What is wrong with a wired route, given its two links' samples (empty: both answered ok). */
export function routeProblems(
  r: WiredRoute,
  from: HealthSample | undefined,
  to: HealthSample | undefined,
): string[] {
  const problems: string[] = [];
  for (const [end, ref, s] of [
    ["source", r.from, from],
    ["target", r.to, to],
  ] as const) {
    if (s === undefined) problems.push(`the ${end}'s driver ${ref.driver} gave no health sample`);
    else if (!s.ok) problems.push(`the ${end} (${ref.driver}) is not healthy: ${s.err}`);
  }
  return problems;
}

/**
 * One health sample of a wired route: its two links as their drivers sample them now, and the
 * panel's rolling statistics (p50/p95/p99, error rate, throughput) and breaker for the route.
 */
export async function sampleRoute(ctx: PanelApiContext, r: WiredRoute): Promise<RouteHealthIn> {
  const [from, to] = await Promise.all([
    ctx.sample(r.from.driver, r.from.link),
    ctx.sample(r.to.driver, r.to.link),
  ]);
  const problems = routeProblems(r, from, to);
  const ok = problems.length === 0;
  const view = ctx.healthView?.(r.edge.route);
  const stats = view?.stats;
  return {
    route: r.edge.route,
    p50_ms: stats?.p50_ms ?? 0,
    p95_ms: stats?.p95_ms ?? Math.max(from?.lag_ms ?? 0, to?.lag_ms ?? 0),
    p99_ms: stats?.p99_ms ?? 0,
    err_rate: stats?.err_rate ?? (ok ? 0 : 1),
    throughput: stats?.throughput ?? 0,
    drops: stats?.drops ?? 0,
    qdepth: (from?.qdepth ?? 0) + (to?.qdepth ?? 0),
    ok,
    err: problems.join("; "),
    at_unix_ms: Date.now(),
    from_link: linkState(r.from, from),
    to_link: linkState(r.to, to),
    breaker: view?.breaker.state ?? "closed",
    breaker_reason: view?.breaker.reason ?? "",
  };
}

/** A ledger record as the wire carries it. */
export function auditToWire(r: AuditRecord): AuditEventIn {
  return {
    seq: r.seq,
    at: r.at,
    who: r.who,
    action: r.action,
    route: r.route,
    why: r.why,
    before_json: JSON.stringify(r.before),
    after_json: JSON.stringify(r.after),
    prev: r.prev,
    hash: r.hash,
  };
}

/**
 * Reads the ledger's complete records from byte `offset` on. The last line without its newline
 * is an append in progress: it is left for the next read.
 */
function readLedgerFrom(file: string, offset: number): { records: AuditRecord[]; next: number } {
  if (!existsSync(file)) return { records: [], next: offset };
  const bytes = readFileSync(file);
  if (bytes.length < offset)
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${file} shrank while it was read`, {
      hint: "run `rtt audit --verify` to find the bad record",
    });
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end <= offset) return { records: [], next: offset };
  const records: AuditRecord[] = [];
  for (const line of bytes.subarray(offset, end).toString("utf8").split("\n")) {
    if (line === "") continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${file} has a line that is not JSON`, {
        hint: "run `rtt audit --verify` to find the bad record",
      });
    }
  }
  return { records, next: end };
}

export function panelApiHandlers(ctx: PanelApiContext): PanelApiHandlers {
  return {
    ListSymbols: streaming(async (call) => {
      for (const s of filterSymbols(ctx.catalog(), call.request.pattern, call.request.type)) {
        if (call.cancelled) return;
        call.write(symbolToWire(s));
      }
    }),
    PlanRoutes: (_call, callback) => {
      try {
        callback(null, planNow(ctx));
      } catch (error) {
        callback(toServiceError(error));
      }
    },
    Health: streaming(async (call) => {
      const only = call.request.route;
      const interval = Math.min(
        MAX_HEALTH_INTERVAL_MS,
        Math.max(MIN_HEALTH_INTERVAL_MS, call.request.interval_ms || ctx.heartbeatMs),
      );
      const open = () => !call.cancelled && !ctx.closing.aborted;
      while (open()) {
        const routes = [...ctx.liveRoutes()].filter((r) => only === "" || r.edge.route === only);
        const samples = await Promise.all(routes.map((r) => sampleRoute(ctx, r)));
        if (only !== "" && routes.length === 0)
          samples.push({
            route: only,
            ok: false,
            err_rate: 1,
            err: `route ${only} is not wired`,
            at_unix_ms: Date.now(),
          });
        for (const s of samples) if (open()) call.write(s);
        await pause(call, ctx.closing, interval);
      }
    }),
    Audit: streaming(async (call) => {
      const { route, limit, follow } = call.request;
      const wanted = (r: AuditRecord) => route === "" || r.route === route;
      const first = readLedgerFrom(ctx.paths.audit, 0);
      const existing = first.records.filter(wanted);
      for (const r of limit > 0 ? existing.slice(-limit) : existing) {
        if (call.cancelled) return;
        call.write(auditToWire(r));
      }
      let offset = first.next;
      const open = () => !call.cancelled && !ctx.closing.aborted;
      while (follow && open()) {
        await pause(call, ctx.closing, AUDIT_POLL_MS);
        if (!open()) return;
        const more = readLedgerFrom(ctx.paths.audit, offset);
        offset = more.next;
        for (const r of more.records) if (wanted(r)) call.write(auditToWire(r));
      }
    }),
  };
}

type PackageDefinition = ReturnType<typeof panelPackageDefinition>;

/** protoc's name of a map field's entry type: `tags` → `TagsEntry`, `by_route` → `ByRouteEntry`. */
function mapEntryName(field: string): string {
  const camel = field.replace(/_+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

/** Renames the map entry types nested in `m` (and deeper) to protoc's names, in place. */
function renameMapEntries(m: IDescriptorProto): void {
  for (const nested of m.nestedType ?? []) {
    renameMapEntries(nested);
    if (nested.options?.mapEntry !== true || nested.name === undefined) continue;
    const old = nested.name;
    const field = (m.field ?? []).find((f) => f.typeName?.split(".").at(-1) === old);
    if (field?.name === undefined || field.typeName === undefined) continue;
    nested.name = mapEntryName(field.name);
    field.typeName = `${field.typeName.slice(0, field.typeName.length - old.length)}${nested.name}`;
  }
}

/**
 * `definition` with each file descriptor's map entry types named as protoc names them. The
 * descriptors proto-loader keeps (made by protobufjs) call the entry of `map<…> tags` `Tags`;
 * protobuf's own descriptor builders (C++ and so Python, Go and so grpcurl) refuse any name but
 * `TagsEntry` ("map_entry should not be set explicitly", "incorrect implicit map entry name"),
 * so without this a reflecting client could list the panel's services but not use them.
 */
export function withProtocMapEntries(definition: PackageDefinition): PackageDefinition {
  const fixed = new Map<Buffer, Buffer>();
  const fix = (bin: Buffer): Buffer => {
    let out = fixed.get(bin);
    if (out === undefined) {
      const file = FileDescriptorProto.decode(bin) as unknown as IFileDescriptorProto;
      for (const m of file.messageType ?? []) renameMapEntries(m);
      out = Buffer.from(FileDescriptorProto.encode(file).finish());
      fixed.set(bin, out);
    }
    return out;
  };
  const out: PackageDefinition = {};
  for (const [name, value] of Object.entries(definition)) {
    // Message and enum definitions carry their file's descriptors; a service's do not.
    const files = (value as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
    out[name] = Array.isArray(files)
      ? ({ ...value, fileDescriptorProtos: (files as Buffer[]).map(fix) } as typeof value)
      : value;
  }
  return out;
}

/** The server-side state of the standard services, to flip when the panel stops. */
export interface StandardServices {
  readonly health: HealthImplementation;
}

/**
 * Adds grpc.health.v1.Health (SERVING for "" and the panel's service) and server reflection
 * (v1 and v1alpha, describing panel.proto and the health service) to `server`.
 */
export function addStandardServices(server: grpc.Server): StandardServices {
  const health = new HealthImplementation({ "": "SERVING", [PANEL_SERVICE]: "SERVING" });
  health.addToServer(server);
  const described = { ...panelPackageDefinition(), ...loadProtoDefinition(healthProtoPath) };
  new ReflectionService(withProtocMapEntries(described)).addToServer(server);
  return { health };
}

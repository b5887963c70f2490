/**
 * How the panel's state reads as rtt.panel.v1 messages (proto/rtt/v1/panel.proto): pure
 * functions from catalog symbols, ledger records, apply results, and a wired route with its two
 * links' health samples, to what the Panel service sends; and `samplesOf`, which asks the
 * drivers for those two samples.
 */
import type {
  ApplyResultIn,
  AuditEventIn,
  HealthSample,
  LinkStateIn,
  LiveRouteIn,
  PanelSymbolIn,
  RouteHealthIn,
} from "@rtt/connector-sdk";
import type { CatalogSymbol } from "@rtt/core";
import type { AuditRecord } from "../audit/ledger.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import type { ApplyResult } from "../reconcile/reconciler.ts";
import type { RetiredTarget } from "../reconcile/retire-target.ts";
import type { RouteHealthView } from "./route-health.ts";

/** A wired route's two links as their drivers sampled them (undefined: the driver gave none). */
export interface LinkSamples {
  readonly from: HealthSample | undefined;
  readonly to: HealthSample | undefined;
}

/** What gives one health sample of a link (undefined: its driver did not answer). */
export interface LinkSampler {
  sample(driver: string, link: string): Promise<HealthSample | undefined>;
}

/** A health sample of each of the route's two links, asked of their drivers at once. */
export async function samplesOf(sampler: LinkSampler, r: WiredRoute): Promise<LinkSamples> {
  const [from, to] = await Promise.all([
    sampler.sample(r.from.driver, r.from.link),
    sampler.sample(r.to.driver, r.to.link),
  ]);
  return { from, to };
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
    signed_by: s.signer?.key ?? "",
    signer_trusted: s.signer?.trusted === true,
    found_by: s.source.scanner,
    score: s.source.score,
    source_line: s.source.line ?? 0,
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
    claimed_by: r.claimed_by ?? "",
    token: r.token ?? "",
  };
}

/** What ApplyPlan and Rollback answer: each batch's outcome and the counts. */
export function applyResultToWire(r: ApplyResult): ApplyResultIn {
  return {
    batches: r.batches.map((b) => ({
      routes: [...b.routes],
      outcome: b.outcome,
      seq: b.seq ?? 0,
      error_code: b.error?.code ?? "",
      error_message: b.error?.message ?? "",
      warnings: [...(b.warnings ?? [])],
    })),
    created: r.created,
    replaced: r.replaced,
    deleted: r.deleted,
    committed_seq: r.seq,
    orphans_closed: [],
  };
}

/** One end's link of a route as its driver sampled it (none: the driver did not answer). */
function linkState(
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
    errors: s?.errors ?? 0,
    client_errors: s?.client_errors ?? 0,
    shared: s?.shared ?? 0,
    unaccounted: s?.unaccounted ?? 0,
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

/** A wired route as ListRoutes lists it: its ends, both links, its breaker, whether it is held. */
export function liveRouteToWire(
  r: WiredRoute,
  samples: LinkSamples,
  breaker: string,
  held: boolean,
  retired: readonly RetiredTarget[] = [],
): LiveRouteIn {
  return {
    id: r.edge.route,
    from: r.edge.from.saddr,
    to: r.edge.to.saddr,
    lane: r.edge.lane,
    pattern: r.edge.pattern,
    from_link: linkState(r.from, samples.from),
    to_link: linkState(r.to, samples.to),
    breaker,
    held,
    retired: retired.map((t) => ({ ...t, code: t.code ?? -1, signal: t.signal ?? "" })),
  };
}

/**
 * One health sample of a wired route: its two links as their drivers sampled them, and the
 * panel's rolling statistics (p50/p95/p99, error rate, throughput) and breaker for the route,
 * once its health loop watches it.
 */
export function routeHealthToWire(
  r: WiredRoute,
  samples: LinkSamples,
  view: RouteHealthView | undefined,
  atUnixMs: number,
): RouteHealthIn {
  const { from, to } = samples;
  const problems = routeProblems(r, from, to);
  const ok = problems.length === 0;
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
    at_unix_ms: atUnixMs,
    from_link: linkState(r.from, from),
    to_link: linkState(r.to, to),
    breaker: view?.breaker.state ?? "closed",
    breaker_reason: view?.breaker.reason ?? "",
  };
}

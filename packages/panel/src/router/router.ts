/**
 * The router (docs/design.md §The life of a route: plan): for one route, which
 * catalog symbol does its source get wired to, over which lane, and why each other candidate
 * lost. Pure and deterministic: the same inputs give a byte-identical decision whatever the
 * catalog order; no clock, no Math.random.
 *
 * Candidates are the symbols each of the route's `to` references resolves to; a list is a
 * failover list, so every candidate remembers the index of the first entry that produced it.
 * Every candidate then goes through the steps in this order, and stops at the first it fails:
 *
 *   hard (eliminated): pin → acl → compat → qos
 *   soft (lost):       failover → locality → health → tie-break
 *
 * - pin: when a policy pin covers the route's source (as written, else its concrete address),
 *   only candidates the pinned endpoint matches survive.
 * - acl: `policy.decide(source, candidate)` must allow the wire.
 * - compat: `compat(source, candidate)` must be ok (optional caps from the route's params).
 * - qos: the route's QoS is `policy.qosFor(source)`. A candidate's `latency_budget_ms` must be
 *   ≤ the route's `latency_ms`, and its `throughput_qps` ≥ the route's `rate`, each when both
 *   sides state it.
 * - failover: among survivors, only those from the earliest failover entry stay (a single `to`
 *   is one entry, so this step never drops anything there).
 * - locality: only those with the minimum `localityOf` stay (lower = closer; default 0).
 * - health: among those with known health, the best is the one with the lowest err_rate (then
 *   the lowest p95). A candidate is clearly worse when its err_rate > the best's + 0.01 or its
 *   p95 > max(2 × the best's, the best's + 1) ms. One best candidate, not the best error rate
 *   and the best p95 of two different ones: those two could each beat the other on one count,
 *   and both would lose. Unknown health counts as healthy.
 * - tie-break: rendezvous hashing: SHA-256 of `seed \0 routeId \0 saddr` (hex); the highest wins
 *   (ties, practically impossible, go to the smaller saddr).
 *
 * Lane: the first of `preferLanes`, skipping "inproc" unless both ends declare it (capability
 * "inproc"); "uds" (the same-host default) when no preferred lane is usable.
 */
import { createHash } from "node:crypto";
import {
  addressOf,
  type CatalogSymbol,
  type ConcreteAddress,
  errorMessage,
  formatSaddr,
  type LaneKind,
  matches,
  parseReference,
  type Reference,
  type RouteSpec,
} from "@rtt/core";
import { explainResolution, resolveSelector } from "../catalog.ts";
import { type CompatOptions, compat, optionalCapsFromParams } from "../compat/compat.ts";
import type { PolicyEngine } from "../policy/policy-engine.ts";
import { routeId as routeIdOf } from "../routes.ts";

export const ROUTER_STEPS = [
  "pin",
  "acl",
  "compat",
  "qos",
  "failover",
  "locality",
  "health",
  "tie-break",
] as const;
export type RouterStep = (typeof ROUTER_STEPS)[number];

/** Steps a candidate is eliminated at (it may never be wired); at the others it merely loses. */
export const HARD_STEPS: readonly RouterStep[] = ["pin", "acl", "compat", "qos"];

/** Error-rate slack and p95 factor of the health step (see the module doc). */
export const HEALTH_ERR_SLACK = 0.01;
export const HEALTH_P95_FACTOR = 2;
export const HEALTH_P95_SLACK_MS = 1;

/** The capability a symbol declares to accept an in-process lane. */
export const INPROC_CAP = "inproc";

export interface HealthSample {
  readonly p95_ms: number;
  readonly err_rate: number;
}

export interface RouteContext {
  readonly seed: string;
  /** Observed health per target saddr. */
  readonly health?: ReadonlyMap<string, HealthSample>;
  /** Lower = closer; default 0 for every symbol. */
  readonly localityOf?: (s: CatalogSymbol) => number;
  readonly preferLanes: readonly LaneKind[];
  readonly coercers?: CompatOptions["coercers"];
}

export type CandidateVerdict = "chosen" | "lost" | "eliminated";

export interface CandidateDecision {
  readonly saddr: string;
  readonly verdict: CandidateVerdict;
  /** Where it was eliminated or lost; "tie-break" for the chosen one. */
  readonly step: RouterStep;
  readonly reason: string;
}

export interface RouteDecision {
  readonly routeId: string;
  readonly source?: string;
  readonly chosen?: string;
  readonly lane: LaneKind;
  /** Sorted by saddr. */
  readonly candidates: readonly CandidateDecision[];
  readonly reasons: readonly string[];
}

interface Candidate {
  readonly symbol: CatalogSymbol;
  readonly address: ConcreteAddress;
  /** Index of the first `to` entry that produced it. */
  readonly entry: number;
}

function bySaddr<T extends { readonly saddr: string }>(a: T, b: T): number {
  return a.saddr < b.saddr ? -1 : a.saddr > b.saddr ? 1 : 0;
}

function sortedCatalog(catalog: readonly CatalogSymbol[]): CatalogSymbol[] {
  return [...catalog].sort(bySaddr);
}

/** The rendezvous hash of one candidate for one route under one seed (lowercase hex). */
export function tieBreakHash(seed: string, routeId: string, saddr: string): string {
  return createHash("sha256").update(`${seed}\u0000${routeId}\u0000${saddr}`, "utf8").digest("hex");
}

function parseRef(text: string): ConcreteAddress | Reference | string {
  try {
    return parseReference(text);
  } catch (error) {
    return errorMessage(error);
  }
}

function pickLane(
  prefer: readonly LaneKind[],
  source: CatalogSymbol | undefined,
  target: CatalogSymbol | undefined,
): { lane: LaneKind; reason: string } {
  const bothInproc =
    source !== undefined &&
    target !== undefined &&
    source.capabilities.includes(INPROC_CAP) &&
    target.capabilities.includes(INPROC_CAP);
  const lane = prefer.find((l) => l !== "inproc" || bothInproc);
  if (lane !== undefined) {
    const skipped = prefer[0] === "inproc" && lane !== "inproc";
    return {
      lane,
      reason: skipped
        ? `Lane "${lane}": the preferred "inproc" lane needs both ends to declare the "${INPROC_CAP}" capability.`
        : `Lane "${lane}": the first preferred lane kind.`,
    };
  }
  return {
    lane: "uds",
    reason: `Lane "uds": no preferred lane kind is usable, so the same-host default.`,
  };
}

export function routeDecision(
  route: RouteSpec,
  catalog: readonly CatalogSymbol[],
  policy: PolicyEngine,
  context: RouteContext,
): RouteDecision {
  const id = routeIdOf(route);
  const symbols = sortedCatalog(catalog);
  const reasons: string[] = [];

  // Source: exactly one symbol.
  let source: CatalogSymbol | undefined;
  const fromRef = parseRef(route.from);
  if (typeof fromRef === "string") {
    reasons.push(`The source "${route.from}" is not a valid reference: ${fromRef}`);
  } else {
    const r = resolveSelector(symbols, fromRef);
    const only = r.matches.length === 1 ? r.matches[0] : undefined;
    if (only !== undefined) {
      source = only;
      reasons.push(`The source ${route.from} resolves to ${only.saddr}.`);
    } else {
      reasons.push(
        `The source ${route.from} must resolve to exactly one symbol but is ${explainResolution(fromRef, r)}.`,
      );
    }
  }

  // Candidates, in failover order; a symbol reached by several entries keeps the first.
  const entries = typeof route.to === "string" ? [route.to] : route.to;
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  entries.forEach((text, entry) => {
    const ref = parseRef(text);
    if (typeof ref === "string") {
      reasons.push(`Target ${entry + 1} "${text}" is not a valid reference: ${ref}`);
      return;
    }
    const r = resolveSelector(symbols, ref);
    if (r.matches.length === 0) {
      reasons.push(
        `Target ${entry + 1} ${text} yields no candidate: ${explainResolution(ref, r)}.`,
      );
    }
    for (const symbol of r.matches) {
      if (seen.has(symbol.saddr)) continue;
      seen.add(symbol.saddr);
      candidates.push({ symbol, address: addressOf(symbol), entry });
    }
  });

  const decided = new Map<string, CandidateDecision>();
  const drop = (c: Candidate, step: RouterStep, reason: string): void => {
    const verdict: CandidateVerdict = HARD_STEPS.includes(step) ? "eliminated" : "lost";
    decided.set(c.symbol.saddr, { saddr: c.symbol.saddr, verdict, step, reason });
  };
  const finish = (chosen: CatalogSymbol | undefined): RouteDecision => {
    const lane = pickLane(context.preferLanes, source, chosen);
    if (chosen !== undefined) reasons.push(lane.reason);
    return {
      routeId: id,
      ...(source === undefined ? {} : { source: source.saddr }),
      ...(chosen === undefined ? {} : { chosen: chosen.saddr }),
      lane: lane.lane,
      candidates: [...decided.values()].sort(bySaddr),
      reasons,
    };
  };

  if (source === undefined) {
    for (const c of candidates) {
      drop(c, "pin", "Not considered: the route's source does not resolve to exactly one symbol.");
    }
    reasons.push("No target is chosen because the source is unresolved.");
    return finish(undefined);
  }
  const src = source;
  const srcAddress = addressOf(src);
  let alive = candidates;
  const keep = (step: RouterStep, test: (c: Candidate) => string | undefined): void => {
    const next: Candidate[] = [];
    for (const c of alive) {
      const why = test(c);
      if (why === undefined) next.push(c);
      else drop(c, step, why);
    }
    alive = next;
  };

  // 1. Pin.
  const pin =
    (typeof fromRef === "string" ? undefined : policy.pinFor(fromRef)) ?? policy.pinFor(srcAddress);
  if (pin !== undefined) {
    const target = formatSaddr(pin.target);
    reasons.push(`Pin rule ${pin.rule.label} applies: only ${target} may be chosen.`);
    keep("pin", (c) =>
      matches(pin.target, c.address)
        ? undefined
        : `Eliminated by pin rule ${pin.rule.label}: it pins ${target}, which ${c.symbol.saddr} is not.`,
    );
  }

  // 2. ACL.
  keep("acl", (c) => {
    const d = policy.decide(srcAddress, c.address);
    return d.allowed ? undefined : `Eliminated by the ACL: ${d.reason}`;
  });

  // 3. Hard compat.
  const options: CompatOptions = {
    optionalCaps: optionalCapsFromParams(route.params),
    ...(context.coercers === undefined ? {} : { coercers: context.coercers }),
  };
  keep("compat", (c) => {
    // Data may flow either way along a route: the end that consumes is the consumer.
    const swapped = src.direction === "provider" && c.symbol.direction === "consumer";
    const r = swapped ? compat(c.symbol, src, options) : compat(src, c.symbol, options);
    return r.ok
      ? undefined
      : `Eliminated as incompatible: ${r.reasons.map((x) => x.message).join(" ")}`;
  });

  // 4. QoS fit.
  const qos = policy.qosFor(srcAddress).qos;
  keep("qos", (c) => {
    const budget = c.symbol.qos.latency_budget_ms;
    if (budget !== undefined && qos.latency_ms !== undefined && budget > qos.latency_ms) {
      return `Eliminated by QoS fit: its latency budget ${budget} ms exceeds the route's latency_ms ${qos.latency_ms} ms.`;
    }
    const qps = c.symbol.qos.throughput_qps;
    if (qps !== undefined && qos.rate !== undefined && qps < qos.rate) {
      return `Eliminated by QoS fit: its throughput ${qps} qps is below the route's rate ${qos.rate}.`;
    }
    return undefined;
  });

  // 5. Failover order.
  const firstEntry = Math.min(...alive.map((c) => c.entry));
  keep("failover", (c) =>
    c.entry === firstEntry
      ? undefined
      : `Lost on failover order: it comes from target ${c.entry + 1} (${entries[c.entry]}) and target ${firstEntry + 1} (${entries[firstEntry]}) has a usable candidate.`,
  );

  // 6. Locality.
  const localityOf = context.localityOf ?? (() => 0);
  const locality = new Map(alive.map((c) => [c.symbol.saddr, localityOf(c.symbol)]));
  const closest = Math.min(...locality.values());
  keep("locality", (c) => {
    const l = locality.get(c.symbol.saddr) ?? 0;
    return l === closest
      ? undefined
      : `Lost on locality: its distance ${l} is more than the closest candidate's ${closest}.`;
  });

  // 7. Historical health.
  const health = context.health ?? new Map<string, HealthSample>();
  const known = alive.flatMap((c) => {
    const h = health.get(c.symbol.saddr);
    return h === undefined ? [] : [h];
  });
  const best = known.reduce<HealthSample | undefined>(
    (b, h) =>
      b === undefined ||
      h.err_rate < b.err_rate ||
      (h.err_rate === b.err_rate && h.p95_ms < b.p95_ms)
        ? h
        : b,
    undefined,
  );
  if (best !== undefined) {
    const bestErr = best.err_rate;
    const bestP95 = best.p95_ms;
    const p95Limit = Math.max(HEALTH_P95_FACTOR * bestP95, bestP95 + HEALTH_P95_SLACK_MS);
    keep("health", (c) => {
      const h = health.get(c.symbol.saddr);
      if (h === undefined) return undefined;
      if (h.err_rate > bestErr + HEALTH_ERR_SLACK) {
        return `Lost on health: its error rate ${h.err_rate} is more than ${HEALTH_ERR_SLACK} above the best ${bestErr}.`;
      }
      if (h.p95_ms > p95Limit) {
        return `Lost on health: its p95 ${h.p95_ms} ms is above ${p95Limit} ms (${HEALTH_P95_FACTOR}× the best ${bestP95} ms, at least ${HEALTH_P95_SLACK_MS} ms more).`;
      }
      return undefined;
    });
  }

  // 8. Seeded rendezvous-hash tie-break.
  const hashed = alive
    .map((c) => ({ c, hash: tieBreakHash(context.seed, id, c.symbol.saddr) }))
    .sort((a, b) =>
      a.hash !== b.hash ? (a.hash > b.hash ? -1 : 1) : bySaddr(a.c.symbol, b.c.symbol),
    );
  const winner = hashed[0];
  if (winner === undefined) {
    reasons.push(
      candidates.length === 0
        ? "No target is chosen: the route's targets yield no candidate."
        : "No target is chosen: every candidate was eliminated.",
    );
    return finish(undefined);
  }
  const short = (h: string): string => h.slice(0, 16);
  for (const { c, hash } of hashed.slice(1)) {
    drop(
      c,
      "tie-break",
      `Lost the tie-break: its rendezvous hash ${short(hash)}… is below the winner's ${short(winner.hash)}….`,
    );
  }
  const saddr = winner.c.symbol.saddr;
  const why =
    hashed.length === 1
      ? `Chosen: the only candidate left after every rule (rendezvous hash ${short(winner.hash)}…).`
      : `Chosen: the highest rendezvous hash ${short(winner.hash)}… (SHA-256 of seed, route id and saddr) among ${hashed.length} equally good candidates.`;
  decided.set(saddr, { saddr, verdict: "chosen", step: "tie-break", reason: why });
  reasons.push(`Route ${id} is wired to ${saddr}.`);
  return finish(winner.c.symbol);
}

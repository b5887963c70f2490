/**
 * The steps of the router's decision order (`router.ts`), one function each. A step keeps the
 * candidates it passes and drops the others: eliminated at a hard step, lost at a soft one.
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
 */
import { createHash } from "node:crypto";
import {
  type CatalogSymbol,
  type ConcreteAddress,
  formatSaddr,
  matches,
  type RouteSpec,
} from "@rtt/core";
import { bySaddr } from "../catalog.ts";
import { type CompatOptions, compat, optionalCapsFromParams } from "../compat/compat.ts";
import type { EffectiveQos, PinDecision, PolicyEngine } from "../policy/policy-engine.ts";

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

export interface HealthSample {
  readonly p95_ms: number;
  readonly err_rate: number;
}

export type CandidateVerdict = "chosen" | "lost" | "eliminated";

export interface CandidateDecision {
  readonly saddr: string;
  readonly verdict: CandidateVerdict;
  /** Where it was eliminated or lost; "tie-break" for the chosen one. */
  readonly step: RouterStep;
  readonly reason: string;
}

/** A symbol one of the route's `to` entries resolves to. */
export interface Candidate {
  readonly symbol: CatalogSymbol;
  readonly address: ConcreteAddress;
  /** Index of the first `to` entry that produced it. */
  readonly entry: number;
}

/** The rendezvous hash of one candidate for one route under one seed (lowercase hex). */
export function tieBreakHash(seed: string, routeId: string, saddr: string): string {
  return createHash("sha256").update(`${seed}\u0000${routeId}\u0000${saddr}`, "utf8").digest("hex");
}

/** The candidates still in the running, and the verdict of each one that has left it. */
export class Contenders {
  #alive: readonly Candidate[];
  readonly #decided = new Map<string, CandidateDecision>();

  constructor(candidates: readonly Candidate[]) {
    this.#alive = candidates;
  }

  get alive(): readonly Candidate[] {
    return this.#alive;
  }

  /** Keeps the candidates `test` passes (undefined); the others leave at `step`, with its text. */
  keep(step: RouterStep, test: (c: Candidate) => string | undefined): void {
    const next: Candidate[] = [];
    for (const c of this.#alive) {
      const why = test(c);
      if (why === undefined) next.push(c);
      else this.drop(c, step, why);
    }
    this.#alive = next;
  }

  drop(c: Candidate, step: RouterStep, reason: string): void {
    const verdict: CandidateVerdict = HARD_STEPS.includes(step) ? "eliminated" : "lost";
    this.#decided.set(c.symbol.saddr, { saddr: c.symbol.saddr, verdict, step, reason });
  }

  choose(c: Candidate, reason: string): void {
    const saddr = c.symbol.saddr;
    this.#decided.set(saddr, { saddr, verdict: "chosen", step: "tie-break", reason });
  }

  /** Every verdict so far, sorted by saddr. */
  decisions(): CandidateDecision[] {
    return [...this.#decided.values()].sort(bySaddr);
  }
}

/** 1. Pin: only the candidates the pinned endpoint matches survive. */
export function pinStep(
  contenders: Contenders,
  pin: PinDecision | undefined,
  reasons: string[],
): void {
  if (pin === undefined) return;
  const target = formatSaddr(pin.target);
  reasons.push(`Pin rule ${pin.rule.label} applies: only ${target} may be chosen.`);
  contenders.keep("pin", (c) =>
    matches(pin.target, c.address)
      ? undefined
      : `Eliminated by pin rule ${pin.rule.label}: it pins ${target}, which ${c.symbol.saddr} is not.`,
  );
}

/** 2. ACL: the policy must allow the wire from the source to the candidate. */
export function aclStep(
  contenders: Contenders,
  policy: PolicyEngine,
  source: ConcreteAddress,
): void {
  contenders.keep("acl", (c) => {
    const d = policy.decide(source, c.address);
    return d.allowed ? undefined : `Eliminated by the ACL: ${d.reason}`;
  });
}

/** 3. Hard compat: the two contracts must fit (optional caps from the route's params). */
export function compatStep(
  contenders: Contenders,
  source: CatalogSymbol,
  params: RouteSpec["params"],
  coercers: CompatOptions["coercers"],
): void {
  const options: CompatOptions = {
    optionalCaps: optionalCapsFromParams(params),
    ...(coercers === undefined ? {} : { coercers }),
  };
  contenders.keep("compat", (c) => {
    // Data may flow either way along a route: the end that consumes is the consumer.
    const swapped = source.direction === "provider" && c.symbol.direction === "consumer";
    const r = swapped ? compat(c.symbol, source, options) : compat(source, c.symbol, options);
    return r.ok
      ? undefined
      : `Eliminated as incompatible: ${r.reasons.map((x) => x.message).join(" ")}`;
  });
}

/** 4. QoS fit: the candidate's latency budget and throughput must meet the route's QoS. */
export function qosFitStep(contenders: Contenders, qos: EffectiveQos): void {
  contenders.keep("qos", (c) => {
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
}

/** 5. Failover order: only the survivors from the earliest `to` entry stay. */
export function failoverStep(contenders: Contenders, entries: readonly string[]): void {
  const firstEntry = Math.min(...contenders.alive.map((c) => c.entry));
  contenders.keep("failover", (c) =>
    c.entry === firstEntry
      ? undefined
      : `Lost on failover order: it comes from target ${c.entry + 1} (${entries[c.entry]}) and target ${firstEntry + 1} (${entries[firstEntry]}) has a usable candidate.`,
  );
}

/** 6. Locality: only the closest survivors stay. */
export function localityStep(
  contenders: Contenders,
  localityOf: (s: CatalogSymbol) => number,
): void {
  const locality = new Map(contenders.alive.map((c) => [c.symbol.saddr, localityOf(c.symbol)]));
  const closest = Math.min(...locality.values());
  contenders.keep("locality", (c) => {
    const l = locality.get(c.symbol.saddr) ?? 0;
    return l === closest
      ? undefined
      : `Lost on locality: its distance ${l} is more than the closest candidate's ${closest}.`;
  });
}

/** The one healthiest sample: the lowest error rate, then the lowest p95. */
function bestHealth(
  alive: readonly Candidate[],
  health: ReadonlyMap<string, HealthSample>,
): HealthSample | undefined {
  const known = alive.flatMap((c) => {
    const h = health.get(c.symbol.saddr);
    return h === undefined ? [] : [h];
  });
  return known.reduce<HealthSample | undefined>(
    (b, h) =>
      b === undefined ||
      h.err_rate < b.err_rate ||
      (h.err_rate === b.err_rate && h.p95_ms < b.p95_ms)
        ? h
        : b,
    undefined,
  );
}

/** 7. Historical health: the clearly worse than the best lose; unknown health counts as healthy. */
export function healthStep(
  contenders: Contenders,
  health: ReadonlyMap<string, HealthSample> | undefined,
): void {
  if (health === undefined) return;
  const best = bestHealth(contenders.alive, health);
  if (best === undefined) return;
  const bestErr = best.err_rate;
  const bestP95 = best.p95_ms;
  const p95Limit = Math.max(HEALTH_P95_FACTOR * bestP95, bestP95 + HEALTH_P95_SLACK_MS);
  contenders.keep("health", (c) => {
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

function shortHash(hash: string): string {
  return hash.slice(0, 16);
}

/** 8. Seeded rendezvous-hash tie-break: the highest hash is chosen; undefined when none is left. */
export function tieBreakStep(
  contenders: Contenders,
  seed: string,
  routeId: string,
): Candidate | undefined {
  const hashed = contenders.alive
    .map((c) => ({ c, hash: tieBreakHash(seed, routeId, c.symbol.saddr) }))
    .sort((a, b) =>
      a.hash !== b.hash ? (a.hash > b.hash ? -1 : 1) : bySaddr(a.c.symbol, b.c.symbol),
    );
  const winner = hashed[0];
  if (winner === undefined) return undefined;
  const top = shortHash(winner.hash);
  for (const { c, hash } of hashed.slice(1)) {
    contenders.drop(
      c,
      "tie-break",
      `Lost the tie-break: its rendezvous hash ${shortHash(hash)}… is below the winner's ${top}….`,
    );
  }
  contenders.choose(
    winner.c,
    hashed.length === 1
      ? `Chosen: the only candidate left after every rule (rendezvous hash ${top}…).`
      : `Chosen: the highest rendezvous hash ${top}… (SHA-256 of seed, route id and saddr) among ${hashed.length} equally good candidates.`,
  );
  return winner.c;
}

/**
 * The steps of the router's decision order (`router.ts`), one function each. A step keeps the
 * candidates it passes and drops the others: eliminated at a hard step, lost at a soft one.
 *
 * - trust: in strict mode (`security.strict_manifests`), a candidate whose manifest is unsigned
 *   or signed by a key outside `.rtt/trust/` is eliminated, unless its address matches one of
 *   `security.allow_unsigned` (SADDR patterns, matched as policy.json's are). Without strict
 *   mode every candidate passes. First, so nothing a stranger's manifest says is weighed at all.
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
 * - unique: the one candidate left is chosen. Two or more left are equally good by every rule,
 *   so the route end is ambiguous and none is chosen (they are "tied"): a silent pick among
 *   them is how a vendored copy of a symbol took a route over (issue 14), so the plan refuses
 *   the route and names them; a pin or a version/variant in routes.json settles it.
 */
import {
  addressOf,
  type CatalogSymbol,
  type ConcreteAddress,
  type Direction,
  formatSaddr,
  matches,
  type PanelConfig,
  parseSaddr,
  type RouteSpec,
  type Saddr,
} from "@rtt/core";
import { bySaddr } from "../catalog.ts";
import {
  type CompatOptions,
  compat,
  optionalCapsFromParams,
  type Roles,
} from "../compat/compat.ts";
import type { EffectiveQos, PinDecision, PolicyEngine } from "../policy/policy-engine.ts";

export const ROUTER_STEPS = [
  "trust",
  "pin",
  "acl",
  "compat",
  "qos",
  "failover",
  "locality",
  "health",
  "unique",
] as const;
export type RouterStep = (typeof ROUTER_STEPS)[number];

/** Steps a candidate is eliminated at (it may never be wired); at the others it merely loses. */
export const HARD_STEPS: readonly RouterStep[] = ["trust", "pin", "acl", "compat", "qos"];

/** Error-rate slack and p95 factor of the health step (see the module doc). */
export const HEALTH_ERR_SLACK = 0.01;
export const HEALTH_P95_FACTOR = 2;
export const HEALTH_P95_SLACK_MS = 1;

export interface HealthSample {
  readonly p95_ms: number;
  readonly err_rate: number;
}

/** "tied": equally good as another by every rule, so the route end is ambiguous. */
export type CandidateVerdict = "chosen" | "lost" | "eliminated" | "tied";

export interface CandidateDecision {
  readonly saddr: string;
  /** The manifest that declares it (relative to the workspace root). */
  readonly manifest: string;
  readonly verdict: CandidateVerdict;
  /** Where it was eliminated or lost; "unique" for the chosen and the tied ones. */
  readonly step: RouterStep;
  readonly reason: string;
}

/** `security` of panel.yaml as the trust step applies it. */
export interface ManifestTrust {
  readonly strict: boolean;
  /** The `allow_unsigned` patterns, parsed. */
  readonly allowUnsigned: readonly Saddr[];
}

/** A symbol one of the route's `to` entries resolves to. */
export interface Candidate {
  readonly symbol: CatalogSymbol;
  readonly address: ConcreteAddress;
  /** Index of the first `to` entry that produced it. */
  readonly entry: number;
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
    this.#decide(c, HARD_STEPS.includes(step) ? "eliminated" : "lost", step, reason);
  }

  choose(c: Candidate, reason: string): void {
    this.#decide(c, "chosen", "unique", reason);
  }

  tie(c: Candidate, reason: string): void {
    this.#decide(c, "tied", "unique", reason);
  }

  #decide(c: Candidate, verdict: CandidateVerdict, step: RouterStep, reason: string): void {
    const { saddr, source } = c.symbol;
    this.#decided.set(saddr, { saddr, manifest: source.file, verdict, step, reason });
  }

  /** Every verdict so far, sorted by saddr. */
  decisions(): CandidateDecision[] {
    return [...this.#decided.values()].sort(bySaddr);
  }
}

/** Strict mode as panel.yaml's `security` says (validated there: every pattern parses). */
export function manifestTrust(security: PanelConfig["security"]): ManifestTrust {
  return {
    strict: security?.strict_manifests === true,
    allowUnsigned: (security?.allow_unsigned ?? []).map((p) => parseSaddr(p)),
  };
}

/**
 * Whether strict mode lets a symbol be routed: signed by a trusted key, or matched by an
 * `allow_unsigned` pattern (always, when strict mode is off). The scan warns with the same rule.
 */
export function passesStrictMode(
  trust: ManifestTrust,
  symbol: CatalogSymbol,
  address: ConcreteAddress = addressOf(symbol),
): boolean {
  if (!trust.strict || symbol.signer?.trusted === true) return true;
  return trust.allowUnsigned.some((p) => matches(p, address));
}

/** 0. Trust: in strict mode, only signed-by-trusted-key or allow_unsigned candidates survive. */
export function trustStep(contenders: Contenders, trust: ManifestTrust | undefined): void {
  if (trust === undefined || !trust.strict) return;
  contenders.keep("trust", (c) => {
    if (passesStrictMode(trust, c.symbol, c.address)) return undefined;
    const signer = c.symbol.signer;
    const source = c.symbol.source;
    const why =
      source.scanner !== "manifest"
        ? `discovered by ${source.scanner} at ${source.file}:${source.line ?? 1}, never signed (adopt it with \`rtt adopt ${c.symbol.saddr} --sign\`)`
        : signer === undefined
          ? `unsigned manifest ${source.file}`
          : `signed by untrusted key ${signer.key} (manifest ${source.file})`;
    return `Eliminated by strict mode: ${why}; neither signed by a key in .rtt/trust/ nor matched by security.allow_unsigned.`;
  });
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

/**
 * Whether a route's target is the consumer of the pair: it consumes unless it only provides,
 * and the source does not only consume; between two `both` ends the source consumes (it
 * calls).
 */
export function consumesFromSource(source: Direction, target: Direction): boolean {
  if (source === "provider") return target !== "provider";
  return source === "both" && target === "consumer";
}

/** The reasons' words for the two ends: which is the route's source, which its target. */
function rolesOf(swapped: boolean): Roles {
  return swapped
    ? { consumer: "the route's target (consuming)", provider: "the route's source (providing)" }
    : { consumer: "the route's source (consuming)", provider: "the route's target (providing)" };
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
    // Data may flow either way along a route: the end that consumes is the consumer. A `both`
    // end (a filter, a processor) consumes from a provider and provides to a consumer.
    const swapped = consumesFromSource(source.direction, c.symbol.direction);
    // Whoever consumes, data flows along the route: the source's outputs feed the target's
    // inputs. A `both` end (a processor) in the middle of a chain takes from its route's source
    // and sends to its route's target.
    const roles = rolesOf(swapped);
    const r = swapped
      ? compat(c.symbol, source, { ...options, roles, flow: "to-consumer" })
      : compat(source, c.symbol, { ...options, roles, flow: "to-provider" });
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

/**
 * 8. Unique: the one candidate left is chosen; undefined when none is left, or when several are
 * (they are tied, the route end is ambiguous).
 */
export function uniqueStep(contenders: Contenders): Candidate | undefined {
  const left = contenders.alive;
  const only = left.length === 1 ? left[0] : undefined;
  if (only !== undefined) {
    contenders.choose(only, "Chosen: the only candidate left after every rule.");
    return only;
  }
  const names = left.map((c) => c.symbol.saddr).join(", ");
  for (const c of left) {
    contenders.tie(
      c,
      `Tied: ${left.length} candidates (${names}) are equally good by every rule, so the route end is ambiguous and none is chosen.`,
    );
  }
  return undefined;
}

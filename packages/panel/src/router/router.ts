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
 *   hard (eliminated): trust → pin → acl → compat → qos
 *   soft (lost):       failover → locality → health
 *   then unique: one candidate left is chosen; several left are tied (ambiguous), none chosen
 *
 * Each step is one function of `steps.ts`, which says what it decides; a candidate a step drops
 * leaves the running with that step's name and a reason.
 *
 * Lane: the first of `preferLanes`, skipping "inproc" unless both ends declare it (capability
 * "inproc"); "uds" (the same-host default) when no preferred lane is usable.
 */
import {
  addressOf,
  type CatalogSymbol,
  type ConcreteAddress,
  errorMessage,
  type LaneKind,
  parseReference,
  type Reference,
  type RouteSpec,
} from "@rtt/core";
import { bySaddr, explainResolution, type Resolution, resolveSelector } from "../catalog.ts";
import type { CompatOptions } from "../compat/compat.ts";
import type { PolicyEngine } from "../policy/policy-engine.ts";
import { routeId as routeIdOf } from "../routes.ts";
import {
  aclStep,
  type Candidate,
  type CandidateDecision,
  Contenders,
  compatStep,
  failoverStep,
  type HealthSample,
  healthStep,
  localityStep,
  type ManifestTrust,
  pinStep,
  qosFitStep,
  trustStep,
  uniqueStep,
} from "./steps.ts";

export {
  type CandidateDecision,
  type CandidateVerdict,
  HARD_STEPS,
  HEALTH_ERR_SLACK,
  HEALTH_P95_FACTOR,
  HEALTH_P95_SLACK_MS,
  type HealthSample,
  type ManifestTrust,
  manifestTrust,
  ROUTER_STEPS,
  type RouterStep,
} from "./steps.ts";

/** The capability a symbol declares to accept an in-process lane. */
export const INPROC_CAP = "inproc";

export interface RouteContext {
  /** panel.yaml's `security` (strict mode); absent = not strict. */
  readonly trust?: ManifestTrust;
  /** Observed health per target saddr. */
  readonly health?: ReadonlyMap<string, HealthSample>;
  /** Lower = closer; default 0 for every symbol. */
  readonly localityOf?: (s: CatalogSymbol) => number;
  readonly preferLanes: readonly LaneKind[];
  readonly coercers?: CompatOptions["coercers"];
  /**
   * The symbols a route end (a parsed reference's text) can resolve to or nearly miss, sorted by
   * saddr: a name bucket of the catalog (see `nameBuckets`), which resolves the end as the whole
   * catalog does. A plan passes it so each end is resolved against its own bucket only.
   * Absent (or undefined for an end): the whole catalog.
   */
  readonly endSymbols?: (end: string) => readonly CatalogSymbol[] | undefined;
}

/** A route end's text parsed (or why it does not parse) and resolved against its symbols. */
interface ResolvedEnd {
  readonly ref: ConcreteAddress | Reference | string;
  /** Absent when the text does not parse. */
  readonly resolution?: Resolution;
}

/**
 * Resolves a route end's text against the symbols it can match; the same text, the same answer.
 * `keep: false` for an end that names one route (a source): kept, it would only grow the map.
 */
type ResolveEnd = (end: string, keep?: boolean) => ResolvedEnd;

function resolveEnd(text: string, symbols: () => readonly CatalogSymbol[]): ResolvedEnd {
  const ref = parseRef(text);
  return typeof ref === "string" ? { ref } : { ref, resolution: resolveSelector(symbols(), ref) };
}

/**
 * Ends resolved against their buckets, by text, per `endSymbols` (a plan's is one per catalog):
 * 10,000 routes name a few hundred targets, and a resolution is a pure function of the text and
 * its bucket (issue 20). Ends without a bucket (resolved against the whole catalog) are not kept.
 * Bounded like `memoByString`: when full, it starts over.
 */
const resolvedByBuckets = new WeakMap<
  NonNullable<RouteContext["endSymbols"]>,
  Map<string, ResolvedEnd>
>();
const RESOLVED_LIMIT = 65_536;

function endResolver(
  catalog: readonly CatalogSymbol[],
  endSymbols: RouteContext["endSymbols"],
): ResolveEnd {
  let sorted: CatalogSymbol[] | undefined;
  const whole = () => {
    sorted ??= sortedCatalog(catalog);
    return sorted;
  };
  if (endSymbols === undefined) return (text) => resolveEnd(text, whole);
  let cache = resolvedByBuckets.get(endSymbols);
  if (cache === undefined) {
    cache = new Map();
    resolvedByBuckets.set(endSymbols, cache);
  }
  const resolved = cache;
  return (text, keep = true) => {
    const hit = resolved.get(text);
    if (hit !== undefined) return hit;
    const bucket = endSymbols(text);
    if (bucket === undefined) return resolveEnd(text, whole);
    const end = resolveEnd(text, () => bucket);
    if (!keep) return end;
    if (resolved.size >= RESOLVED_LIMIT) resolved.clear();
    resolved.set(text, end);
    return end;
  };
}

export interface RouteDecision {
  readonly routeId: string;
  readonly source?: string;
  readonly chosen?: string;
  /** Set when two or more candidates are tied at the best rank (none is then chosen). */
  readonly ambiguous?: boolean;
  readonly lane: LaneKind;
  /** Sorted by saddr. */
  readonly candidates: readonly CandidateDecision[];
  readonly reasons: readonly string[];
}

function sortedCatalog(catalog: readonly CatalogSymbol[]): CatalogSymbol[] {
  return [...catalog].sort(bySaddr);
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

/**
 * The route's source: the one symbol `from` resolves to, or undefined (the reason says why).
 */
function resolveSource(
  from: string,
  { ref: fromRef, resolution: r }: ResolvedEnd,
  reasons: string[],
): CatalogSymbol | undefined {
  if (typeof fromRef === "string" || r === undefined) {
    reasons.push(`The source "${from}" is not a valid reference: ${fromRef}`);
    return undefined;
  }
  const only = r.matches.length === 1 ? r.matches[0] : undefined;
  if (only === undefined) {
    reasons.push(
      `The source ${from} must resolve to exactly one symbol but is ${explainResolution(fromRef, r)}.`,
    );
    return undefined;
  }
  reasons.push(`The source ${from} resolves to ${only.saddr}.`);
  return only;
}

/** Candidates, in failover order; a symbol reached by several entries keeps the first. */
function candidatesOf(
  entries: readonly string[],
  resolve: ResolveEnd,
  reasons: string[],
): Candidate[] {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  entries.forEach((text, entry) => {
    const { ref, resolution: r } = resolve(text);
    if (typeof ref === "string" || r === undefined) {
      reasons.push(`Target ${entry + 1} "${text}" is not a valid reference: ${ref}`);
      return;
    }
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
  return candidates;
}

/** Everything decided, with the lane between the source and the chosen target (if any). */
function decisionOf(
  routeId: string,
  source: CatalogSymbol | undefined,
  chosen: CatalogSymbol | undefined,
  contenders: Contenders,
  reasons: string[],
  preferLanes: readonly LaneKind[],
): RouteDecision {
  const lane = pickLane(preferLanes, source, chosen);
  if (chosen !== undefined) reasons.push(lane.reason);
  const candidates = contenders.decisions();
  return {
    routeId,
    ...(source === undefined ? {} : { source: source.saddr }),
    ...(chosen === undefined ? {} : { chosen: chosen.saddr }),
    ...(candidates.some((c) => c.verdict === "tied") ? { ambiguous: true } : {}),
    lane: lane.lane,
    candidates,
    reasons,
  };
}

/** The tied candidates with their manifests, for the ambiguity error. */
function tiedList(contenders: Contenders): string {
  return contenders
    .decisions()
    .filter((c) => c.verdict === "tied")
    .map((c) => `${c.saddr} from ${c.manifest}`)
    .join(", ");
}

/** Without a `localityOf`, all symbols are equally close. */
const SAME_DISTANCE = (): number => 0;

/** Decides one route: its source, each candidate's verdict, the chosen target and the lane. */
export function routeDecision(
  route: RouteSpec,
  catalog: readonly CatalogSymbol[],
  policy: PolicyEngine,
  context: RouteContext,
): RouteDecision {
  const id = routeIdOf(route);
  const resolve = endResolver(catalog, context.endSymbols);
  const reasons: string[] = [];
  const from = resolve(route.from, false);
  const fromRef = from.ref;
  const source = resolveSource(route.from, from, reasons);
  const entries = typeof route.to === "string" ? [route.to] : route.to;
  const candidates = candidatesOf(entries, resolve, reasons);
  const contenders = new Contenders(candidates);
  if (source === undefined) {
    for (const c of candidates) {
      contenders.drop(
        c,
        "trust",
        "Not considered: the route's source does not resolve to exactly one symbol.",
      );
    }
    reasons.push("No target is chosen because the source is unresolved.");
    return decisionOf(id, undefined, undefined, contenders, reasons, context.preferLanes);
  }
  const srcAddress = addressOf(source);
  // A pin covering the source as written wins over one covering its concrete address.
  const pin =
    (typeof fromRef === "string" ? undefined : policy.pinFor(fromRef)) ?? policy.pinFor(srcAddress);
  trustStep(contenders, context.trust);
  pinStep(contenders, pin, reasons);
  aclStep(contenders, policy, srcAddress);
  compatStep(contenders, source, route.params, context.coercers);
  qosFitStep(contenders, policy.qosFor(srcAddress).qos);
  failoverStep(contenders, entries);
  localityStep(contenders, context.localityOf ?? SAME_DISTANCE);
  healthStep(contenders, context.health);
  const tied = contenders.alive.length;
  const winner = uniqueStep(contenders);
  if (winner === undefined) {
    reasons.push(
      candidates.length === 0
        ? "No target is chosen: the route's targets yield no candidate."
        : tied > 1
          ? `No target is chosen: the route end is ambiguous, ${tied} candidates are equally good (${tiedList(contenders)}); pin one in policy.json or name a version or variant in routes.json.`
          : "No target is chosen: every candidate was eliminated.",
    );
    return decisionOf(id, source, undefined, contenders, reasons, context.preferLanes);
  }
  reasons.push(`Route ${id} is wired to ${winner.symbol.saddr}.`);
  return decisionOf(id, source, winner.symbol, contenders, reasons, context.preferLanes);
}

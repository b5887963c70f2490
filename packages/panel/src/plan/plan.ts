/**
 * `rtt plan` as a pure function (docs/design.md §The life of a route: plan): the desired graph from
 * the catalog, routes and policy through the router, its difference from the observed graph as a
 * minimal edit set, and the batches apply runs them in. No clock, no randomness, no I/O: the same
 * inputs give a byte-identical plan in any process, which is what lets `rtt apply FILE` trust a
 * saved plan.
 */
import {
  addressOf,
  type CatalogSymbol,
  canonicalHash,
  type JsonValue,
  type LaneKind,
  launchRouteParams,
  memoByObject,
  type Policy,
  type RouteSpec,
  RttError,
  reservedRouteParams,
  routeQosParams,
} from "@rtt/core";
import { bySaddr, nameBuckets } from "../catalog.ts";
import { compilePolicy } from "../policy/policy-engine.ts";
import {
  type CandidateDecision,
  type HealthSample,
  manifestTrust,
  type RouteContext,
  routeDecision,
} from "../router/router.ts";
import { routeId } from "../routes.ts";
import {
  catalogEnd,
  driverFor,
  type Edge,
  edgeKey,
  endLaunchChanges,
  endOf,
  type LinkPattern,
  patternOf,
  STUB_DRIVER,
  sameWiring,
  type Topology,
  topologyHash,
  topologyOf,
} from "./topology.ts";

export const PLAN_FORMAT = "rtt.plan/v1";

/** panel.yaml's `security` as the plan uses it (strict mode, ADR 0017), defaults filled in. */
export interface PlanSecurity {
  readonly strict_manifests: boolean;
  readonly allow_unsigned: readonly string[];
  /** Prefixes outside the workspace file symbols may point into (ADR 0022). */
  readonly allow_paths: readonly string[];
}

/** panel.yaml without a `security` section: every manifest may be chosen. */
export const NOT_STRICT: PlanSecurity = {
  strict_manifests: false,
  allow_unsigned: [],
  allow_paths: [],
};

export interface PlanInputs {
  readonly catalog: readonly CatalogSymbol[];
  readonly routes: readonly RouteSpec[];
  readonly policy: Policy;
  /** `routing.prefer` from panel.yaml. */
  readonly prefer: readonly LaneKind[];
  /** `security` from panel.yaml: which manifests the router may choose. */
  readonly security: PlanSecurity;
  /** Observed health per target saddr (the router's health step). */
  readonly health?: ReadonlyMap<string, HealthSample>;
  /**
   * Symbols whose path leads outside the workspace and `allow_paths`, with why (by saddr):
   * resolved by the loader (symlinks are on disk), so the plan itself stays pure (ADR 0022).
   */
  readonly pathsOutside?: Readonly<Record<string, string>>;
}

/** One route as the plan explains it. */
export interface PlannedRoute {
  readonly id: string;
  readonly from?: string;
  readonly to?: string;
  readonly lane?: LaneKind;
  readonly pattern?: LinkPattern;
  readonly candidates: readonly CandidateDecision[];
  readonly reasons: readonly string[];
  /** Why this route cannot be wired; the plan is then refused by apply. */
  readonly problem?: string;
}

export type Edit =
  | { readonly action: "create"; readonly route: string; readonly after: Edge }
  | { readonly action: "delete"; readonly route: string; readonly before: Edge }
  | {
      readonly action: "replace";
      readonly route: string;
      readonly before: Edge;
      readonly after: Edge;
      /** What differs, e.g. `to: rtt://a/api/x@1.0.0 → rtt://a/api/x@2.0.0`. */
      readonly changes: readonly string[];
    };

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  /** Hash of everything the plan was computed from; apply refuses a plan whose inputs changed. */
  readonly inputs_hash: string;
  /** The WAL commit the plan was computed against (0: nothing committed yet). */
  readonly base_seq: number;
  /**
   * `topologyHash` of the graph the plan was computed against: apply refuses the plan when the
   * panel's topology is another one (a restart that rewires the same topology is not a change).
   */
  readonly base_hash: string;
  readonly routes: readonly PlannedRoute[];
  /** Sorted by route id. */
  readonly edits: readonly Edit[];
  /** Route ids per batch, in the order apply runs them: by QoS priority, then route id. */
  readonly batches: readonly (readonly string[])[];
  readonly desired: Topology;
  /**
   * Routes a stub answers for now (degraded while their breaker is open, ADR 0014) that the
   * plan leaves to the panel: it compares them as wired to their real targets, which the panel
   * restores when the breaker closes. Absent when there are none.
   */
  readonly degraded?: readonly string[];
}

export function inputsHash(inputs: PlanInputs): string {
  // By saddr: a plain sort() would stringify the samples (and throw on null-prototype ones).
  const health =
    inputs.health === undefined
      ? []
      : [...inputs.health].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One text of the whole, no text kept per object: every plan a command makes reads its inputs
  // afresh (`loadPlanInputs`), so texts kept per symbol were paid for and never reused (issue 20).
  return canonicalHash({
    catalog: [...inputs.catalog].sort((a, b) => (a.saddr < b.saddr ? -1 : 1)),
    routes: inputs.routes,
    policy: inputs.policy,
    prefer: inputs.prefer,
    security: inputs.security,
    health,
    paths_outside: inputs.pathsOutside ?? {},
  } as unknown as JsonValue);
}

/** The desired graph: one edge per route that can be wired, and the reasons for every route. */
export function desiredGraph(inputs: PlanInputs): { desired: Topology; routes: PlannedRoute[] } {
  const engine = compilePolicy(inputs.policy);
  const { symbolAt, endSymbols } = catalogIndex(inputs.catalog);
  const context: RouteContext = {
    trust: manifestTrust(inputs.security),
    preferLanes: inputs.prefer,
    endSymbols,
    ...(inputs.health === undefined ? {} : { health: inputs.health }),
  };
  const edges: Edge[] = [];
  const routes: PlannedRoute[] = [];
  const seen = new Set<string>();
  for (const route of inputs.routes) {
    const id = routeId(route);
    const decision = routeDecision(route, inputs.catalog, engine, context);
    const base = { id, candidates: decision.candidates, reasons: decision.reasons };
    const from = decision.source === undefined ? undefined : symbolAt.get(decision.source);
    const to = decision.chosen === undefined ? undefined : symbolAt.get(decision.chosen);
    const problem = seen.has(id)
      ? `route id ${id} is used by more than one route in routes.json`
      : from === undefined || to === undefined
        ? (decision.reasons.at(-1) ?? "no target is chosen")
        : (noDriver(from) ??
          noDriver(to) ??
          inputs.pathsOutside?.[from.saddr] ??
          inputs.pathsOutside?.[to.saddr] ??
          reservedParams(route) ??
          launchParams(route));
    seen.add(id);
    if (from === undefined || to === undefined || problem !== undefined) {
      routes.push({
        ...base,
        ...(from === undefined ? {} : { from: from.saddr }),
        ...(to === undefined ? {} : { to: to.saddr }),
        problem: problem ?? "no target is chosen",
      });
      continue;
    }
    const pattern = patternOf(from, to);
    const qos = engine.qosFor(addressOf(from)).qos;
    const edge: Edge = {
      route: id,
      from: endOf(from, driverFor(from) ?? ""),
      to: endOf(to, driverFor(to) ?? ""),
      lane: decision.lane,
      pattern,
      prio: qos.prio,
      // The source's driver admits frames by the route's QoS (rate, burst, drop, buffer).
      params: sortedParams(route.params, routeQosParams(from.saddr, qos)),
    };
    edges.push(edge);
    // Members in the order of `base`'s and the problem branch's: the plan's JSON is the same.
    routes.push({
      id,
      candidates: decision.candidates,
      reasons: decision.reasons,
      from: from.saddr,
      to: to.saddr,
      lane: decision.lane,
      pattern,
    });
  }
  routes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { desired: topologyOf(edges), routes };
}

/**
 * The catalog by saddr, and the symbols each route end can resolve to or nearly miss (its name
 * bucket, see `nameBuckets`, sorted by saddr as the router reads it). Built once per catalog
 * array, which a plan never mutates: a panel plans the same catalog again and again.
 */
const catalogIndex = memoByObject((catalog: readonly CatalogSymbol[]) => {
  const bucketOf = nameBuckets(catalog);
  const sortedBucket = memoByObject((bucket: readonly CatalogSymbol[]) =>
    [...bucket].sort(bySaddr),
  );
  const endSymbols = (end: string): readonly CatalogSymbol[] | undefined => {
    const bucket = bucketOf(end);
    return bucket === undefined ? undefined : sortedBucket(bucket);
  };
  return { symbolAt: new Map(catalog.map((s) => [s.saddr, s])), endSymbols };
});

function noDriver(s: CatalogSymbol): string | undefined {
  return driverFor(s) === undefined
    ? `no driver can open ${s.saddr} (type ${s.type}): give its manifest an "x-run" argv, an "x-url", or an "x-driver"`
    : undefined;
}

function reservedParams(route: RouteSpec): string | undefined {
  const keys = reservedRouteParams(route.params);
  return keys.length === 0
    ? undefined
    : `routes.json: params ${keys.map((k) => JSON.stringify(k)).join(", ")}: keys starting with "qos." are reserved for the policy's QoS; set rate, burst, drop and buffer in a policy.json qos rule instead`;
}

function launchParams(route: RouteSpec): string | undefined {
  const keys = launchRouteParams(route.params);
  return keys.length === 0
    ? undefined
    : `routes.json: params ${keys.map((k) => JSON.stringify(k)).join(", ")}: a route may not say what a driver runs or opens; what runs comes from the manifest (x-run, x-cwd, x-path, x-url), and a change to it is a change in the plan`;
}

/**
 * Route parameters as drivers get them (strings, like the Open RPC's map), keys sorted: the
 * route's own, then the policy's QoS keys (which a route may not set, `reservedParams`).
 */
function sortedParams(
  params: Readonly<Record<string, string | number | boolean>> | undefined,
  qos: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string | number | boolean> = { ...params, ...qos };
  const out: Record<string, string> = {};
  for (const key of Object.keys(merged).sort()) {
    // Defined, not assigned: a "__proto__" key stays a member (as Object.fromEntries made it).
    if (key === "__proto__")
      Object.defineProperty(out, key, {
        value: String(merged[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = String(merged[key]);
  }
  return out;
}

/** What differs between two wirings of one route, for the plan's `~` lines. */
function changesBetween(before: Edge, after: Edge): string[] {
  const out: string[] = [];
  const note = (what: string, a: string, b: string) => {
    if (a !== b) out.push(`${what}: ${a} → ${b}`);
  };
  note("from", before.from.saddr, after.from.saddr);
  note("to", before.to.saddr, after.to.saddr);
  note(
    "from contract",
    before.from.contract_hash.slice(0, 12),
    after.from.contract_hash.slice(0, 12),
  );
  note("to contract", before.to.contract_hash.slice(0, 12), after.to.contract_hash.slice(0, 12));
  note("from driver", before.from.driver, after.from.driver);
  note("to driver", before.to.driver, after.to.driver);
  out.push(...endLaunchChanges("from", before.from, after.from));
  out.push(...endLaunchChanges("to", before.to, after.to));
  note("lane", before.lane, after.lane);
  note("pattern", before.pattern, after.pattern);
  note("prio", String(before.prio), String(after.prio));
  note("params", JSON.stringify(before.params), JSON.stringify(after.params));
  return out;
}

/** The minimal edit set turning `observed` into `desired`, sorted by route id. */
export function diffTopologies(observed: Topology, desired: Topology): Edit[] {
  const ids = [...new Set([...Object.keys(observed.edges), ...Object.keys(desired.edges)])].sort();
  const edits: Edit[] = [];
  for (const route of ids) {
    const before = observed.edges[route];
    const after = desired.edges[route];
    if (before === undefined && after !== undefined) edits.push({ action: "create", route, after });
    else if (before !== undefined && after === undefined)
      edits.push({ action: "delete", route, before });
    else if (before !== undefined && after !== undefined && !sameWiring(before, after))
      edits.push({
        action: "replace",
        route,
        before,
        after,
        changes: changesBetween(before, after),
      });
  }
  return edits;
}

/**
 * A replace that moves a one-way route to another target — another symbol, or the same on
 * another driver — and changes nothing else (source, lane, priority and parameters stay). A
 * target whose contract changed under the same address is no move: it needs a new handshake.
 */
export function movesTargetOnly(edit: Edit): edit is Extract<Edit, { action: "replace" }> {
  if (edit.action !== "replace" || edit.after.pattern !== "oneway") return false;
  const { before, after } = edit;
  const moves = before.to.saddr !== after.to.saddr || before.to.driver !== after.to.driver;
  return moves && edgeKey({ ...before, to: after.to }) === edgeKey(after);
}

/**
 * The routes apply moves in place: a target-only replace that is a batch of its own is a
 * QuickConnect — the new target is switched in at a frame boundary, the source keeps running
 * (a batch of several stays one transaction of replaces).
 */
export function inPlaceMoves(
  edits: readonly Edit[],
  batches: readonly (readonly string[])[],
): Set<string> {
  const alone = new Set(batches.flatMap((b) => (b.length === 1 ? b : [])));
  return new Set(edits.filter((e) => alone.has(e.route) && movesTargetOnly(e)).map((e) => e.route));
}

/** Batches by QoS priority (0 first), each sorted by route id; a delete keeps its old priority. */
export function batchEdits(edits: readonly Edit[]): string[][] {
  const byPrio = new Map<number, string[]>();
  for (const e of edits) {
    const prio = e.action === "delete" ? e.before.prio : e.after.prio;
    // Pushed in place: copying the batch per edit made this quadratic in the edit count.
    const batch = byPrio.get(prio);
    if (batch === undefined) byPrio.set(prio, [e.route]);
    else batch.push(e.route);
  }
  return [...byPrio.entries()].sort(([a], [b]) => a - b).map(([, ids]) => ids.sort());
}

/**
 * The observed graph as a plan compares it: a degraded route counts as wired to its real target.
 * The stub is the panel's stand-in while the breaker is open, not drift — an apply that "fixed"
 * it would rewire a tripped target, and the breaker would degrade it again.
 */
function withRealTargets(observed: Topology, catalog: readonly CatalogSymbol[]): Topology {
  // Nothing degraded (the usual case): the graph as it is; the diff reads it in route order.
  if (!Object.values(observed.edges).some((edge) => edge.to.driver === STUB_DRIVER))
    return observed;
  return topologyOf(
    Object.values(observed.edges).map((edge) => {
      const real = edge.to.driver === STUB_DRIVER ? catalogEnd(edge.to.saddr, catalog) : undefined;
      return real === undefined ? edge : { ...edge, to: real };
    }),
  );
}

export function makePlan(inputs: PlanInputs, observed: Topology, baseSeq: number): Plan {
  const { desired, routes } = desiredGraph(inputs);
  const edits = diffTopologies(withRealTargets(observed, inputs.catalog), desired);
  const edited = new Set(edits.map((e) => e.route));
  const degraded = Object.values(observed.edges)
    .filter((e) => e.to.driver === STUB_DRIVER && !edited.has(e.route))
    .map((e) => e.route);
  return {
    format: PLAN_FORMAT,
    inputs_hash: inputsHash(inputs),
    base_seq: baseSeq,
    base_hash: topologyHash(observed),
    routes,
    edits,
    batches: batchEdits(edits),
    desired,
    ...(degraded.length > 0 ? { degraded } : {}),
  };
}

/** The routes a plan cannot wire, with why. */
export function planProblems(plan: Plan): { route: string; problem: string }[] {
  return plan.routes.flatMap((r) =>
    r.problem === undefined ? [] : [{ route: r.id, problem: r.problem }],
  );
}

/** Refuses a plan with a route that cannot be wired: no plan is applied in part. */
export function refuseUnwirable(plan: Plan): void {
  const problems = planProblems(plan);
  if (problems.length > 0)
    throw new RttError(
      "RTT_ERR_PLAN_INVALID",
      `${problems.length} route(s) cannot be wired: ${problems.map((p) => `${p.route}: ${p.problem}`).join("; ")}`,
      { hint: "`rtt plan` explains each route's candidates" },
    );
}

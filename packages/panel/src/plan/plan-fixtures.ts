/**
 * Test-only: random plan inputs (catalogs, routes, policies, lane preferences, health) and
 * topologies over a small vocabulary, so references resolve to 0, 1 or several symbols; and the
 * helpers the planner's tests check plans and edit sets with.
 */
import assert from "node:assert/strict";
import {
  type CatalogSymbol,
  type Contract,
  LANE_KINDS,
  type LaneKind,
  type Policy,
  type RouteSpec,
  symbolFromContract,
} from "@rtt/core";
import fc from "fast-check";
import type { HealthSample } from "../router/router.ts";
import { type Edit, NOT_STRICT, type Plan, type PlanInputs } from "./plan.ts";
import { type Edge, edgeKey, type LinkPattern, type Topology, topologyOf } from "./topology.ts";

// ---- Arbitraries: a small vocabulary, so references resolve to 0, 1 or several symbols. ----

const NAMESPACES = ["a", "b", "c"] as const;
const TYPES = ["api", "bus", "hook", "extension", "file"] as const;
const NAMES = ["x", "y", "z"] as const;
const VERSIONS = ["1.0.0", "1.2.0", "2.0.0"] as const;
const CAPS = ["pull", "push", "stream"] as const;
const source = { file: "rtt.manifest.json", scanner: "manifest", score: 1 } as const;

const symbolArb: fc.Arbitrary<CatalogSymbol> = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES),
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom(...NAMES),
    version: fc.constantFrom(...VERSIONS),
    direction: fc.constantFrom("provider", "consumer", "both"),
    // Mostly compatible: compat's own tests cover the mismatches; here enough must wire.
    io: fc.option(fc.constantFrom("req", "stream", "pubsub"), { nil: undefined, freq: 2 }),
    caps: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.subarray([...CAPS]) },
    ),
    versionSet: fc.option(fc.constantFrom("^1", ">=1.2.0", "*"), { nil: undefined, freq: 4 }),
    latency: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    // Mostly runnable; sometimes nothing can open it (a hook or bus without x-run).
    run: fc.option(fc.array(fc.constantFrom("node", "svc.mjs", "--flag"), { minLength: 1 }), {
      nil: undefined,
      freq: 5,
    }),
  })
  .map((p) => {
    const contract = {
      saddr: `rtt://${p.namespace}/${p.type}/${p.name}@${p.version}`,
      type: p.type,
      direction: p.direction,
      capabilities: p.caps,
      ...(p.io === undefined ? {} : { io: p.io }),
      ...(p.versionSet === undefined ? {} : { version_set: p.versionSet }),
      ...(p.latency === undefined ? {} : { qos: { latency_budget_ms: p.latency } }),
      ...(p.run === undefined ? {} : { "x-run": p.run }),
    } as Contract;
    return symbolFromContract(contract, source);
  });

/** Distinct saddrs, like a real catalog (the scanner merges by address). */
const catalogArb = fc.uniqueArray(symbolArb, { maxLength: 14, selector: (s) => s.saddr });

/** A reference to the vocabulary: exact, a range, no version, or one that resolves to nothing. */
const referenceArb: fc.Arbitrary<string> = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES, "nowhere"),
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom(...NAMES),
    version: fc.option(fc.constantFrom(...VERSIONS, "^1", "^2", "~1.2"), { nil: undefined }),
  })
  .map((r) => `rtt://${r.namespace}/${r.type}/${r.name}${r.version ? `@${r.version}` : ""}`);

const paramsArb = fc.dictionary(
  fc.constantFrom("alpha", "beta", "gamma", "optional_caps"),
  fc.oneof(fc.constantFrom("pull", "push,stream", "1"), fc.integer({ max: 9 }), fc.boolean()),
  // As JSON.parse makes them: a null-prototype object would differ from its own copy.
  { maxKeys: 3, noNullPrototype: true },
);

/** Mostly references to the catalog's own symbols (exact, or without the version), else random. */
function endArb(catalog: readonly CatalogSymbol[]): fc.Arbitrary<string> {
  if (catalog.length === 0) return referenceArb;
  const own = fc.constantFrom(...catalog.map((s) => s.saddr));
  return fc.oneof(
    { weight: 3, arbitrary: own },
    { weight: 1, arbitrary: own.map((s) => s.replace(/@.*$/, "")) },
    { weight: 1, arbitrary: referenceArb },
    { weight: 1, arbitrary: fc.constantFrom("rtt://*/api/x", "not an address", "rtt://a/*/y") },
  );
}

const routeArb = (catalog: readonly CatalogSymbol[]): fc.Arbitrary<RouteSpec> =>
  fc
    .record({
      id: fc.option(fc.constantFrom("r1", "r2", "r3", "r4", "r5", "r6"), { nil: undefined }),
      from: endArb(catalog),
      to: fc.oneof(endArb(catalog), fc.array(endArb(catalog), { minLength: 1, maxLength: 3 })),
      params: fc.option(paramsArb, { nil: undefined }),
    })
    .map((r) => ({
      ...(r.id === undefined ? {} : { id: r.id }),
      from: r.from,
      to: r.to,
      ...(r.params === undefined ? {} : { params: r.params }),
    }));

const globArb = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES, "*"),
    type: fc.constantFrom(...TYPES, "*"),
  })
  .map((g) => `rtt://${g.namespace}/${g.type}/*`);

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    // Any allow rule makes the ACL default-deny: often none, so enough routes wire.
    allow: fc.option(fc.array(fc.record({ from: globArb, to: globArb }), { maxLength: 3 }), {
      nil: undefined,
      freq: 2,
    }),
    deny: fc.option(fc.array(fc.record({ from: globArb, to: globArb }), { maxLength: 2 }), {
      nil: undefined,
    }),
    pin: fc.option(
      fc.array(
        fc
          .tuple(
            fc.constantFrom(...NAMESPACES),
            fc.constantFrom(...TYPES),
            fc.constantFrom(...NAMES),
            fc.constantFrom(...NAMESPACES),
            fc.constantFrom(...TYPES),
            fc.constantFrom(...NAMES),
            fc.constantFrom(...VERSIONS),
          )
          .map(([n1, t1, x1, n2, t2, x2, v]) => ({
            route: `rtt://${n1}/${t1}/${x1} -> rtt://${n2}/${t2}/${x2}@${v}`,
          })),
        { maxLength: 2 },
      ),
      { nil: undefined },
    ),
    qos: fc.option(
      fc.array(
        fc.record(
          {
            match: globArb,
            prio: fc.integer({ min: 0, max: 7 }),
            latency_ms: fc.integer({ min: 1, max: 10 }),
          },
          { requiredKeys: ["match"] },
        ),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
  })
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Policy);

const preferArb: fc.Arbitrary<LaneKind[]> = fc.shuffledSubarray([...LANE_KINDS], {
  minLength: 1,
});

const healthArb: fc.Arbitrary<[string, HealthSample][]> = fc.array(
  fc.tuple(
    fc.constantFrom(...NAMESPACES).map((n) => `rtt://${n}/api/x@1.0.0`),
    fc.record({
      p95_ms: fc.integer({ min: 1, max: 50 }),
      err_rate: fc.constantFrom(0, 0.001, 0.2),
    }),
  ),
  { maxLength: 3 },
);

export const inputsArb: fc.Arbitrary<PlanInputs> = catalogArb
  .chain((catalog) =>
    fc.record({
      catalog: fc.constant(catalog),
      routes: fc.array(routeArb(catalog), { maxLength: 8 }),
      policy: policyArb,
      prefer: preferArb,
      health: fc.option(healthArb, { nil: undefined }),
    }),
  )
  .map((i) => ({
    catalog: i.catalog,
    routes: i.routes,
    policy: i.policy,
    prefer: i.prefer,
    security: NOT_STRICT,
    ...(i.health === undefined ? {} : { health: new Map(i.health) }),
  }));

// Edges drawn directly, so the diff laws see every kind of difference, not only the router's.
const edgeArb = (route: string): fc.Arbitrary<Edge> =>
  fc
    .record({
      from: fc.constantFrom("rtt://a/bus/x@1.0.0", "rtt://a/hook/y@1.0.0"),
      to: fc.constantFrom("rtt://b/api/x@1.0.0", "rtt://b/api/x@2.0.0"),
      fromDriver: fc.constantFrom("process", "http"),
      toDriver: fc.constantFrom("process", "http", "file"),
      hash: fc.constantFrom("aa", "bb"),
      lane: fc.constantFrom(...LANE_KINDS),
      pattern: fc.constantFrom<LinkPattern>("oneway", "reqrep"),
      prio: fc.integer({ min: 0, max: 3 }),
      params: fc.dictionary(fc.constantFrom("k", "q"), fc.constantFrom("1", "2"), {
        maxKeys: 2,
        noNullPrototype: true,
      }),
    })
    .map((e) => ({
      route,
      from: { saddr: e.from, driver: e.fromDriver, contract_hash: e.hash },
      to: { saddr: e.to, driver: e.toDriver, contract_hash: e.hash },
      lane: e.lane,
      pattern: e.pattern,
      prio: e.prio,
      params: e.params,
    }));

export const topologyArb: fc.Arbitrary<Topology> = fc
  .subarray(["r1", "r2", "r3", "r4", "r5", "r6", "r7"])
  .chain((ids) => fc.tuple(...ids.map(edgeArb)))
  .map((edges) => topologyOf(edges));

/** Two graphs that share some routes, some with the same edge and some with a different one. */
export const topologyPairArb: fc.Arbitrary<[Topology, Topology]> = fc
  .tuple(topologyArb, topologyArb, fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }))
  .map(([a, b, keep]) => {
    // Copy some of a's edges into b unchanged, so "same edge" is common, not a rare accident.
    const edges = { ...b.edges };
    Object.keys(a.edges).forEach((id, i) => {
      const e = a.edges[id];
      if (keep[i] === true && e !== undefined) edges[id] = e;
    });
    return [a, topologyOf(Object.values(edges))];
  });

// ---- Helpers. ----

export const json = (plan: Plan): string => JSON.stringify(plan, null, 2);

export function shuffleKeys<T extends object>(record: T, order: readonly number[]): T {
  const entries = Object.entries(record);
  const rotated = entries.map((_, i) => entries[(i + (order[i] ?? 0)) % entries.length]);
  const seen = new Set<string>();
  const out: [string, unknown][] = [];
  for (const e of [...rotated, ...entries]) {
    if (e === undefined || seen.has(e[0])) continue;
    seen.add(e[0]);
    out.push(e);
  }
  return Object.fromEntries(out) as T;
}

/** Applies an edit set to a graph, checking each edit's precondition. */
export function applyEdits(graph: Topology, edits: readonly Edit[]): Topology {
  const edges = new Map(Object.entries(graph.edges));
  for (const e of edits) {
    const current = edges.get(e.route);
    if (e.action === "create") {
      assert.equal(current, undefined, `create ${e.route}: it is already wired`);
      edges.set(e.route, e.after);
    } else if (e.action === "delete") {
      assert.deepEqual(current, e.before, `delete ${e.route}: before is not what is wired`);
      edges.delete(e.route);
    } else {
      assert.deepEqual(current, e.before, `replace ${e.route}: before is not what is wired`);
      assert.notEqual(edgeKey(e.before), edgeKey(e.after));
      assert.ok(e.changes.length > 0, `replace ${e.route} lists no change`);
      edges.set(e.route, e.after);
    }
  }
  return topologyOf(edges.values());
}

export function prioOf(e: Edit): number {
  return e.action === "delete" ? e.before.prio : e.after.prio;
}

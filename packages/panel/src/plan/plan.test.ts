/**
 * The planner's laws, over random catalogs, routes and policies: the plan is a deterministic
 * function of its inputs (whatever the catalog order or params key order, and in another
 * process too), and its edit set is the minimal, exact difference between two graphs, run in
 * batches that cover each edited route once, by ascending QoS priority. Plus the quickstart.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
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
import { compilePolicy } from "../policy/policy-engine.ts";
import { type HealthSample, routeDecision } from "../router/router.ts";
import { scanWorkspace } from "../scan/scanner.ts";
import { workspacePaths } from "../workspace/workspace.ts";
import { committedTopology, loadPlanInputs } from "./inputs.ts";
import {
  batchEdits,
  diffTopologies,
  type Edit,
  inPlaceMoves,
  makePlan,
  movesTargetOnly,
  PLAN_SEED,
  type Plan,
  type PlanInputs,
  planProblems,
} from "./plan.ts";
import {
  type Edge,
  EMPTY_TOPOLOGY,
  edgeKey,
  type LinkPattern,
  STUB_DRIVER,
  type Topology,
  topologyHash,
  topologyOf,
} from "./topology.ts";

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
  { maxKeys: 3 },
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

const inputsArb: fc.Arbitrary<PlanInputs> = catalogArb
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
      params: fc.dictionary(fc.constantFrom("k", "q"), fc.constantFrom("1", "2"), { maxKeys: 2 }),
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

const topologyArb: fc.Arbitrary<Topology> = fc
  .subarray(["r1", "r2", "r3", "r4", "r5", "r6", "r7"])
  .chain((ids) => fc.tuple(...ids.map(edgeArb)))
  .map((edges) => topologyOf(edges));

/** Two graphs that share some routes, some with the same edge and some with a different one. */
const topologyPairArb: fc.Arbitrary<[Topology, Topology]> = fc
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

const json = (plan: Plan): string => JSON.stringify(plan, null, 2);

function shuffleKeys<T extends object>(record: T, order: readonly number[]): T {
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
function applyEdits(graph: Topology, edits: readonly Edit[]): Topology {
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

function prioOf(e: Edit): number {
  return e.action === "delete" ? e.before.prio : e.after.prio;
}

// ---- Laws. ----

describe("makePlan is deterministic", () => {
  it("two runs give byte-identical JSON, whatever the catalog order and params key order", () => {
    fc.assert(
      fc.property(
        inputsArb,
        topologyArb,
        fc.nat(),
        fc.array(fc.nat({ max: 5 }), { minLength: 4, maxLength: 4 }),
        (inputs, observed, seed, order) => {
          const plan = json(makePlan(inputs, observed, 3));
          assert.equal(json(makePlan(inputs, observed, 3)), plan);
          const shuffled: PlanInputs = {
            ...inputs,
            catalog:
              fc.sample(
                fc.shuffledSubarray([...inputs.catalog], {
                  minLength: inputs.catalog.length,
                }),
                { seed, numRuns: 1 },
              )[0] ?? [],
            routes: inputs.routes.map((r) =>
              r.params === undefined ? r : { ...r, params: shuffleKeys(r.params, order) },
            ),
          };
          assert.equal(shuffled.catalog.length, inputs.catalog.length);
          assert.equal(json(makePlan(shuffled, observed, 3)), plan);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("its catalog index changes nothing: each route is decided as the router decides it on the whole catalog", () => {
    fc.assert(
      fc.property(inputsArb, (inputs) => {
        const plan = makePlan(inputs, EMPTY_TOPOLOGY, 0);
        const engine = compilePolicy(inputs.policy);
        const context = {
          seed: PLAN_SEED,
          preferLanes: inputs.prefer,
          ...(inputs.health === undefined ? {} : { health: inputs.health }),
        };
        const seen = new Set<string>();
        for (const route of inputs.routes) {
          const d = routeDecision(route, inputs.catalog, engine, context);
          if (seen.has(d.routeId)) continue; // a repeated id: the plan reports the first
          seen.add(d.routeId);
          const planned = plan.routes.find((r) => r.id === d.routeId);
          assert.deepEqual(
            { candidates: planned?.candidates, reasons: planned?.reasons },
            { candidates: d.candidates, reasons: d.reasons },
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("another Node process computes the byte-identical plan from the same inputs", () => {
    const planUrl = new URL("./plan.ts", import.meta.url).href;
    const script = `
      import { makePlan } from ${JSON.stringify(planUrl)};
      let text = "";
      for await (const chunk of process.stdin) text += chunk;
      const { inputs, observed } = JSON.parse(text);
      const { health, ...rest } = inputs;
      const plan = makePlan(health === undefined ? rest : { ...rest, health: new Map(health) }, observed, 7);
      process.stdout.write(JSON.stringify(plan, null, 2));
    `;
    const cases = fc.sample(fc.tuple(inputsArb, topologyArb), { seed: 20261129, numRuns: 4 });
    let edited = 0;
    for (const [inputs, observed] of cases) {
      const payload = {
        inputs: {
          ...inputs,
          health: inputs.health === undefined ? undefined : [...inputs.health],
        },
        observed,
      };
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        input: JSON.stringify(payload),
        encoding: "utf8",
        env: { ...process.env, NODE_TEST_CONTEXT: "", NODE_OPTIONS: "" },
        timeout: 30_000,
      });
      assert.equal(child.stderr, "");
      assert.equal(child.status, 0);
      const here = json(makePlan(inputs, observed, 7));
      assert.equal(child.stdout, here);
      edited += makePlan(inputs, observed, 7).edits.length;
    }
    assert.ok(edited > 0, "the sampled cases should plan at least one edit");
  });
});

describe("diffTopologies and batchEdits", () => {
  it("diff(x, x) is empty", () => {
    fc.assert(
      fc.property(topologyArb, (x) => {
        assert.deepEqual(diffTopologies(x, x), []);
        assert.deepEqual(batchEdits([]), []);
      }),
    );
  });

  it("applying diff(a, b) to a yields b, with the counts of each action", () => {
    fc.assert(
      fc.property(topologyPairArb, ([a, b]) => {
        const edits = diffTopologies(a, b);
        assert.deepEqual(applyEdits(a, edits), b);
        const inA = new Set(Object.keys(a.edges));
        const inB = new Set(Object.keys(b.edges));
        const count = (action: Edit["action"]) => edits.filter((e) => e.action === action).length;
        assert.equal(count("create"), [...inB].filter((id) => !inA.has(id)).length);
        assert.equal(count("delete"), [...inA].filter((id) => !inB.has(id)).length);
        const changed = [...inA].filter((id) => {
          const x = a.edges[id];
          const y = b.edges[id];
          return x !== undefined && y !== undefined && edgeKey(x) !== edgeKey(y);
        });
        assert.equal(count("replace"), changed.length);
        // Minimal: no edit for a route wired the same way on both sides, sorted by route id.
        const ids = edits.map((e) => e.route);
        assert.deepEqual(ids, [...ids].sort());
        assert.equal(new Set(ids).size, ids.length);
      }),
      { numRuns: 300 },
    );
  });

  it("the plan's desired graph is what its edits make of the observed one", () => {
    fc.assert(
      fc.property(inputsArb, topologyArb, (inputs, observed) => {
        const plan = makePlan(inputs, observed, 1);
        assert.deepEqual(applyEdits(observed, plan.edits), plan.desired);
        assert.deepEqual(diffTopologies(plan.desired, plan.desired), []);
        // A route with a problem is never wired; every wired route is a planned route.
        const problems = new Set(planProblems(plan).map((p) => p.route));
        const ok = new Set(plan.routes.filter((r) => r.problem === undefined).map((r) => r.id));
        for (const id of Object.keys(plan.desired.edges)) assert.ok(ok.has(id), id);
        for (const id of ok) assert.ok(plan.desired.edges[id] !== undefined, id);
        for (const r of plan.routes) {
          if (problems.has(r.id) && !ok.has(r.id))
            assert.equal(plan.desired.edges[r.id], undefined);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("batches cover each edited route exactly once, by ascending priority, sorted within", () => {
    fc.assert(
      fc.property(topologyPairArb, ([a, b]) => {
        const edits = diffTopologies(a, b);
        const batches = batchEdits(edits);
        const flat = batches.flat();
        assert.deepEqual([...flat].sort(), edits.map((e) => e.route).sort());
        assert.equal(new Set(flat).size, flat.length);
        const prio = new Map(edits.map((e) => [e.route, prioOf(e)]));
        const batchPrios = batches.map((batch) => {
          assert.ok(batch.length > 0);
          assert.deepEqual(batch, [...batch].sort());
          const ps = new Set(batch.map((id) => prio.get(id)));
          assert.equal(ps.size, 1, `batch ${batch.join(",")} mixes priorities`);
          return [...ps][0] ?? -1;
        });
        for (let i = 1; i < batchPrios.length; i++) {
          assert.ok((batchPrios[i - 1] ?? 0) < (batchPrios[i] ?? 0), `${batchPrios}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("inPlaceMoves", () => {
  it("exactly the replaces of a one-way route's target alone in their batch", () => {
    fc.assert(
      fc.property(topologyPairArb, ([a, b]) => {
        const edits = diffTopologies(a, b);
        const batches = batchEdits(edits);
        const inPlace = inPlaceMoves(edits, batches);
        for (const edit of edits) {
          const onlyTarget =
            edit.action === "replace" &&
            edit.after.pattern === "oneway" &&
            (edit.after.to.saddr !== edit.before.to.saddr ||
              edit.after.to.driver !== edit.before.to.driver) &&
            edgeKey({ ...edit.after, to: edit.before.to }) === edgeKey(edit.before);
          assert.equal(movesTargetOnly(edit), onlyTarget, edit.route);
          const alone = batches.some((batch) => batch.length === 1 && batch[0] === edit.route);
          assert.equal(inPlace.has(edit.route), onlyTarget && alone, edit.route);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a new target is moved in place; a new parameter, a changed contract or a batch of two is a replace", () => {
    const before: Edge = {
      route: "r",
      from: { saddr: "rtt://a/bus/s@1.0.0", driver: "process", contract_hash: "s" },
      to: { saddr: "rtt://a/extension/d1@1.0.0", driver: "process", contract_hash: "d1" },
      lane: "shm",
      pattern: "oneway",
      prio: 0,
      params: {},
    };
    const to = { saddr: "rtt://a/extension/d2@1.0.0", driver: "process", contract_hash: "d2" };
    const moved = diffTopologies(topologyOf([before]), topologyOf([{ ...before, to }]));
    assert.deepEqual([...inPlaceMoves(moved, batchEdits(moved))], ["r"]);
    const withParam = diffTopologies(
      topologyOf([before]),
      topologyOf([{ ...before, to, params: { tag: "x" } }]),
    );
    assert.deepEqual([...inPlaceMoves(withParam, batchEdits(withParam))], []);
    const other: Edge = { ...before, route: "q" };
    const two = diffTopologies(
      topologyOf([before, other]),
      topologyOf([
        { ...before, to },
        { ...other, to },
      ]),
    );
    assert.deepEqual(batchEdits(two), [["q", "r"]]);
    assert.deepEqual([...inPlaceMoves(two, batchEdits(two))], []);
    const newContract = diffTopologies(
      topologyOf([before]),
      topologyOf([{ ...before, to: { ...before.to, contract_hash: "d1-changed" } }]),
    );
    assert.deepEqual([...inPlaceMoves(newContract, batchEdits(newContract))], []);
    const reqrep = diffTopologies(
      topologyOf([{ ...before, pattern: "reqrep" }]),
      topologyOf([{ ...before, pattern: "reqrep", to }]),
    );
    assert.deepEqual([...inPlaceMoves(reqrep, batchEdits(reqrep))], []);
  });
});

// ---- The quickstart. ----

const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart", import.meta.url));
const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function scannedQuickstart(): PlanInputs {
  const temp = mkdtempSync(join(tmpdir(), "rtt-plan-quickstart-"));
  temps.push(temp); // the temp folder, not only the copy in it
  const dir = join(temp, "quickstart");
  cpSync(QUICKSTART, dir, {
    recursive: true,
    filter: (src) => !relative(QUICKSTART, src).split(sep).join("/").startsWith(".rtt/cache"),
  });
  const paths = workspacePaths(dir);
  const report = scanWorkspace(paths);
  assert.equal(report.errors, 0);
  const loaded = loadPlanInputs(paths);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  assert.deepEqual(committedTopology(paths), { seq: 0, topology: EMPTY_TOPOLOGY });
  return loaded.inputs;
}

describe("the quickstart's plan", () => {
  it("ui-refresh: a reqrep create from a process hook to the http metrics api, over shm", () => {
    const plan = makePlan(scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.equal(plan.base_seq, 0);
    const edit = plan.edits.find((e) => e.route === "ui-refresh");
    assert.ok(edit?.action === "create", JSON.stringify(plan.edits));
    assert.deepEqual(
      {
        from: [edit.after.from.saddr, edit.after.from.driver],
        to: [edit.after.to.saddr, edit.after.to.driver],
        lane: edit.after.lane,
        pattern: edit.after.pattern,
      },
      {
        from: ["rtt://ui/hook/refresh@1.0.0", "process"],
        to: ["rtt://core/api/metrics@1.0.0#prom", "http"],
        lane: "shm",
        pattern: "reqrep",
      },
    );
    assert.ok(plan.batches.flat().includes("ui-refresh"));
  });

  it("two creates (events-to-log oneway process → process, ui-refresh reqrep process → http), shm, no problems", () => {
    const plan = makePlan(scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.deepEqual(planProblems(plan), []);
    const summary = plan.edits.map((e) =>
      e.action === "create"
        ? [e.route, e.after.pattern, e.after.from.driver, e.after.to.driver, e.after.lane]
        : [e.route, e.action],
    );
    assert.deepEqual(summary, [
      ["events-to-log", "oneway", "process", "process", "shm"],
      ["ui-refresh", "reqrep", "process", "http", "shm"],
    ]);
    // The bus route has QoS prio 0, so it is wired first.
    assert.deepEqual(plan.batches[0], ["events-to-log"]);
  });

  it("a degraded route (a stub for its target) is no drift: no edit, named in `degraded`", () => {
    const inputs = scannedQuickstart();
    const wired = makePlan(inputs, EMPTY_TOPOLOGY, 0).desired;
    const refresh = wired.edges["ui-refresh"] as Edge;
    const degraded = topologyOf([
      ...Object.values(wired.edges).filter((e) => e.route !== "ui-refresh"),
      { ...refresh, to: { ...refresh.to, driver: STUB_DRIVER } },
    ]);
    const plan = makePlan(inputs, degraded, 7);
    assert.deepEqual(plan.edits, []);
    assert.deepEqual(plan.degraded, ["ui-refresh"]);
    assert.equal(plan.base_hash, topologyHash(degraded), "apply checks the graph as it is");
    assert.equal(makePlan(inputs, wired, 7).degraded, undefined);
    // A change routes.json makes to a degraded route is planned from its real target.
    const routes = inputs.routes.map((r) =>
      r.id === "ui-refresh" ? { ...r, params: { timeout_ms: 5000 } } : r,
    );
    const changed = makePlan({ ...inputs, routes }, degraded, 7);
    assert.deepEqual(
      changed.edits.map((e) => [e.action, e.route, e.action === "replace" && e.before.to.driver]),
      [["replace", "ui-refresh", "http"]],
    );
    assert.equal(changed.degraded, undefined);
  });

  it("the bus rule's QoS rides to the source's driver as qos.* params; the api route has no rate", () => {
    const plan = makePlan(scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.deepEqual(plan.desired.edges["events-to-log"]?.params, {
      "qos.buffer": "1024",
      "qos.burst": "5000",
      "qos.drop": "buffer",
      "qos.rate": "50000",
      "qos.source": "rtt://core/bus/events@1.0.0",
    });
    assert.deepEqual(plan.desired.edges["ui-refresh"]?.params, {});
  });

  it("routes.json may not set qos.* params: the route gets a problem naming them", () => {
    const inputs = scannedQuickstart();
    const routes = inputs.routes.map((r) =>
      r.id === "events-to-log" ? { ...r, params: { "qos.rate": 1, framing: "lines" } } : r,
    );
    const plan = makePlan({ ...inputs, routes }, EMPTY_TOPOLOGY, 0);
    const problem = planProblems(plan).find((p) => p.route === "events-to-log")?.problem ?? "";
    assert.match(problem, /params "qos\.rate": keys starting with "qos\." are reserved/);
    assert.equal(plan.desired.edges["events-to-log"], undefined);
  });

  it("planning again against its own desired graph finds no changes", () => {
    const inputs = scannedQuickstart();
    const first = makePlan(inputs, EMPTY_TOPOLOGY, 0);
    const again = makePlan(inputs, first.desired, 1);
    assert.deepEqual(again.edits, []);
    assert.deepEqual(again.batches, []);
    assert.equal(again.inputs_hash, first.inputs_hash);
  });
});

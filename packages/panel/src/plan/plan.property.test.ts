/**
 * The planner's laws, over random catalogs, routes and policies: the plan is a deterministic
 * function of its inputs (whatever the catalog order or params key order, and in another
 * process too), and its edit set is the minimal, exact difference between two graphs, run in
 * batches that cover each edited route once, by ascending QoS priority.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compilePolicy } from "../policy/policy-engine.ts";
import { manifestTrust, routeDecision } from "../router/router.ts";
import {
  batchEdits,
  diffTopologies,
  type Edit,
  inPlaceMoves,
  makePlan,
  movesTargetOnly,
  type PlanInputs,
  planProblems,
} from "./plan.ts";
import {
  applyEdits,
  inputsArb,
  json,
  prioOf,
  shuffleKeys,
  topologyArb,
  topologyPairArb,
} from "./plan-fixtures.ts";
import { type Edge, EMPTY_TOPOLOGY, edgeKey, topologyOf } from "./topology.ts";

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
          trust: manifestTrust(inputs.security),
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

/**
 * The planner's caches (issue 20) change no byte of a plan: a plan of a generated 2,000-route
 * workspace made warm — the same input objects planned again, every per-object and per-string
 * cache full — is the plan a fresh process makes with every cache empty, and its hashes are
 * the canonical hashes of the plain documents, computed without any cache.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { canonicalHash } from "@rtt/core";
import { makePlan } from "./plan.ts";
import { json } from "./plan-fixtures.ts";
import { syntheticWorkspace } from "./synthetic-workspace.ts";
import { edgeKey } from "./topology.ts";

const ROUTES = 2000;

/** A deep copy no cache has seen (new objects, as read from disk). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("plan caches", () => {
  const { inputs, observed } = syntheticWorkspace(ROUTES);
  const warm = () => {
    for (let i = 0; i < 3; i++) makePlan(inputs, observed, 1);
    return makePlan(inputs, observed, 1);
  };

  it("a warm plan is byte-identical to one made in a fresh process, caches empty", () => {
    const script = `
      import { makePlan } from "./packages/panel/src/plan/plan.ts";
      import { json } from "./packages/panel/src/plan/plan-fixtures.ts";
      import { syntheticWorkspace } from "./packages/panel/src/plan/synthetic-workspace.ts";
      const { inputs, observed } = syntheticWorkspace(${ROUTES});
      process.stdout.write(json(makePlan(inputs, observed, 1)));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: new URL("../../../../", import.meta.url),
      encoding: "utf8",
      env: { ...process.env, NODE_TEST_CONTEXT: "", NODE_OPTIONS: "" },
      maxBuffer: 256 * 1024 * 1024,
      timeout: 120_000,
    });
    assert.equal(child.stderr, "");
    assert.equal(child.status, 0);
    const plan = warm();
    // The workspace is one a plan has work in: most routes wired, every kind of edit.
    assert.ok(Object.keys(plan.desired.edges).length > ROUTES * 0.9);
    assert.deepEqual(
      new Set(plan.edits.map((e) => e.action)),
      new Set(["create", "replace", "delete"]),
    );
    assert.equal(json(plan), child.stdout);
  });

  it("a warm plan equals the plan of a copy of its inputs no cache has seen", () => {
    const fresh = copy({ inputs, observed });
    assert.equal(json(warm()), json(makePlan(fresh.inputs, fresh.observed, 1)));
  });

  it("its hashes are those of the plain documents", () => {
    const plan = warm();
    const plain = copy(inputs);
    const expected = canonicalHash({
      catalog: [...plain.catalog].sort((a, b) => (a.saddr < b.saddr ? -1 : 1)),
      routes: plain.routes,
      policy: plain.policy,
      prefer: plain.prefer,
      security: plain.security,
      health: [],
      paths_outside: {},
    });
    assert.equal(plan.inputs_hash, expected);
    assert.equal(plan.base_hash, canonicalHash(copy(observed.edges)));
    for (const edge of Object.values(plan.desired.edges))
      assert.equal(edgeKey(edge), canonicalHash(copy(edge)));
  });
});

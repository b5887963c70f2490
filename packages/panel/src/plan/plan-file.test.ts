import assert from "node:assert/strict";
import { test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { inputsFor, ROUTES_A, ROUTES_B } from "../reconcile/apply-crash-child.ts";
import { desiredGraph, makePlan } from "./plan.ts";
import { parsePlan } from "./plan-file.ts";

const plan = makePlan(inputsFor(ROUTES_B), desiredGraph(inputsFor(ROUTES_A)).desired, 7);
const text = JSON.stringify(plan, null, 2);

function invalid(run: () => unknown): RttError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof RttError, `an RttError, not ${String(error)}`);
    assert.equal(error.code, "RTT_ERR_PLAN_INVALID");
    return error;
  }
  assert.fail("expected RTT_ERR_PLAN_INVALID");
}

test("a plan survives the trip through its file", () => {
  assert.ok(plan.edits.length >= 3);
  assert.deepEqual(parsePlan(text, "plan.json"), plan);
});

test("bad input names the file and the first wrong field by its JSON path", () => {
  assert.match(invalid(() => parsePlan("{", "p.json")).message, /^p\.json is not JSON/);
  const noFormat = { ...plan, format: "rtt.plan/v0" };
  assert.match(
    invalid(() => parsePlan(JSON.stringify(noFormat), "p.json")).message,
    /\$\.format: expected "rtt\.plan\/v1"/,
  );
  const badLane = structuredClone(plan) as unknown as { edits: { after?: { lane: string } }[] };
  const edit = badLane.edits.find((e) => e.after !== undefined);
  if (edit?.after) edit.after.lane = "carrier-pigeon";
  assert.match(
    invalid(() => parsePlan(JSON.stringify(badLane), "p.json")).message,
    /\$\.edits\[\d\]\.after\.lane: expected one of shm, uds, tcp, inproc/,
  );
  const unbatched = { ...plan, batches: plan.batches.slice(1) };
  assert.match(
    invalid(() => parsePlan(JSON.stringify(unbatched), "p.json")).message,
    /every edited route in one batch/,
  );
});

test("property: any JSON value or string that is not a plan is RTT_ERR_PLAN_INVALID, never a crash", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      (t) => {
        invalid(() => parsePlan(t, "x.json"));
      },
    ),
  );
});

/** Every path to a value inside the plan, as keys. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

test("property: damaging any field either keeps a valid plan or is refused with a JSON path", () => {
  const all = paths(plan).filter((p) => p.length > 0);
  fc.assert(
    fc.property(
      fc.constantFrom(...all),
      fc.oneof(fc.constant(undefined), fc.jsonValue()),
      (path, replacement) => {
        const copy = structuredClone(plan) as unknown as Record<string | number, unknown>;
        let parent: Record<string | number, unknown> = copy;
        for (const key of path.slice(0, -1))
          parent = parent[key] as Record<string | number, unknown>;
        const last = path.at(-1) as string | number;
        if (replacement === undefined) delete parent[last];
        else parent[last] = replacement;
        try {
          parsePlan(JSON.stringify(copy), "x.json");
        } catch (error) {
          assert.ok(error instanceof RttError && error.code === "RTT_ERR_PLAN_INVALID");
          assert.match(error.message, /x\.json is not a valid plan: \$/);
        }
      },
    ),
  );
});

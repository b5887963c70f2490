/**
 * The comparison's laws over random plans: a plan is its own JSON round trip (whatever the
 * member order and base_seq), and any single edit anywhere else in it — a value changed, a
 * member or element removed, a member added — is reported.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { makePlan } from "./plan.ts";
import { planDifference } from "./plan-compare.ts";
import { inputsArb, topologyArb } from "./plan-fixtures.ts";

type Json = unknown;
type Path = readonly (string | number)[];

/** Every path in `v` below its root, parents before children. */
function paths(v: Json, at: Path = []): Path[] {
  if (typeof v !== "object" || v === null) return [];
  const entries = Array.isArray(v) ? v.map((c, i) => [i, c] as const) : Object.entries(v);
  return entries.flatMap(([k, c]) => [[...at, k], ...paths(c, [...at, k])]);
}

/** `v` with members in reverse order, all the way down (order is not part of a plan's meaning). */
function reversedKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, c]) => [k, reversedKeys(c)]),
  );
}

type Change = "change" | "remove" | "add";

/** A deep copy of `root` with one edit at `path`. */
function edited(root: Json, path: Path, change: Change): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Record<string | number, Json>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as typeof parent;
  const key = path.at(-1) as string | number;
  const value = parent[key];
  if (change === "remove") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (change === "add" || (typeof value === "object" && value !== null)) {
    if (Array.isArray(value)) value.push("extra");
    else if (typeof value === "object" && value !== null)
      (value as Record<string, Json>).extra = "x";
    else parent[key] = [value];
  } else
    parent[key] =
      typeof value === "string"
        ? `${value}x`
        : typeof value === "number"
          ? value + 1
          : typeof value === "boolean"
            ? !value
            : "x";
  return copy;
}

describe("planDifference", () => {
  it("finds none between a plan and its JSON round trip, member order and base_seq aside", () => {
    fc.assert(
      fc.property(inputsArb, topologyArb, fc.nat(), (inputs, observed, seq) => {
        const plan = makePlan(inputs, observed, 3);
        const sent = reversedKeys(JSON.parse(JSON.stringify({ ...plan, base_seq: seq })));
        assert.equal(planDifference(sent, plan), undefined);
      }),
      { numRuns: 100 },
    );
  });

  it("reports any single edit of a plan but its base_seq", () => {
    fc.assert(
      fc.property(
        inputsArb,
        topologyArb,
        fc.nat(),
        fc.constantFrom<Change>("change", "remove", "add"),
        (inputs, observed, pick, change) => {
          const plan = JSON.parse(JSON.stringify(makePlan(inputs, observed, 3))) as Json;
          const candidates = paths(plan).filter((p) => p[0] !== "base_seq");
          const path = candidates[pick % candidates.length];
          if (path === undefined) return;
          const said = planDifference(edited(plan, path, change), makePlan(inputs, observed, 3));
          assert.ok(said !== undefined, `${change} at ${JSON.stringify(path)} went unnoticed`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

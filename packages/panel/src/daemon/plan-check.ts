/**
 * The panel decides, clients ask (ADR 0012 §The panel decides): the panel makes its own plan
 * from the workspace's routes.json, policy.json, panel.yaml and catalog against its live
 * wiring — exactly as `rtt plan` does — and ApplyPlan applies that plan, never the client's.
 * The client's plan is the request: it is accepted only when it is the panel's plan, so what
 * a person reviewed is what runs, and no command, path or driver reaches a driver except from
 * the catalog.
 */
import { type CatalogSymbol, errorMessage, formatDiagnostic, RttError } from "@rtt/core";
import { loadPlanInputs } from "../plan/inputs.ts";
import { makePlan, PLAN_FORMAT, type Plan, refuseUnwirable } from "../plan/plan.ts";
import { planDifference } from "../plan/plan-compare.ts";
import type { Topology } from "../plan/topology.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { checkRouteId } from "./request-checks.ts";

/** Deeper than any plan nests (a plan is ~6 levels): past it the request is refused unread. */
const MAX_DEPTH = 32;
const FIELD = "ApplyPlan.plan_json";
const AGAIN = "run `rtt plan` again and review it; the panel applies only the plan it makes itself";

/** The panel's own plan, and the catalog it was made from (what apply opens the routes with). */
export interface PanelPlan {
  readonly plan: Plan;
  readonly catalog: readonly CatalogSymbol[];
}

/** The plan `rtt plan` makes now from the workspace's files, against `topology` at WAL `seq`. */
export function panelPlan(paths: WorkspacePaths, topology: Topology, seq: number): PanelPlan {
  const loaded = loadPlanInputs(paths);
  if (!loaded.ok)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `the plan's inputs are invalid; nothing was planned:\n${loaded.diagnostics.map(formatDiagnostic).join("\n")}`,
      { hint: "run `rtt scan` and `rtt plan` to see every problem with its line and column" },
    );
  return { plan: makePlan(loaded.inputs, topology, seq), catalog: loaded.inputs.catalog };
}

/**
 * The plan to apply for a submitted one: the panel's own, when the submitted text is that plan
 * (but for `base_seq`, see plan-compare.ts). Refused otherwise — RTT_ERR_PLAN_INVALID when it is
 * no plan, RTT_ERR_REQUEST_INVALID for a route id routes.json could not hold, RTT_ERR_PLAN_STALE
 * when it was made from other inputs or against another wiring, RTT_ERR_PLAN_MISMATCH naming the
 * first difference otherwise — and when a route of it cannot be wired, as `rtt apply` refuses.
 */
export function decidePlan(submittedText: string, panel: PanelPlan): Plan {
  const submitted = parseSubmitted(submittedText);
  checkRouteIds(submitted);
  const mine = panel.plan;
  if (submitted.format !== PLAN_FORMAT)
    throw new RttError(
      "RTT_ERR_PLAN_INVALID",
      `${FIELD}: not a plan (format is not ${PLAN_FORMAT})`,
      {
        hint: "send the plan `rtt plan --json` prints (or PlanRoutes answers)",
      },
    );
  if (submitted.inputs_hash !== mine.inputs_hash)
    throw new RttError(
      "RTT_ERR_PLAN_STALE",
      "the plan was made from other inputs than the panel's: the catalog, routes.json, policy.json or panel.yaml changed since (or it was not made by `rtt plan`)",
      { hint: AGAIN },
    );
  if (submitted.base_hash !== mine.base_hash)
    throw new RttError(
      "RTT_ERR_PLAN_STALE",
      `the plan was made against another wiring than the panel keeps (commit ${mine.base_seq})`,
      { hint: "run `rtt plan` again (another apply, rollback or qc happened since)" },
    );
  const difference = planDifference(submitted, mine);
  if (difference !== undefined)
    throw new RttError(
      "RTT_ERR_PLAN_MISMATCH",
      `the plan is not the one the panel makes from this workspace, nothing was applied: ${difference}`,
      { hint: AGAIN },
    );
  refuseUnwirable(mine);
  return mine;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The submitted text as a JSON object, no deeper than any plan could be. */
function parseSubmitted(text: string): Record<string, Json> {
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RttError("RTT_ERR_PLAN_INVALID", `${FIELD} is not JSON: ${errorMessage(error)}`, {
      hint: "send the plan `rtt plan --json` prints (or PlanRoutes answers)",
    });
  }
  if (!isObject(value))
    throw new RttError("RTT_ERR_PLAN_INVALID", `${FIELD}: expected a plan (a JSON object)`);
  if (depthOver(value, MAX_DEPTH))
    throw new RttError(
      "RTT_ERR_REQUEST_INVALID",
      `${FIELD}: nested deeper than ${MAX_DEPTH} levels; no plan is`,
    );
  return value;
}

/** Whether `v` nests deeper than `max` (stops looking there: the walk itself is bounded). */
function depthOver(v: Json, max: number): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (max === 0) return true;
  return Object.values(v).some((c) => depthOver(c, max - 1));
}

/**
 * Every route id the plan names — planned routes, edits and their edges, batches, the desired
 * graph's edges, degraded routes — is one routes.json could declare, checked before any of them
 * is compared or quoted. Members that are missing or of another shape are left to the comparison.
 */
function checkRouteIds(plan: Record<string, Json>): void {
  const id = (v: Json, path: string) => {
    if (v !== undefined) checkRouteId(v, `${FIELD} $.${path}`);
  };
  const each = (v: Json, visit: (item: Json, i: number) => void) => {
    if (Array.isArray(v)) v.forEach(visit);
  };
  each(plan.routes, (r, i) => isObject(r) && id(r.id, `routes[${i}].id`));
  each(plan.edits, (e, i) => {
    if (!isObject(e)) return;
    id(e.route, `edits[${i}].route`);
    for (const side of ["before", "after"])
      if (isObject(e[side])) id(e[side].route, `edits[${i}].${side}.route`);
  });
  each(plan.batches, (b, i) => each(b, (r, j) => id(r, `batches[${i}][${j}]`)));
  const edges = isObject(plan.desired) ? plan.desired.edges : undefined;
  if (isObject(edges))
    for (const [key, edge] of Object.entries(edges)) {
      id(key, "desired.edges (a key)");
      if (isObject(edge)) id(edge.route, `desired.edges.${key}.route`);
    }
  each(plan.degraded, (r, i) => id(r, `degraded[${i}]`));
}

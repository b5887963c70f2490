/**
 * Reading a plan back (`rtt apply FILE`; the ApplyPlan call compares instead, see
 * daemon/plan-check.ts): a saved plan is input like any other, so every field apply relies on
 * is checked and a bad one is named by its JSON path.
 * The checks are about shape; whether the plan still fits the workspace is apply's business.
 */
import { readFileSync } from "node:fs";
import { errorMessage, isLaneKind, LANE_KINDS, type Launch, launchHash, RttError } from "@rtt/core";
import { PLAN_FORMAT, type Plan } from "./plan.ts";
import { TOPOLOGY_FORMAT } from "./topology.ts";

type Json = unknown;

class Bad extends Error {}

function at(path: string, expected: string, value: Json): Bad {
  const got = value === undefined ? "nothing" : JSON.stringify(value)?.slice(0, 40);
  return new Bad(`${path}: expected ${expected}, found ${got}`);
}

function object(v: Json, path: string): Record<string, Json> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw at(path, "an object", v);
  return v as Record<string, Json>;
}
function array(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) throw at(path, "an array", v);
  return v;
}
function string(v: Json, path: string): string {
  if (typeof v !== "string") throw at(path, "a string", v);
  return v;
}
function count(v: Json, path: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw at(path, "a non-negative integer", v);
  return v;
}

function checkEnd(v: Json, path: string): void {
  const end = object(v, path);
  for (const key of ["saddr", "driver", "contract_hash"]) string(end[key], `${path}.${key}`);
  if (end.launch !== undefined) checkLaunch(end.launch, end.launch_hash, `${path}.launch`);
}

/** A recorded launch: its fields' types, and its hash (an edited argv is not the plan's). */
function checkLaunch(v: Json, hash: Json, path: string): void {
  const launch = object(v, path);
  string(launch.manifest, `${path}.manifest`);
  string(launch.cwd, `${path}.cwd`);
  for (const key of ["driver", "path", "url"])
    if (launch[key] !== undefined) string(launch[key], `${path}.${key}`);
  if (launch.argv !== undefined)
    for (const [i, a] of array(launch.argv, `${path}.argv`).entries())
      string(a, `${path}.argv[${i}]`);
  if (launch.extra !== undefined) object(launch.extra, `${path}.extra`);
  const expected = launchHash(launch as unknown as Launch);
  if (hash !== expected) throw at(`${path}_hash`, `the launch's hash ${expected}`, hash);
}

function checkEdge(v: Json, path: string, route: string): void {
  const e = object(v, path);
  if (string(e.route, `${path}.route`) !== route)
    throw at(`${path}.route`, JSON.stringify(route), e.route);
  checkEnd(e.from, `${path}.from`);
  checkEnd(e.to, `${path}.to`);
  const lane = string(e.lane, `${path}.lane`);
  if (!isLaneKind(lane)) throw at(`${path}.lane`, `one of ${LANE_KINDS.join(", ")}`, lane);
  const pattern = string(e.pattern, `${path}.pattern`);
  if (pattern !== "oneway" && pattern !== "reqrep")
    throw at(`${path}.pattern`, "oneway or reqrep", pattern);
  count(e.prio, `${path}.prio`);
  const params = object(e.params, `${path}.params`);
  for (const [k, p] of Object.entries(params)) string(p, `${path}.params.${k}`);
}

function checkEdit(v: Json, path: string): string {
  const e = object(v, path);
  const route = string(e.route, `${path}.route`);
  const action = string(e.action, `${path}.action`);
  if (action !== "create" && action !== "delete" && action !== "replace")
    throw at(`${path}.action`, "create, delete or replace", action);
  if (action !== "create") checkEdge(e.before, `${path}.before`, route);
  if (action !== "delete") checkEdge(e.after, `${path}.after`, route);
  if (action === "replace")
    for (const [i, c] of array(e.changes, `${path}.changes`).entries())
      string(c, `${path}.changes[${i}]`);
  return route;
}

/** Parses a plan document; RTT_ERR_PLAN_INVALID names the first field that is wrong. */
/** A saved plan file (`rtt apply FILE`), read and checked; a file that cannot be read says why. */
export function readPlanFile(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder" : errorMessage(error);
    throw new RttError("RTT_ERR_PLAN_INVALID", `cannot read the plan file ${file}: ${why}`, {
      hint: "a plan file is what `rtt plan -out FILE` writes; `rtt apply` alone plans and applies",
    });
  }
  return parsePlan(text, file);
}

export function parsePlan(text: string, source: string): Plan {
  let value: Json;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RttError("RTT_ERR_PLAN_INVALID", `${source} is not JSON: ${errorMessage(error)}`, {
      hint: "a plan file is what `rtt plan -out FILE` writes",
    });
  }
  try {
    const p = object(value, "$");
    if (p.format !== PLAN_FORMAT) throw at("$.format", JSON.stringify(PLAN_FORMAT), p.format);
    string(p.inputs_hash, "$.inputs_hash");
    string(p.base_hash, "$.base_hash");
    count(p.base_seq, "$.base_seq");
    array(p.routes, "$.routes");
    const edited = new Set<string>();
    for (const [i, e] of array(p.edits, "$.edits").entries()) {
      const route = checkEdit(e, `$.edits[${i}]`);
      if (edited.has(route)) throw at(`$.edits[${i}].route`, "a route edited once", route);
      edited.add(route);
    }
    const batched = new Set<string>();
    for (const [i, b] of array(p.batches, "$.batches").entries()) {
      for (const [j, id] of array(b, `$.batches[${i}]`).entries()) {
        const route = string(id, `$.batches[${i}][${j}]`);
        if (!edited.has(route) || batched.has(route))
          throw at(`$.batches[${i}][${j}]`, "an edited route, once", route);
        batched.add(route);
      }
    }
    if (batched.size !== edited.size)
      throw at("$.batches", "every edited route in one batch", [...batched]);
    const desired = object(p.desired, "$.desired");
    if (desired.format !== TOPOLOGY_FORMAT)
      throw at("$.desired.format", JSON.stringify(TOPOLOGY_FORMAT), desired.format);
    for (const [id, edge] of Object.entries(object(desired.edges, "$.desired.edges")))
      checkEdge(edge, `$.desired.edges.${id}`, id);
    if (p.degraded !== undefined)
      for (const [i, id] of array(p.degraded, "$.degraded").entries())
        string(id, `$.degraded[${i}]`);
    return value as Plan;
  } catch (error) {
    if (!(error instanceof Bad)) throw error;
    throw new RttError("RTT_ERR_PLAN_INVALID", `${source} is not a valid plan: ${error.message}`, {
      hint: "make a new one with `rtt plan -out FILE`",
    });
  }
}

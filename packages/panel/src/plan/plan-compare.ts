/**
 * Whether a plan a client submitted is the plan the panel made itself (ADR 0012: the panel
 * decides), and if not, the first difference in words a person can act on. Pure: the submitted
 * plan is any parsed JSON — hostile input — and only names and paths of it are quoted back,
 * never its values.
 *
 * Compared: every member of the plan but `base_seq`. `base_seq` is a label: breaker moves commit
 * to the WAL without changing what a plan does, and `rtt plan -out` reads the seq from the WAL
 * while the panel counts its own; what the plan was made against is `base_hash`, which is
 * compared (and which the reconciler checks again when the apply's turn comes).
 */
import { canonicalHash, type JsonValue, quoteInput } from "@rtt/core";
import type { Plan } from "./plan.ts";

/** The members of a plan that are not compared (see the module comment). */
const IGNORED: ReadonlySet<string> = new Set(["base_seq"]);
/** The longest name or key of the submitted plan quoted in a message (a path joins several). */
const QUOTE_MAX = 40;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A name from the submitted plan, quoted and cut short: it is the client's text. */
function quote(name: string): string {
  return quoteInput(name, QUOTE_MAX);
}

/** `params differ`, `to differs`. */
function differs(field: string): string {
  return `${field} ${field.endsWith("s") ? "differ" : "differs"}`;
}

/** A member's path: `a.b` for plain names, `a["odd key"]` for the rest. */
function member(path: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${quote(key)}]`;
  return path === "" ? name.replace(/^\./, "") : `${path}${name}`;
}

/**
 * The path of the first difference between two JSON values (members in sorted order), and what
 * it is; undefined when they are equal. `a` is the submitted side.
 */
export function firstJsonDifference(a: Json, b: Json, path = ""): string | undefined {
  const here = path === "" ? "the plan" : path;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const d = firstJsonDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    if (a.length > b.length) return `${path}[${b.length}]: not in the panel's plan`;
    if (a.length < b.length) return `${path}[${a.length}]: in the panel's plan, missing here`;
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!Object.hasOwn(b, k)) return `${member(path, k)}: not in the panel's plan`;
      if (!Object.hasOwn(a, k)) return `${member(path, k)}: in the panel's plan, missing here`;
      const d = firstJsonDifference(a[k], b[k], member(path, k));
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : differs(here);
}

/**
 * The first differing field of two objects (edges, edits, planned routes), as `params differ`;
 * with `depth` 2 one level further where both sides are objects, as `after.params differ`.
 */
function fieldDifference(a: Json, b: Json, depth: 1 | 2, prefix = ""): string {
  if (!isObject(a) || !isObject(b)) return "not the panel's";
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const name = `${prefix}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : quote(k)}`;
    if (!Object.hasOwn(b, k)) return `${name}: not in the panel's plan`;
    if (!Object.hasOwn(a, k)) return `${name}: in the panel's plan, missing here`;
    if (firstJsonDifference(a[k], b[k]) === undefined) continue;
    if (depth === 2 && isObject(a[k]) && isObject(b[k]))
      return fieldDifference(a[k], b[k], 1, `${name}.`);
    return differs(name);
  }
  return "not the panel's";
}

/** Entries of a list of objects keyed by `key` (`id` of planned routes, `route` of edits). */
function keyed(list: Json, key: string): Map<string, Json> | undefined {
  if (!Array.isArray(list)) return undefined;
  const out = new Map<string, Json>();
  for (const item of list) {
    const k = isObject(item) ? item[key] : undefined;
    if (typeof k !== "string" || out.has(k)) return undefined;
    out.set(k, item);
  }
  return out;
}

/**
 * A list of named things (planned routes, edits) against the panel's: the first one the panel
 * does not plan, the first that differs, the first the panel plans that is missing, or order.
 */
function listDifference(
  list: string,
  noun: string,
  key: string,
  a: Json,
  b: Json,
  depth: 1 | 2,
): string | undefined {
  const mine = keyed(b, key);
  const theirs = keyed(a, key);
  if (mine === undefined || theirs === undefined) return firstJsonDifference(a, b, list);
  for (const [i, [name, item]] of [...theirs].entries()) {
    const panel = mine.get(name);
    if (panel === undefined) return `${list}[${i}] ${quote(name)}: not in the panel's plan`;
    if (firstJsonDifference(item, panel) !== undefined)
      return `${noun} ${name}: ${fieldDifference(item, panel, depth)}`;
  }
  for (const name of mine.keys())
    if (!theirs.has(name)) return `${noun} ${name}: in the panel's plan, missing from ${list}`;
  return firstJsonDifference(a, b, list) === undefined
    ? undefined
    : `${list}: not in the panel's order`;
}

/** The edges of two topologies by route id: the first edge the panel does not plan, or differs. */
function desiredDifference(a: Json, b: Json): string | undefined {
  const theirs = isObject(a) && isObject(a.edges) ? a.edges : undefined;
  const mine = isObject(b) && isObject(b.edges) ? b.edges : undefined;
  if (theirs === undefined || mine === undefined) return firstJsonDifference(a, b, "desired");
  for (const [id, edge] of Object.entries(theirs)) {
    if (!Object.hasOwn(mine, id)) return `desired edge ${quote(id)}: not in the panel's plan`;
    if (firstJsonDifference(edge, mine[id]) !== undefined)
      return `edge ${id}: ${fieldDifference(edge, mine[id], 1)}`;
  }
  for (const id of Object.keys(mine))
    if (!Object.hasOwn(theirs, id)) return `edge ${id}: in the panel's plan, missing here`;
  return firstJsonDifference(a, b, "desired");
}

/** What of a plan is compared: everything but the ignored members. */
function compared(plan: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(plan).filter(([k]) => !IGNORED.has(k)));
}

/**
 * The first difference between a submitted plan (parsed JSON) and the panel's own, in the
 * order a reader checks a plan — its routes, its edits, their batches, the desired graph, the
 * rest — or undefined when they are the same plan (canonical hashes of the compared members
 * agree).
 */
export function planDifference(submitted: Json, panel: Plan): string | undefined {
  if (!isObject(submitted)) return "not a JSON object";
  const mine = compared(JSON.parse(JSON.stringify(panel)) as Record<string, Json>);
  const theirs = compared(submitted);
  if (canonicalHash(theirs as JsonValue) === canonicalHash(mine as JsonValue)) return undefined;
  return (
    listDifference("routes", "route", "id", theirs.routes, mine.routes, 1) ??
    listDifference("edits", "edit", "route", theirs.edits, mine.edits, 2) ??
    firstJsonDifference(theirs.batches, mine.batches, "batches") ??
    desiredDifference(theirs.desired, mine.desired) ??
    firstJsonDifference(theirs, mine) ??
    "not the panel's plan"
  );
}

/**
 * An ajv error in RTT's words: which value (a JSON path the document can locate), what was
 * expected and what was found, with a hint where one helps; then a Diagnostic at its line and
 * column.
 */
import type { ErrorObject } from "ajv/dist/2020.js";
import type { Diagnostic } from "./errors.ts";
import { formatProblem } from "./schema-formats.ts";
import type { JsonPath, SourceDocument } from "./source-document.ts";
import { closest } from "./suggest.ts";

/** JSON pointer → path, with array indices as numbers (the position lookups need them). */
export function pointerToPath(pointer: string, root: unknown): JsonPath {
  if (pointer === "") return [];
  const path: (string | number)[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const step = Array.isArray(node) ? Number(key) : key;
    path.push(step);
    node = (node as Record<string | number, unknown> | undefined)?.[step];
  }
  return path;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  // 1e999 parses to Infinity, which JSON.stringify would print as null.
  if (typeof value === "number" && !Number.isFinite(value)) return "a number too large to hold";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const PATTERN_WORDS: Record<string, string> = {
  "^[a-z0-9][a-z0-9._-]*$":
    "a lowercase name (a-z, 0-9, '.', '_', '-', starting with a letter or digit)",
};

export interface Problem {
  readonly path: JsonPath;
  readonly part: "value" | "key";
  readonly message: string;
  readonly hint?: string;
  /** Extra column offset inside a string value (for parser errors), 0 when unknown. */
  readonly innerColumn?: number;
}

function branchType(schema: unknown): string[] {
  const t = (schema as { type?: string | string[] }).type;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "number" && Number.isInteger(value) ? "integer" : typeof value;
}

/** Keeps, for each anyOf, only the errors of the branch whose type fits the data. */
export function pruneAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== "anyOf") continue;
    const branches = (e.schema as unknown[]) ?? [];
    const fitting = branches.findIndex((b) => {
      const types = branchType(b);
      const t = jsonType(e.data);
      return types.includes(t) || (t === "integer" && types.includes("number"));
    });
    for (const other of errors) {
      // Schema paths are shared by every instance; only errors under this instance count.
      const inside =
        other.instancePath === e.instancePath ||
        other.instancePath.startsWith(`${e.instancePath}/`);
      if (other === e || !inside || !other.schemaPath.startsWith(`${e.schemaPath}/`)) continue;
      const branch = Number(other.schemaPath.slice(e.schemaPath.length + 1).split("/")[0]);
      if (fitting < 0 || branch !== fitting) drop.add(other);
    }
    if (fitting >= 0) drop.add(e);
  }
  return errors.filter((e) => !drop.has(e));
}

/** One ajv error in RTT's words: which value, what was expected, what was found. */
export function toProblem(e: ErrorObject, root: unknown): Problem | undefined {
  const path = pointerToPath(e.instancePath, root);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return valueProblem(path, `missing required field "${String(params.missingProperty)}"`);
    case "additionalProperties":
      return unknownField(e, path, String(params.additionalProperty));
    case "type":
      return valueProblem(path, `expected ${String(params.type)}, found ${describeType(e.data)}`);
    case "enum":
      return notAllowed(e, path, (params.allowedValues as unknown[]).map(String));
    case "const": {
      const expected = JSON.stringify(params.allowedValue);
      return valueProblem(path, `expected ${expected}, found ${describeType(e.data)}`);
    }
    case "format":
      return badFormat(path, String(params.format), String(e.data));
    case "pattern": {
      const pattern = String(params.pattern);
      const expected = PATTERN_WORDS[pattern] ?? `text matching ${pattern}`;
      return valueProblem(path, `expected ${expected}, found ${describeType(e.data)}`);
    }
    case "uniqueItems":
      return duplicateItem(path, Number(params.i), Number(params.j));
    case "anyOf": {
      const kinds = ((e.schema as unknown[]) ?? []).flatMap(branchType);
      return valueProblem(path, `expected ${kinds.join(" or ")}, found ${describeType(e.data)}`);
    }
    default:
      return (
        boundProblem(e, path) ??
        valueProblem(path, `${e.instancePath || "document"} ${e.message ?? "is invalid"}`)
      );
  }
}

/** What a bound keyword counts, and in which unit (ajv's params.limit is the bound). */
const COUNTED: Readonly<Record<string, readonly [least: boolean, unit: string]>> = {
  minLength: [true, "character"],
  maxLength: [false, "character"],
  minItems: [true, "item"],
  maxItems: [false, "item"],
  minProperties: [true, "field"],
  maxProperties: [false, "field"],
};

/**
 * A schema bound said like every other problem, what was expected and what was found:
 * `expected an integer >= 10, found number 5`, `expected at least 1 item, found 0`.
 */
function boundProblem(e: ErrorObject, path: JsonPath): Problem | undefined {
  const params = e.params as { comparison?: string; limit?: number; multipleOf?: number };
  const type = (e.parentSchema as { type?: unknown } | undefined)?.type;
  const kind = type === "integer" ? "an integer" : "a number";
  const found = describeType(e.data);
  switch (e.keyword) {
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return valueProblem(
        path,
        `expected ${kind} ${params.comparison} ${params.limit}, found ${found}`,
      );
    case "multipleOf":
      return valueProblem(path, `expected a multiple of ${params.multipleOf}, found ${found}`);
  }
  const counted = COUNTED[e.keyword];
  if (counted === undefined || params.limit === undefined) return undefined;
  const [least, unit] = counted;
  const n = typeof e.data === "string" ? [...e.data].length : Object.keys(e.data ?? {}).length;
  const units = (k: number) => `${k} ${unit}${k === 1 ? "" : "s"}`;
  return valueProblem(
    path,
    `expected ${least ? "at least" : "at most"} ${units(params.limit)}, found ${units(n)}`,
  );
}

/** ajv keywords whose message, in panel.yaml, names the field (the value alone does not say). */
export const FIELD_NAMED = new Set([
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  ...Object.keys(COUNTED),
]);

function valueProblem(path: JsonPath, message: string): Problem {
  return { path, part: "value", message };
}

/** Points at the unknown key and names the known field it most likely misspells. */
function unknownField(e: ErrorObject, path: JsonPath, key: string): Problem {
  const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
  const guess = closest(key, known);
  return {
    path: [...path, key],
    part: "key",
    message: `unknown field "${key}"`,
    hint: guess === undefined ? `known fields: ${known.join(", ")}` : `did you mean "${guess}"?`,
  };
}

/** A value outside an enum, with the allowed value a misspelt string most likely meant. */
function notAllowed(e: ErrorObject, path: JsonPath, allowed: readonly string[]): Problem {
  const guess = typeof e.data === "string" ? closest(e.data, allowed) : undefined;
  return {
    path,
    part: "value",
    message: `expected one of ${allowed.join(", ")}; found ${describeType(e.data)}`,
    ...(guess === undefined ? {} : { hint: `did you mean "${guess}"?` }),
  };
}

/** The format's own parser explains what is wrong and where inside the string. */
function badFormat(path: JsonPath, format: string, text: string): Problem | undefined {
  const problem = formatProblem(format, text);
  if (problem === undefined) return undefined;
  return {
    path,
    part: "value",
    message: problem.message,
    ...(problem.hint === undefined ? {} : { hint: problem.hint }),
    innerColumn: problem.position?.column ?? 0,
  };
}

function duplicateItem(path: JsonPath, i: number, j: number): Problem {
  // ajv's i/j order depends on the item schema (primitive items: i < j; others: i > j);
  // point at the repeat, the later of the two, like duplicate route ids.
  const [first, repeat] = [i, j].sort((a, b) => a - b);
  return {
    path: [...path, repeat as number],
    part: "value",
    message: `duplicate of item ${first}; items must be unique`,
  };
}

/**
 * A bad address in panel.yaml names its field (`security.allow_unsigned[0]: bad address …`):
 * the parser's message speaks of the address alone, and YAML nests keys by indentation, so a
 * line and column do not say which setting it is.
 */
export function withField(p: Problem): Problem {
  if (p.path.length === 0) return p;
  const field = p.path
    .map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join("");
  return { ...p, message: `${field}: ${p.message}` };
}

export function diagnosticAt(
  doc: SourceDocument,
  p: Problem,
  code: Diagnostic["code"],
): Diagnostic {
  const where = doc.locate(p.path, p.part);
  // A parser's column points inside the string; +1 steps over the opening quote (JSON, and
  // quoted YAML scalars; plain YAML scalars are off by one at worst).
  const column = p.innerColumn ? where.column + p.innerColumn : where.column;
  return {
    severity: "error",
    code,
    message: p.message,
    file: doc.file,
    line: where.line,
    column,
    ...(p.hint === undefined ? {} : { hint: p.hint }),
  };
}

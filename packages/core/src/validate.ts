/**
 * Validation of RTT's documents: parse (JSON or YAML, positions kept) → JSON Schema 2020-12
 * (ajv) → semantic checks no schema can say. Every problem becomes a Diagnostic naming the
 * file, line and column of the offending value, what was expected, and a hint where one helps.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import validRange from "semver/ranges/valid.js";
import { type Diagnostic, RttError } from "./errors.ts";
import { EXAMPLES_KEY, readExamples } from "./examples.ts";
import { isNormalizedAbsolute } from "./path-confinement.ts";
import { parseHealthExpr, parseRouteExpr } from "./route-expr.ts";
import { formatSaddr, parseConcrete, parseReference, parseSaddr } from "./saddr.ts";
import { ROUTE_ID_MAX_LENGTH } from "./schemas/common.ts";
import { type Manifest, manifestSchema } from "./schemas/manifest.ts";
import { type PanelConfig, panelConfigSchema } from "./schemas/panel-config.ts";
import { type Policy, policySchema } from "./schemas/policy.ts";
import { type RoutesFile, routesSchema } from "./schemas/routes.ts";
import {
  type JsonPath,
  parseJsonDocument,
  parseYamlDocument,
  type SourceDocument,
} from "./source-document.ts";
import { closest } from "./suggest.ts";

export interface DocumentTypes {
  manifest: Manifest;
  routes: RoutesFile;
  policy: Policy;
  "panel-config": PanelConfig;
}
export type DocumentKind = keyof DocumentTypes;

export const DOCUMENT_SCHEMAS = {
  manifest: manifestSchema,
  routes: routesSchema,
  policy: policySchema,
  "panel-config": panelConfigSchema,
} as const satisfies Record<DocumentKind, object>;

export type Validated<T> =
  | { readonly ok: true; readonly value: T; readonly document: SourceDocument }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Each `rtt-*` format is checked by the parser that owns it; its error is the explanation. */
const FORMAT_PARSERS: Record<string, (text: string) => unknown> = {
  "rtt-concrete": parseConcrete,
  "rtt-reference": parseReference,
  "rtt-pattern": parseSaddr,
  "rtt-route": parseRouteExpr,
  "rtt-health": parseHealthExpr,
  "rtt-abs-path": (text) => {
    if (!isNormalizedAbsolute(text))
      throw new RttError(
        "RTT_ERR_DOC_SCHEMA",
        `${JSON.stringify(text)} is not an absolute path without ".", ".." or empty parts`,
        { hint: 'e.g. "/var/log/myapp"' },
      );
  },
  "semver-range": (text) => {
    if (validRange(text) === null) {
      throw new RttError("RTT_ERR_DOC_SCHEMA", `${JSON.stringify(text)} is not a semver range`, {
        hint: 'e.g. ">=1.2 <2.0" or "^1.2"',
      });
    }
  },
};

function formatProblem(format: string, text: string): RttError | undefined {
  try {
    FORMAT_PARSERS[format]?.(text);
    return undefined;
  } catch (error) {
    if (error instanceof RttError) return error;
    throw error;
  }
}

/** The formats the schemas name; their checks are RTT's own parsers. */
export const FORMAT_NAMES = Object.keys(FORMAT_PARSERS);

type GeneratedValidators = Record<
  "manifest" | "routes" | "policy" | "panelConfig",
  ValidateFunction
>;
let generated: GeneratedValidators | undefined;

/**
 * The validator of one kind of document. They are compiled ahead of time into
 * schemas/validators.generated.cjs (see scripts/generate-validators.ts): compiling with ajv
 * at run time cost ~100 ms per process. The module is CommonJS, so it is loaded on first use
 * with require, synchronously; `rtt --help` never loads it.
 */
function validatorFor(kind: DocumentKind): ValidateFunction {
  if (generated === undefined) {
    const formats = Object.fromEntries(
      FORMAT_NAMES.map((name) => [
        name,
        { type: "string", validate: (s: string) => formatProblem(name, s) === undefined },
      ]),
    );
    const build = createRequire(import.meta.url)("./schemas/validators.generated.cjs") as (
      f: typeof formats,
    ) => GeneratedValidators;
    generated = build(formats);
  }
  return generated[kind === "panel-config" ? "panelConfig" : kind];
}

/** JSON pointer → path, with array indices as numbers (the position lookups need them). */
function pointerToPath(pointer: string, root: unknown): JsonPath {
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

interface Problem {
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
function pruneAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
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
function toProblem(e: ErrorObject, root: unknown): Problem | undefined {
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
const FIELD_NAMED = new Set([
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
function withField(p: Problem): Problem {
  if (p.path.length === 0) return p;
  const field = p.path
    .map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join("");
  return { ...p, message: `${field}: ${p.message}` };
}

function diagnosticAt(doc: SourceDocument, p: Problem, code: Diagnostic["code"]): Diagnostic {
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

type SemanticCheck = (value: never) => Problem[];

/** A manifest's `x-examples` (examples.ts): well-formed, and only on a request/response symbol. */
function examplesProblems(m: Manifest): Problem[] {
  const symbol = m.symbol as Manifest["symbol"] & { readonly [key: string]: unknown };
  if (!(EXAMPLES_KEY in symbol)) return [];
  const at = ["symbol", EXAMPLES_KEY];
  if (symbol.io !== "req")
    return [
      {
        path: at,
        part: "key",
        message: 'x-examples answer requests: only a symbol with "io": "req" may declare them',
        hint: 'add "io": "req", or remove x-examples',
      },
    ];
  const read = readExamples(symbol[EXAMPLES_KEY]);
  if (read.ok) return [];
  return [
    {
      path: [...at, ...read.problem.path],
      part: "value",
      message: read.problem.message,
      ...(read.problem.hint === undefined ? {} : { hint: read.problem.hint }),
    },
  ];
}

/** A manifest's `x-run`, the argv a driver starts: a command and its arguments, all strings. */
function runProblems(m: Manifest): Problem[] {
  const symbol = m.symbol as Manifest["symbol"] & { readonly [key: string]: unknown };
  if (!("x-run" in symbol)) return [];
  const run = symbol["x-run"];
  const problem = (at: readonly number[], message: string): Problem[] => [
    {
      path: ["symbol", "x-run", ...at],
      part: "value",
      message,
      hint: 'an argv, the command first: "x-run": ["python3", "emit.py"]',
    },
  ];
  if (!Array.isArray(run)) return problem([], "x-run is not an array of strings");
  if (run.length === 0) return problem([], "x-run is empty: it needs a command");
  const bad = run.findIndex((a) => typeof a !== "string");
  if (bad >= 0) return problem([bad], `x-run[${bad}] is not a string`);
  if (run[0] === "") return problem([0], "x-run's command is empty");
  return [];
}

const SEMANTIC_CHECKS: Partial<Record<DocumentKind, SemanticCheck>> = {
  manifest: (m: Manifest) => {
    const problems: Problem[] = [];
    const address = parseConcrete(m.symbol.saddr);
    if (address.type !== m.symbol.type) {
      problems.push({
        path: ["symbol", "type"],
        part: "value",
        message: `type "${m.symbol.type}" disagrees with the address's type "${address.type}"`,
        hint: "the type segment of saddr and the type field must be the same",
      });
    }
    if (address.caps.length > 0 || address.io !== undefined) {
      problems.push({
        path: ["symbol", "saddr"],
        part: "value",
        message: "a manifest's saddr carries no ?caps= or ?io= query",
        hint: "declare them in the capabilities and io fields",
      });
    }
    problems.push(...examplesProblems(m), ...runProblems(m));
    return problems;
  },
  policy: (p: Policy) => {
    // The first pin covering a source wins: a later pin with the same source is never used.
    const problems: Problem[] = [];
    const seen = new Map<string, number>();
    (p.pin ?? []).forEach((pin, i) => {
      let from: string;
      try {
        from = formatSaddr(parseRouteExpr(pin.route).from);
      } catch {
        return; // the schema's format check reports it
      }
      const first = seen.get(from);
      if (first === undefined) seen.set(from, i);
      else
        problems.push({
          path: ["pin", i, "route"],
          part: "value",
          message: `pin[${i}] pins ${from} again: pin[${first}] does, and the first pin covering a source wins`,
          hint: "keep one pin per source",
        });
    });
    return problems;
  },
  routes: (r: RoutesFile) => {
    const seen = new Map<string, number>();
    const problems: Problem[] = [];
    r.routes.forEach((route, i) => {
      if (route.id === undefined) return;
      if (route.id.length > ROUTE_ID_MAX_LENGTH)
        problems.push({
          path: ["routes", i, "id"],
          part: "value",
          message: `route id is ${route.id.length} characters long: at most ${ROUTE_ID_MAX_LENGTH}`,
        });
      const first = seen.get(route.id);
      if (first !== undefined) {
        problems.push({
          path: ["routes", i, "id"],
          part: "value",
          message: `route id "${route.id}" is already used by route ${first}`,
        });
      } else seen.set(route.id, i);
    });
    return problems;
  },
};

/** Parses and validates one document. Never throws for bad input: problems are diagnostics. */
export function validateDocument<K extends DocumentKind>(
  kind: K,
  text: string,
  file: string,
): Validated<DocumentTypes[K]> {
  let doc: SourceDocument;
  try {
    doc = kind === "panel-config" ? parseYamlDocument(text, file) : parseJsonDocument(text, file);
  } catch (error) {
    if (!(error instanceof RttError)) throw error;
    const pos = error.position ?? { line: 1, column: 1 };
    return {
      ok: false,
      diagnostics: [
        {
          severity: "error",
          code: error.code,
          message: error.message,
          file,
          line: pos.line,
          column: pos.column,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        },
      ],
    };
  }
  const validate = validatorFor(kind);
  if (!validate(doc.value)) {
    const problems = pruneAnyOf(validate.errors ?? [])
      .map((e) => {
        const p = toProblem(e, doc.value);
        // panel.yaml's fields are named in the message: a pattern or bound alone does not say which.
        return p !== undefined && kind === "panel-config" && FIELD_NAMED.has(e.keyword)
          ? withField(p)
          : p;
      })
      .filter((p): p is Problem => p !== undefined);
    const diagnostics = dedupe(problems.map((p) => diagnosticAt(doc, p, "RTT_ERR_DOC_SCHEMA")));
    return { ok: false, diagnostics };
  }
  const check = SEMANTIC_CHECKS[kind] as ((v: unknown) => Problem[]) | undefined;
  const problems = check?.(doc.value) ?? [];
  if (problems.length > 0) {
    return {
      ok: false,
      diagnostics: problems.map((p) => diagnosticAt(doc, p, "RTT_ERR_DOC_SCHEMA")),
    };
  }
  return { ok: true, value: doc.value as DocumentTypes[K], document: doc };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

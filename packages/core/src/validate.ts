/**
 * Validation of RTT's documents: parse (JSON or YAML, positions kept) → JSON Schema 2020-12
 * (ajv) → semantic checks no schema can say. Every problem becomes a Diagnostic naming the
 * file, line and column of the offending value, what was expected, and a hint where one helps.
 */
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { type Diagnostic, RttError } from "./errors.ts";
import { EXAMPLES_KEY, readExamples } from "./examples.ts";
import { parseRouteExpr } from "./route-expr.ts";
import { formatSaddr, parseConcrete } from "./saddr.ts";
import { FORMAT_NAMES, formatProblem } from "./schema-formats.ts";
import {
  diagnosticAt,
  FIELD_NAMED,
  type Problem,
  pruneAnyOf,
  toProblem,
  withField,
} from "./schema-problems.ts";
import { ROUTE_ID_MAX_LENGTH } from "./schemas/common.ts";
import type { Manifest } from "./schemas/manifest.ts";
import type { PanelConfig } from "./schemas/panel-config.ts";
import type { Policy } from "./schemas/policy.ts";
import type { RoutesFile } from "./schemas/routes.ts";
import { parseJsonDocument, parseYamlDocument, type SourceDocument } from "./source-document.ts";

export interface DocumentTypes {
  manifest: Manifest;
  routes: RoutesFile;
  policy: Policy;
  "panel-config": PanelConfig;
}
export type DocumentKind = keyof DocumentTypes;

export type Validated<T> =
  | { readonly ok: true; readonly value: T; readonly document: SourceDocument }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const validators = new Map<DocumentKind, ValidateFunction>();

/**
 * The validator of one kind of document. Each is compiled ahead of time into
 * schemas/validate-KIND.generated.cjs (see scripts/generate-validators.ts): compiling with ajv
 * at run time cost ~100 ms per process. The modules are CommonJS, so each is loaded on first use
 * with require, synchronously, and only the kinds a command reads: `rtt --help` loads none,
 * `rtt ls routes` the routes file's.
 */
function validatorFor(kind: DocumentKind): ValidateFunction {
  let validate = validators.get(kind);
  if (validate === undefined) {
    const formats = Object.fromEntries(
      FORMAT_NAMES.map((name) => [
        name,
        { type: "string", validate: (s: string) => formatProblem(name, s) === undefined },
      ]),
    );
    const build = createRequire(import.meta.url)(`./schemas/validate-${kind}.generated.cjs`) as (
      f: typeof formats,
    ) => ValidateFunction;
    validate = build(formats);
    validators.set(kind, validate);
  }
  return validate;
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

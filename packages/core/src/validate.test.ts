import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Diagnostic } from "./errors.ts";
import { DROP_POLICIES, LANE_KINDS } from "./qos.ts";
import { IO_MODES } from "./saddr.ts";
import { AUTH_MODES, DIRECTIONS } from "./schemas/manifest.ts";
import {
  anyAddress,
  concreteAddress,
  rangeVersion,
  referenceAddress,
  segment,
} from "./testing/saddr-arbitraries.ts";
import { DOCUMENT_SCHEMAS, type DocumentKind, validateDocument } from "./validate.ts";

// ---------------------------------------------------------------------------------------------
// Printing documents while recording where each value and key lands in the text.

type Path = readonly (string | number)[];
const pathKey = (p: Path): string => JSON.stringify(p);

interface Printed {
  readonly text: string;
  /** Offset of the first character of the value at each path. */
  readonly values: ReadonlyMap<string, number>;
  /** Offset of the key (its opening quote in JSON) of each object member. */
  readonly keys: ReadonlyMap<string, number>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** JSON.stringify(value, null, 2), with offsets. */
function printJson(value: unknown): Printed {
  let text = "";
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  const emit = (v: unknown, path: Path, indent: string): void => {
    values.set(pathKey(path), text.length);
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) {
        text += "[]";
        return;
      }
      text += "[\n";
      v.forEach((item, i) => {
        text += inner;
        emit(item, [...path, i], inner);
        text += i < v.length - 1 ? ",\n" : "\n";
      });
      text += `${indent}]`;
    } else if (isRecord(v)) {
      const entries = Object.entries(v);
      if (entries.length === 0) {
        text += "{}";
        return;
      }
      text += "{\n";
      entries.forEach(([k, item], i) => {
        text += inner;
        keys.set(pathKey([...path, k]), text.length);
        text += `${JSON.stringify(k)}: `;
        emit(item, [...path, k], inner);
        text += i < entries.length - 1 ? ",\n" : "\n";
      });
      text += `${indent}}`;
    } else {
      text += JSON.stringify(v);
    }
  };
  emit(value, [], "");
  // The printer is only useful if it prints what JSON.stringify does.
  assert.equal(text, JSON.stringify(value, null, 2));
  return { text, values, keys };
}

/** Block-style YAML: nested maps indented, lists in flow style, strings JSON-quoted. */
function printYaml(value: Record<string, unknown>): Printed {
  let text = "";
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  const flow = (v: unknown, path: Path): void => {
    values.set(pathKey(path), text.length);
    if (Array.isArray(v)) {
      text += "[";
      v.forEach((item, i) => {
        if (i > 0) text += ", ";
        flow(item, [...path, i]);
      });
      text += "]";
    } else if (isRecord(v)) {
      text += "{";
      Object.entries(v).forEach(([k, item], i) => {
        if (i > 0) text += ", ";
        keys.set(pathKey([...path, k]), text.length);
        text += `${k}: `;
        flow(item, [...path, k]);
      });
      text += "}";
    } else {
      text += JSON.stringify(v);
    }
  };
  const block = (map: Record<string, unknown>, path: Path, indent: string): void => {
    // A block map starts where its first key does.
    values.set(pathKey(path), text.length + indent.length);
    for (const [k, v] of Object.entries(map)) {
      text += indent;
      keys.set(pathKey([...path, k]), text.length);
      text += `${k}:`;
      if (isRecord(v) && Object.keys(v).length > 0) {
        text += "\n";
        block(v, [...path, k], `${indent}  `);
      } else {
        text += " ";
        flow(v, [...path, k]);
        text += "\n";
      }
    }
  };
  if (Object.keys(value).length === 0) text = "{}\n";
  else block(value, [], "");
  return { text, values, keys };
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1) ?? "").length + 1 };
}

function print(kind: DocumentKind, doc: unknown): Printed {
  return kind === "panel-config" ? printYaml(doc as Record<string, unknown>) : printJson(doc);
}

// ---------------------------------------------------------------------------------------------
// Generators of valid documents.

const shortString = fc.string({ maxLength: 10 });
const positive = fc.double({ min: 0.001, max: 10000, noNaN: true, noDefaultInfinity: true });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops undefined members so the document is plain JSON. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const ioSlot = fc.record({ name: segment, schema: fc.string({ minLength: 1, maxLength: 12 }) });

const manifestDoc = fc
  .record({
    address: concreteAddress({ noQuery: true }),
    withSchema: fc.boolean(),
    direction: fc.constantFrom(...DIRECTIONS),
    capabilities: opt(fc.uniqueArray(segment, { maxLength: 3 })),
    io: opt(fc.constantFrom(...IO_MODES)),
    inputs: opt(fc.array(ioSlot, { maxLength: 2 })),
    outputs: opt(fc.array(ioSlot, { maxLength: 2 })),
    qos: opt(
      fc.record(
        {
          latency_budget_ms: positive,
          throughput_qps: positive,
          burst: fc.integer({ min: 1, max: 1000 }),
          priority: fc.integer({ min: 0, max: 7 }),
          busy_poll: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    ),
    version_set: opt(rangeVersion.map((v) => v.normal)),
    auth: opt(
      fc.record(
        {
          mode: fc.constantFrom(...AUTH_MODES),
          scopes: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 2 }),
        },
        { requiredKeys: ["mode"] },
      ),
    ),
    tags: opt(fc.dictionary(segment, shortString, { maxKeys: 3 })),
    note: opt(shortString),
  })
  .map((m) => ({
    ...(m.withSchema ? { $schema: "https://rtt/spec/v1" } : {}),
    symbol: compact({
      saddr: m.address.text,
      type: m.address.address.type,
      direction: m.direction,
      capabilities: m.capabilities,
      io: m.io,
      inputs: m.inputs,
      outputs: m.outputs,
      qos: m.qos === undefined ? undefined : { ...m.qos },
      version_set: m.version_set,
      auth: m.auth === undefined ? undefined : { ...m.auth },
      tags: m.tags === undefined ? undefined : { ...m.tags },
      "x-note": m.note,
    }),
  }));

const routeEnd = fc.oneof(concreteAddress(), referenceAddress()).map((a) => a.text);

const routesDoc = fc
  .record({
    schema: opt(shortString),
    routes: fc.array(
      fc.record({
        named: fc.boolean(),
        from: routeEnd,
        to: fc.oneof(routeEnd, fc.array(routeEnd, { minLength: 1, maxLength: 3 })),
        params: opt(
          fc.dictionary(segment, fc.oneof(shortString, fc.integer(), fc.boolean()), { maxKeys: 2 }),
        ),
      }),
      { maxLength: 4 },
    ),
  })
  .map((r) => ({
    ...(r.schema === undefined ? {} : { $schema: r.schema }),
    routes: r.routes.map((route, i) =>
      compact({
        id: route.named ? `route-${i}` : undefined,
        from: route.from,
        to: route.to,
        params: route.params === undefined ? undefined : { ...route.params },
      }),
    ),
  }));

const healthExpr = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom("p50", "p95", "p99", "lag", "err"),
      fc.constantFrom("<", "<="),
      fc.integer({ min: 0, max: 100 }),
    ),
    { selector: ([metric]) => metric, minLength: 1, maxLength: 3 },
  )
  .map((terms) =>
    terms.map(([m, op, n]) => (m === "err" ? `err${op}${n}%` : `${m}${op}${n}ms`)).join(","),
  );

const aclRule = fc
  .record(
    {
      from: anyAddress().map((a) => a.text),
      to: anyAddress().map((a) => a.text),
      scopes: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 2 }),
    },
    { requiredKeys: ["from", "to"] },
  )
  .map((r) => ({ ...r }));

const policyDoc = fc
  .record(
    {
      $schema: shortString,
      allow: fc.array(aclRule, { maxLength: 2 }),
      deny: fc.array(aclRule, { maxLength: 2 }),
      pin: fc.array(
        fc
          .tuple(routeEnd, concreteAddress())
          .map(([from, to]) => ({ route: `${from} -> ${to.text}` })),
        { maxLength: 2 },
      ),
      qos: fc.array(
        fc
          .record(
            {
              match: anyAddress().map((a) => a.text),
              latency_ms: positive,
              prio: fc.integer({ min: 0, max: 7 }),
              rate: positive,
              burst: fc.integer({ min: 1, max: 100 }),
              drop: fc.constantFrom(...DROP_POLICIES),
              buffer: fc.integer({ min: 1, max: 100 }),
              busy_poll: fc.boolean(),
            },
            { requiredKeys: ["match"] },
          )
          .map((r) => ({ ...r })),
        { maxLength: 2 },
      ),
      failover: fc.array(
        fc
          .record(
            {
              route: fc
                .tuple(routeEnd, fc.array(routeEnd, { minLength: 1, maxLength: 3 }))
                .map(([from, to]) => `${from} -> [${to.join(", ")}]`),
              health: healthExpr,
            },
            { requiredKeys: ["route"] },
          )
          .map((r) => ({ ...r })),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((p) => ({ ...p }));

const pathText = fc.stringMatching(/^[a-zA-Z0-9._/-]{1,12}$/);
const panelDoc = fc
  .record(
    {
      api: fc.record(
        {
          listen: fc.oneof(
            pathText.map((p) => `unix:///tmp/${p}.sock`),
            fc.integer({ min: 1, max: 65535 }).map((port) => `tcp://127.0.0.1:${port}`),
            fc.constantFrom("tcp://localhost:7000", "tcp://[::1]:9"),
          ),
        },
        { requiredKeys: [] },
      ),
      scan: fc.record(
        {
          roots: fc.array(pathText, { minLength: 1, maxLength: 3 }),
          ignore: fc.array(pathText, { maxLength: 3 }),
          follow_symlinks: fc.boolean(),
          max_manifest_bytes: fc.integer({ min: 1024, max: 10_000_000 }),
        },
        { requiredKeys: [] },
      ),
      routing: fc.record(
        {
          prefer: fc.uniqueArray(fc.constantFrom(...LANE_KINDS), { minLength: 1 }),
          rewire_atomic: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      security: fc.record(
        { strict_manifests: fc.boolean(), allow_unsigned: fc.array(pathText, { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
      health: fc.record(
        {
          heartbeat_ms: fc.integer({ min: 10, max: 100000 }),
          trip_threshold: fc.record(
            {
              errors: fc.integer({ min: 1, max: 100 }),
              window_ms: fc.integer({ min: 1, max: 1e6 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  // fc.record may build prototype-less objects; a JSON round trip makes them plain data.
  .map((p) => JSON.parse(JSON.stringify(p)) as Record<string, unknown>);

const DOCS: Record<DocumentKind, fc.Arbitrary<unknown>> = {
  manifest: manifestDoc,
  routes: routesDoc,
  policy: policyDoc,
  "panel-config": panelDoc,
};

// ---------------------------------------------------------------------------------------------
// Mutation sites found by walking a document alongside its JSON Schema.

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
}

type Mutation =
  | { readonly kind: "wrong-type"; readonly path: Path; readonly replacement: unknown }
  | {
      readonly kind: "unknown-key";
      readonly path: Path;
      readonly key: string;
      readonly near: string;
    }
  | { readonly kind: "missing"; readonly path: Path; readonly key: string }
  | {
      readonly kind: "bad-address";
      readonly path: Path;
      /** Offsets in the string where an uppercase letter makes the address fail right there. */
      readonly spots: readonly number[];
    };

const ADDRESS_FORMATS = new Set(["rtt-concrete", "rtt-reference", "rtt-pattern", "rtt-route"]);

function jsonTypes(s: SchemaNode): Set<string> {
  const out = new Set<string>();
  if (s.anyOf !== undefined) for (const b of s.anyOf) for (const t of jsonTypes(b)) out.add(t);
  if (typeof s.type === "string") out.add(s.type);
  else if (s.type !== undefined) for (const t of s.type) out.add(t);
  for (const v of s.enum ?? []) out.add(typeof v);
  if ("const" in s) out.add(typeof s.const);
  return out;
}

/** A value of a JSON type the schema node does not accept. */
function wrongValue(s: SchemaNode): unknown {
  const types = jsonTypes(s);
  if (!types.has("number") && !types.has("integer")) return 12345;
  if (!types.has("string")) return "oops";
  return null;
}

function fits(value: unknown, s: SchemaNode): boolean {
  const types = jsonTypes(s);
  if (Array.isArray(value)) return types.has("array");
  if (isRecord(value)) return types.has("object");
  return types.has(typeof value);
}

/** Where an uppercase letter breaks each address in `text` at its own position. */
function addressSpots(text: string): number[] {
  const spots: number[] = [];
  for (const m of text.matchAll(/rtt:\/\//gi)) {
    // From the namespace to the end of the name: any character there, made uppercase, is the
    // first one the parser rejects.
    for (let i = m.index + 6; i < text.length && !"@#? ,]".includes(text[i] as string); i++) {
      spots.push(i);
    }
  }
  return spots;
}

function collect(value: unknown, s: SchemaNode, path: Path, out: Mutation[]): void {
  if (s.anyOf !== undefined) {
    const branch = s.anyOf.find((b) => fits(value, b));
    if (branch !== undefined) collect(value, branch, path, out);
    return;
  }
  if (Array.isArray(value) && s.items !== undefined) {
    const items = s.items;
    value.forEach((item, i) => {
      out.push({ kind: "wrong-type", path: [...path, i], replacement: wrongValue(items) });
      collect(item, items, [...path, i], out);
    });
  }
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      const sub =
        s.properties?.[k] ??
        (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      if (sub === undefined) continue; // an x- key: anything goes
      out.push({ kind: "wrong-type", path: [...path, k], replacement: wrongValue(sub) });
      collect(v, sub, [...path, k], out);
    }
    if (s.additionalProperties === false && s.properties !== undefined) {
      for (const near of Object.keys(s.properties)) {
        out.push({ kind: "unknown-key", path, key: `${near}z`, near });
      }
    }
    for (const key of s.required ?? []) out.push({ kind: "missing", path, key });
  }
  if (typeof value === "string" && s.format !== undefined && ADDRESS_FORMATS.has(s.format)) {
    out.push({ kind: "bad-address", path, spots: addressSpots(value) });
  }
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root;
  for (const step of path) node = (node as Record<string | number, unknown>)[step];
  return node as Record<string | number, unknown>;
}

interface Applied {
  readonly doc: unknown;
  /** Offset (in the printed text) the diagnostic must point at, given the printed text. */
  readonly expect: (p: Printed) => number;
  readonly message: RegExp;
  readonly hint?: string;
}

function apply(original: unknown, m: Mutation, pick: number): Applied {
  const doc: unknown = JSON.parse(JSON.stringify(original));
  const last = m.path.at(-1);
  switch (m.kind) {
    case "wrong-type": {
      parentOf(doc, m.path.slice(0, -1))[last as string | number] = m.replacement;
      return { doc, expect: (p) => offsetOf(p.values, m.path), message: /^expected / };
    }
    case "unknown-key": {
      parentOf(doc, m.path)[m.key] = "x";
      return {
        doc,
        expect: (p) => offsetOf(p.keys, [...m.path, m.key]),
        message: new RegExp(`^unknown field "${escapeRegExp(m.key)}"$`),
        hint: `did you mean "${m.near}"?`,
      };
    }
    case "missing": {
      delete parentOf(doc, m.path)[m.key];
      return {
        doc,
        expect: (p) => offsetOf(p.values, m.path),
        message: new RegExp(`^missing required field "${escapeRegExp(m.key)}"$`),
      };
    }
    case "bad-address": {
      const parent = parentOf(doc, m.path.slice(0, -1));
      const text = parent[last as string | number] as string;
      const at = m.spots[pick % m.spots.length] as number;
      parent[last as string | number] = `${text.slice(0, at)}Q${text.slice(at + 1)}`;
      // +1 steps over the opening quote of the JSON string.
      return {
        doc,
        expect: (p) => offsetOf(p.values, m.path) + 1 + at,
        message: /^bad address /,
        hint: "addresses are lowercase",
      };
    }
  }
}

function offsetOf(map: ReadonlyMap<string, number>, path: Path): number {
  const offset = map.get(pathKey(path));
  assert.ok(offset !== undefined, `nothing printed at ${pathKey(path)}`);
  return offset;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function describeDiagnostics(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.message} (${d.hint ?? "-"})`).join("\n");
}

const KINDS: readonly DocumentKind[] = ["manifest", "routes", "policy", "panel-config"];

describe("validateDocument: properties", () => {
  for (const kind of KINDS) {
    const file = kind === "panel-config" ? "panel.yaml" : `${kind}.json`;

    it(`${kind}: generated valid documents validate, value intact`, () => {
      fc.assert(
        fc.property(DOCS[kind], (doc) => {
          const { text } = print(kind, doc);
          const r = validateDocument(kind, text, file);
          assert.ok(r.ok, r.ok ? "" : `${text}\n${describeDiagnostics(r.diagnostics)}`);
          assert.deepEqual(r.value, JSON.parse(JSON.stringify(doc)));
        }),
        { numRuns: 60 },
      );
    });

    it(`${kind}: one mutation gives a diagnostic at exactly the mutated spot`, () => {
      const schema = DOCUMENT_SCHEMAS[kind] as unknown as SchemaNode;
      const seen = new Set<Mutation["kind"]>();
      fc.assert(
        fc.property(DOCS[kind], fc.nat(), fc.nat(), fc.nat(), (doc, k, n, pick) => {
          const sites: Mutation[] = [];
          collect(doc, schema, [], sites);
          const usable = sites.filter((s) => s.kind !== "bad-address" || s.spots.length > 0);
          const kinds = [...new Set(usable.map((s) => s.kind))];
          const kindPicked = kinds[k % kinds.length];
          const ofKind = usable.filter((s) => s.kind === kindPicked);
          const site = ofKind[n % ofKind.length];
          if (site === undefined) return;
          seen.add(site.kind);
          const mutated = apply(doc, site, pick);
          const printed = print(kind, mutated.doc);
          const r = validateDocument(kind, printed.text, file);
          const where = lineCol(printed.text, mutated.expect(printed));
          const context = `${site.kind} at ${pathKey(site.path)}\n${printed.text}`;
          assert.equal(r.ok, false, context);
          if (r.ok) return;
          const hit = r.diagnostics.find(
            (d) =>
              d.line === where.line && d.column === where.column && mutated.message.test(d.message),
          );
          assert.ok(
            hit !== undefined,
            `no diagnostic at ${where.line}:${where.column} for ${context}\ngot:\n${describeDiagnostics(r.diagnostics)}`,
          );
          assert.equal(hit.code, "RTT_ERR_DOC_SCHEMA");
          assert.equal(hit.file, file);
          if (mutated.hint !== undefined) assert.equal(hit.hint, mutated.hint);
        }),
        { numRuns: 150 },
      );
      const expected: Mutation["kind"][] =
        kind === "panel-config"
          ? ["wrong-type", "unknown-key"]
          : ["wrong-type", "unknown-key", "missing", "bad-address"];
      for (const k of expected) assert.ok(seen.has(k), `mutation ${k} never tried for ${kind}`);
    });

    it(`${kind}: any text gives a result, never an exception`, () => {
      // Fragments of both syntaxes, so short texts reach anchors, aliases, tags and nesting.
      const tokens = fc
        .array(
          fc.constantFrom(
            ..."{}[]:,-?!&*#'\" \n\t",
            "*a",
            "&a",
            "!!binary",
            "<<",
            "---",
            "routes",
            '"symbol"',
            "1e999",
            "null",
            "scan:",
            "  roots:",
          ),
          { maxLength: 12 },
        )
        .map((parts) => parts.join(""));
      const text = fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        tokens,
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 1)),
      );
      fc.assert(
        fc.property(text, (t) => {
          const r = validateDocument(kind, t, file);
          if (!r.ok) {
            assert.ok(r.diagnostics.length > 0);
            for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Examples.

function diagnosticsOf(kind: DocumentKind, text: string, file = "f.json"): readonly Diagnostic[] {
  const r = validateDocument(kind, text, file);
  assert.equal(r.ok, false, "expected the document to be refused");
  return r.ok ? [] : r.diagnostics;
}

function only(ds: readonly Diagnostic[]): Diagnostic {
  assert.equal(ds.length, 1, describeDiagnostics(ds));
  return ds[0] as Diagnostic;
}

const SPEC_MANIFEST = `{
  "$schema":"https://rtt/spec/v1",
  "symbol":{
    "saddr":"rtt://core/api/metrics@1.0.0",
    "type":"api",
    "direction":"provider",
    "capabilities":["pull","stream"],
    "inputs":[{"name":"query","schema":"json://metrics.query"}],
    "outputs":[{"name":"series","schema":"json://metrics.series"}],
    "qos":{"latency_budget_ms":2,"throughput_qps":5000}
  }
}`;

const SPEC_ROUTES = `{
  "routes":[
    {"from":"rtt://ui/hook/refresh","to":"rtt://core/api/metrics"},
    {"from":"rtt://core/bus/events","to":"rtt://obs/extension/logger#ndjson"}
  ]
}`;

const SPEC_PANEL = `api:
  listen: "unix:///abs/path/.rtt/sockets/panel.sock"
scan:
  roots: ["./", "./services", "./packages"]
  ignore: [".git", "node_modules", "target", "venv", "dist"]
routing:
  prefer: ["shm","uds","tcp"]
  rewire_atomic: true
security:
  strict_manifests: true
  allow_unsigned: ["dev/*"]
health:
  heartbeat_ms: 250
  trip_threshold: {errors: 5, window_ms: 5000}
`;

/**
 * A policy using every section, with real addresses for A, B, C and a real symbol type for
 * `stream` (see below).
 */
const SPEC_POLICY = `{
  "allow": [{"from":"rtt://*/api/*","to":"rtt://*/api/*","scopes":["*"]}],
  "pin": [{"route":"rtt://core/api/auth -> rtt://idp/api/auth@2"}],
  "qos": [{"match":"rtt://*/bus/*","latency_ms":1,"prio":0}],
  "failover": [{"route":"rtt://core/bus/events -> [rtt://a/bus/events, rtt://b/bus/events@2, rtt://c/bus/events@2.1.0]","health":"p95<5ms,err<0.1%"}]
}`;

describe("validateDocument: full example documents", () => {
  it("a manifest", () => {
    const r = validateDocument("manifest", SPEC_MANIFEST, "manifests/metrics.api.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.symbol.saddr, "rtt://core/api/metrics@1.0.0");
    assert.deepEqual(r.value.symbol.qos, { latency_budget_ms: 2, throughput_qps: 5000 });
  });

  it("a routes.json", () => {
    const r = validateDocument("routes", SPEC_ROUTES, "routes.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.routes.length, 2);
    assert.equal(r.value.routes[1]?.to, "rtt://obs/extension/logger#ndjson");
  });

  it("a panel.yaml", () => {
    const r = validateDocument("panel-config", SPEC_PANEL, "panel.yaml");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.deepEqual(r.value.health, {
      heartbeat_ms: 250,
      trip_threshold: { errors: 5, window_ms: 5000 },
    });
    assert.deepEqual(r.value.routing?.prefer, ["shm", "uds", "tcp"]);
  });

  it("a policy.json", () => {
    const r = validateDocument("policy", SPEC_POLICY, "policy.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.failover?.[0]?.health, "p95<5ms,err<0.1%");
  });

  it("a policy naming `stream` as a symbol type (it is an io mode): refused", () => {
    const verbatim = SPEC_POLICY.replace("rtt://*/bus/*", "rtt://*/stream/*");
    const d = only(diagnosticsOf("policy", verbatim, "policy.json"));
    assert.deepEqual([d.line, d.column], [4, 29]);
    assert.match(d.message, /expected a symbol type .* found "stream"/);
  });
});

describe("validateDocument: syntax errors", () => {
  it("reports malformed JSON as RTT_ERR_DOC_SYNTAX at its line:col", () => {
    const text = '{\n  "routes": [\n    {"from": "rtt://a/api/x" "to": "rtt://b/api/x"}\n  ]\n}';
    const d = only(diagnosticsOf("routes", text, "routes.json"));
    assert.deepEqual(d, {
      severity: "error",
      code: "RTT_ERR_DOC_SYNTAX",
      message: "not valid JSON: expected ',' or a closing bracket",
      file: "routes.json",
      line: 3,
      column: 30,
    });
    const trailing = only(diagnosticsOf("routes", '{"routes": [],\n}'));
    assert.deepEqual([trailing.code, trailing.line, trailing.column], ["RTT_ERR_DOC_SYNTAX", 2, 1]);
    const comment = only(diagnosticsOf("routes", '{"routes": []} // no'));
    assert.deepEqual([comment.code, comment.line, comment.column], ["RTT_ERR_DOC_SYNTAX", 1, 16]);
    const empty = only(diagnosticsOf("manifest", ""));
    assert.deepEqual([empty.code, empty.line, empty.column], ["RTT_ERR_DOC_SYNTAX", 1, 1]);
  });

  it("refuses duplicate keys, pointing at the second one", () => {
    const text = '{\n  "routes": [],\n  "routes": []\n}';
    const d = only(diagnosticsOf("routes", text));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(d.message, 'duplicate key "routes"');
    assert.deepEqual([d.line, d.column], [3, 3]);
    assert.equal(d.hint, "JSON readers disagree on which copy wins; keep one");
    const yaml = only(diagnosticsOf("panel-config", "scan:\n  roots: [a]\n  roots: [b]\n"));
    assert.equal(yaml.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(yaml.line, 3);
  });

  it("reports YAML errors with line:col", () => {
    const d = only(diagnosticsOf("panel-config", "api:\n  listen: [\n", "panel.yaml"));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(d.file, "panel.yaml");
    assert.match(d.message, /^not valid YAML: /);
    assert.deepEqual([d.line, d.column], [3, 1]);
    const tab = only(diagnosticsOf("panel-config", "scan:\n  roots: [a]\n   bad: : x\n"));
    assert.equal(tab.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(tab.line, 3);
  });

  it("reports an alias to an unknown anchor, and an alias bomb, as syntax errors", () => {
    const d = only(diagnosticsOf("panel-config", "scan:\n  roots: [a, *nowhere]\n", "panel.yaml"));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(
      d.message,
      "not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere",
    );
    assert.deepEqual([d.line, d.column], [2, 14]);
    const lol = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]';
    const bomb = [
      `a: &a ${lol}`,
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    ].join("\n");
    const b = only(diagnosticsOf("panel-config", bomb, "panel.yaml"));
    assert.equal(b.code, "RTT_ERR_DOC_SYNTAX");
    assert.match(b.message, /resource exhaustion/);
  });

  it("reports schema errors in YAML with line:col", () => {
    const ds = diagnosticsOf("panel-config", "api:\n  listen: 3\nscan:\n  roots: []\n  foo: 1\n");
    assert.deepEqual(
      ds.map((d) => [d.line, d.column, d.message]),
      [
        [2, 11, "expected string, found number 3"],
        [5, 3, 'unknown field "foo"'],
        [4, 10, "/scan/roots must NOT have fewer than 1 items"],
      ],
    );
    assert.equal(ds[1]?.hint, "known fields: roots, ignore, follow_symlinks, max_manifest_bytes");
  });
});

describe("validateDocument: schema and semantic errors", () => {
  const manifest = (symbol: Record<string, unknown>) =>
    JSON.stringify(
      {
        symbol: {
          saddr: "rtt://core/api/metrics@1.0.0",
          type: "api",
          direction: "provider",
          ...symbol,
        },
      },
      null,
      2,
    );

  it("hints at the nearest known key for a typo", () => {
    const d = only(diagnosticsOf("manifest", manifest({ direcion: "provider" })));
    assert.equal(d.message, 'unknown field "direcion"');
    assert.equal(d.hint, 'did you mean "direction"?');
    assert.deepEqual([d.line, d.column], [6, 5]);
    const policy = only(diagnosticsOf("policy", '{"alow": []}'));
    assert.equal(policy.hint, 'did you mean "allow"?');
    assert.deepEqual([policy.line, policy.column], [1, 2]);
  });

  it("hints at the nearest enum value", () => {
    const d = only(diagnosticsOf("manifest", manifest({ direction: "provder" })));
    assert.equal(d.message, 'expected one of provider, consumer, both; found the string "provder"');
    assert.equal(d.hint, 'did you mean "provider"?');
  });

  it("refuses a type field that disagrees with the address's type segment", () => {
    const d = only(diagnosticsOf("manifest", manifest({ type: "hook" })));
    assert.equal(d.message, 'type "hook" disagrees with the address\'s type "api"');
    assert.equal(d.hint, "the type segment of saddr and the type field must be the same");
    assert.deepEqual([d.line, d.column], [4, 13]);
  });

  it("refuses an x-run that is not an argv of strings, at the bad value", () => {
    const cases: [unknown, string][] = [
      ["python3 emit.py", "x-run is not an array of strings"],
      [[], "x-run is empty: it needs a command"],
      [["python3", 2], "x-run[1] is not a string"],
      [[""], "x-run's command is empty"],
    ];
    for (const [run, message] of cases) {
      const d = only(diagnosticsOf("manifest", manifest({ "x-run": run })));
      assert.equal(d.message, message, JSON.stringify(run));
      assert.equal(d.code, "RTT_ERR_DOC_SCHEMA");
    }
    const ok = validateDocument("manifest", manifest({ "x-run": ["node", "x.mjs", ""] }), "m.json");
    assert.equal(ok.ok, true);
  });

  it("refuses a second pin for a source another pin already pins (the first one wins)", () => {
    const policy = JSON.stringify({
      pin: [
        { route: "rtt://ui/hook/refresh -> rtt://core/api/metrics@1.0.0" },
        { route: "rtt://ui/hook/refresh  ->  rtt://core/api/metrics@2.0.0" },
      ],
    });
    const d = only(diagnosticsOf("policy", policy));
    assert.match(d.message, /^pin\[1\] pins rtt:\/\/ui\/hook\/refresh again: pin\[0\] does/);
    const two = JSON.stringify({
      pin: [
        { route: "rtt://ui/hook/refresh -> rtt://core/api/metrics@1.0.0" },
        { route: "rtt://ui/hook/other -> rtt://core/api/metrics@1.0.0" },
      ],
    });
    assert.equal(validateDocument("policy", two, "p.json").ok, true);
  });

  it("names a number too large to hold as such, not as null", () => {
    const d = only(diagnosticsOf("routes", '{"routes": 1e999}'));
    assert.equal(d.message, "expected array, found a number too large to hold");
  });

  it("refuses a route id too long to name its journal's folder", () => {
    const id = "r".repeat(101);
    const routes = JSON.stringify({
      routes: [{ id, from: "rtt://a/bus/x", to: "rtt://b/extension/y" }],
    });
    const d = only(diagnosticsOf("routes", routes));
    assert.equal(d.message, "route id is 101 characters long: at most 100");
  });

  it("refuses a manifest saddr carrying ?caps= or ?io=", () => {
    for (const q of ["?caps=pull", "?io=req"]) {
      const d = only(
        diagnosticsOf("manifest", manifest({ saddr: `rtt://core/api/metrics@1.0.0${q}` })),
      );
      assert.equal(d.message, "a manifest's saddr carries no ?caps= or ?io= query");
      assert.equal(d.hint, "declare them in the capabilities and io fields");
      assert.deepEqual([d.line, d.column], [3, 14]);
    }
  });

  it("refuses a manifest saddr that is not concrete, pointing inside the string", () => {
    const d = only(diagnosticsOf("manifest", manifest({ saddr: "rtt://core/api/metrics@^1" })));
    assert.equal(
      d.message,
      '"rtt://core/api/metrics@^1" is a reference address; expected a concrete address',
    );
    assert.deepEqual([d.line, d.column], [3, 15]);
  });

  it("refuses routes with duplicate ids, pointing at the repeat", () => {
    const text = JSON.stringify(
      {
        routes: [
          { id: "a", from: "rtt://x/api/a", to: "rtt://y/api/a" },
          { id: "b", from: "rtt://x/api/b", to: "rtt://y/api/b" },
          { id: "a", from: "rtt://x/api/c", to: ["rtt://y/api/c", "rtt://z/api/c"] },
        ],
      },
      null,
      2,
    );
    const d = only(diagnosticsOf("routes", text));
    assert.equal(d.message, 'route id "a" is already used by route 0');
    assert.deepEqual([d.line, d.column], [14, 13]);
  });

  it("explains a route end of the wrong type or form", () => {
    const wrong = only(diagnosticsOf("routes", '{"routes": [{"from": "rtt://a/api/x", "to": 3}]}'));
    assert.equal(wrong.message, "expected string or array, found number 3");
    assert.deepEqual([wrong.line, wrong.column], [1, 45]);
    const pattern = only(
      diagnosticsOf(
        "routes",
        '{"routes": [{"from": "rtt://a/api/x", "to": ["rtt://b/api/x", "rtt://*/api/x"]}]}',
      ),
    );
    assert.match(
      pattern.message,
      /is a pattern address; expected a reference address or a concrete address/,
    );
    assert.deepEqual([pattern.line, pattern.column], [1, 70]);
  });

  it("points a duplicate list item at the repeat, whatever the item schema", () => {
    const caps = only(
      diagnosticsOf("manifest", manifest({ capabilities: ["pull", "push", "pull"] })),
    );
    assert.equal(caps.message, "duplicate of item 0; items must be unique");
    assert.deepEqual([caps.line, caps.column], [9, 7]);
    const prefer = only(diagnosticsOf("panel-config", "routing:\n  prefer: [shm, uds, shm]\n"));
    assert.equal(prefer.message, "duplicate of item 0; items must be unique");
    assert.deepEqual([prefer.line, prefer.column], [2, 22]);
  });

  it("locates errors inside route and health expressions of a policy", () => {
    const text = JSON.stringify(
      {
        pin: [{ route: "rtt://a/api/x -> rtt://b/api/X@2" }],
        failover: [{ route: "rtt://a/api/x -> [rtt://b/api/x]", health: "p95<5xs" }],
      },
      null,
      2,
    );
    const ds = diagnosticsOf("policy", text);
    assert.deepEqual(
      ds.map((d) => [d.line, d.column, d.hint]),
      [
        [4, 46, "addresses are lowercase"],
        [10, 18, "e.g. p95<5ms,err<0.1%"],
      ],
    );
  });
});

/**
 * Test-only: the places one edit can break a valid document, found by walking it alongside its
 * JSON Schema (a value of the wrong type, an unknown key, a missing required key, an address
 * with an uppercase letter), and each edit applied with where its diagnostic must point.
 */
import { isRecord } from "../examples.ts";
import { escapeRegExp } from "../saddr-match.ts";
import { offsetOf, type Path, type Printed } from "./printed-documents.ts";

export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
}

export type Mutation =
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

export function collect(value: unknown, s: SchemaNode, path: Path, out: Mutation[]): void {
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
      const patterns = Object.keys(s.patternProperties ?? {}).map((p) => new RegExp(p, "u"));
      for (const near of Object.keys(s.properties)) {
        const key = `${near}z`;
        // An extension key (`x-drain-msz`) is still allowed by the pattern: no error to expect.
        if (patterns.some((p) => p.test(key))) continue;
        out.push({ kind: "unknown-key", path, key, near });
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

export function apply(original: unknown, m: Mutation, pick: number): Applied {
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
        // panel.yaml names the field first (`security.allow_unsigned[0]: bad address …`).
        message: /^([\w.[\]]+: )?bad address /,
        hint: "addresses are lowercase",
      };
    }
  }
}

/**
 * Test-only: documents printed as JSON or YAML with the offset of every key and value, so a test
 * can say where in the text a diagnostic must point; and diagnostics printed for failure messages.
 */
import assert from "node:assert/strict";
import type { Diagnostic } from "../errors.ts";
import { isRecord } from "../examples.ts";
import type { DocumentKind } from "../validate.ts";

export type Path = readonly (string | number)[];
export const pathKey = (p: Path): string => JSON.stringify(p);

export interface Printed {
  readonly text: string;
  /** Offset of the first character of the value at each path. */
  readonly values: ReadonlyMap<string, number>;
  /** Offset of the key (its opening quote in JSON) of each object member. */
  readonly keys: ReadonlyMap<string, number>;
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

export function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1) ?? "").length + 1 };
}

export function print(kind: DocumentKind, doc: unknown): Printed {
  return kind === "panel-config" ? printYaml(doc as Record<string, unknown>) : printJson(doc);
}

export function offsetOf(map: ReadonlyMap<string, number>, path: Path): number {
  const offset = map.get(pathKey(path));
  assert.ok(offset !== undefined, `nothing printed at ${pathKey(path)}`);
  return offset;
}

export function describeDiagnostics(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.line}:${d.column} ${d.message} (${d.hint ?? "-"})`).join("\n");
}

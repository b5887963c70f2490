/**
 * Rewrites the `x-` key table of docs/manifest.md from EXTENSION_KEYS, between its two marker
 * comments, leaving the prose around it as it is. Run `npm run generate` after adding a key;
 * test/docs-manifest.test.ts fails until the table and the key table agree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { EXTENSION_KEYS } from "../src/extension-keys.ts";
import type { JsonValue } from "../src/json-value.ts";
import { LAUNCH_LABEL_KEYS } from "../src/launch.ts";
import { markdownTable } from "./markdown-table.ts";

export const MANIFEST_DOC = new URL("../../../docs/manifest.md", import.meta.url);

const BEGIN = "<!-- x-keys:begin";
const END = "<!-- x-keys:end -->";

/** JSON on one line, spaced as people write it: `{"line": "ready", "timeout_ms": 3000}`. */
function inlineJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

/** A table cell: a `|` would end it. */
const cell = (text: string) => text.replaceAll("|", "\\|");

export function extensionKeysTable(): string {
  const rows = [
    ["key", "type", "read by", "default", "meaning", "example"],
    ...Object.entries(EXTENSION_KEYS).map(([key, spec]) => [
      `\`${key}\``,
      cell(spec.type),
      spec.readBy.join(", "),
      cell(spec.default),
      cell(spec.doc),
      `\`${cell(`"${key}": ${inlineJson(spec.example as JsonValue)}`)}\``,
    ]),
  ];
  return markdownTable(rows);
}

/** The keys the plan leaves out of a symbol's launch (launch.ts), as a sentence. */
export function labelKeysLine(): string {
  const keys = [...LAUNCH_LABEL_KEYS].sort().map((k) => `\`${k}\``);
  return `Not part of the launch, so editing them changes no plan: ${keys.join(", ")}.`;
}

/** The document with the lines between its markers replaced by the table. */
export function withKeysTable(doc: string): string {
  const lines = doc.split("\n");
  const begin = lines.findIndex((l) => l.startsWith(BEGIN));
  const end = lines.indexOf(END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/manifest.md: the markers "${BEGIN} …" and "${END}" are missing`);
  const generated = [extensionKeysTable(), "", labelKeysLine()];
  return [...lines.slice(0, begin + 1), ...generated, ...lines.slice(end)].join("\n");
}

if (import.meta.main) {
  writeFileSync(MANIFEST_DOC, withKeysTable(readFileSync(MANIFEST_DOC, "utf8")));
  process.stdout.write("wrote docs/manifest.md\n");
}

/**
 * Rewrites the table of docs/errors.md from ERROR_CATALOG, column-aligned, leaving the prose
 * around it as it is. Run `npm run generate` after adding a code; test/docs-errors.test.ts
 * fails until the table and the catalog agree.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { ERROR_CATALOG } from "../src/errors.ts";
import { markdownTable } from "./markdown-table.ts";

export const ERRORS_DOC = new URL("../../../docs/errors.md", import.meta.url);

export function errorsTable(): string {
  const rows = [
    ["code", "exit", "gRPC status", "meaning"],
    ...Object.entries(ERROR_CATALOG).map(([code, spec]) => [
      `\`${code}\``,
      String(spec.exitCode),
      spec.grpcStatus,
      spec.meaning,
    ]),
  ];
  return markdownTable(rows);
}

/** The document with its table (the run of lines starting with "|") replaced. */
export function withTable(doc: string): string {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  if (start < 0) return `${doc.trimEnd()}\n\n${errorsTable()}\n`;
  let end = start;
  while (end < lines.length && (lines[end] ?? "").startsWith("|")) end++;
  return [...lines.slice(0, start), errorsTable(), ...lines.slice(end)].join("\n");
}

if (import.meta.main) {
  writeFileSync(ERRORS_DOC, withTable(readFileSync(ERRORS_DOC, "utf8")));
  process.stdout.write("wrote docs/errors.md\n");
}

/**
 * What the project-metadata indexers (python-packaging, node-package, go, rust-cargo,
 * c-compile, elf-exports) share: their scores (ADR 0026), claim building, folder arithmetic on
 * '/'-separated workspace paths, and TOML read with positions.
 */
import { basename, dirname, posix } from "node:path";
import { type Contract, type JsonValue, RttError } from "@rtt/core";
import { parse as parseTomlText, TomlError } from "smol-toml";
import type { Discovery } from "./indexer.ts";

/** Structured project metadata (pyproject scripts, package.json bin, Cargo bins, go.mod). */
export const METADATA_SCORE = 0.9;
/** What a parser found in a file's contents rather than what a project declared. */
export const PARSED_SCORE = 0.8;

export type ClaimContract = Contract & Readonly<Record<`x-${string}`, JsonValue>>;

export function claim(
  indexer: string,
  file: string,
  line: number,
  score: number,
  contract: ClaimContract,
): Discovery {
  return { contract, score, provenance: { indexer, file, line } };
}

/** The folder of a workspace-relative path: "" for a file at the root. */
export function folderOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

/** `to` relative to `from` (both workspace-relative folders), "." when they are the same. */
export function relativeFolder(from: string, to: string): string {
  return posix.relative(`/${from}`, `/${to}`) || ".";
}

/** Whether any folder on the way to `rel` (not the file's own name) satisfies `test`. */
export function someFolder(rel: string, test: (segment: string) => boolean): boolean {
  const segments = rel.split("/");
  segments.pop();
  return segments.some(test);
}

/** The name of the folder holding a file, from its absolute path (a project's fallback name). */
export function folderName(abs: string): string {
  return basename(dirname(abs));
}

/** A plain (non-array) table, or undefined. */
export function tableOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A TOML document, or an RttError at the line and column the parser stopped at. */
export function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parseTomlText(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new RttError("RTT_ERR_DOC_SYNTAX", `not valid TOML: ${error.message.split("\n")[0]}`, {
      position: { file, line: error.line, column: error.column },
    });
  }
}

const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const DOTTED = String.raw`${KEY_PART}(?:\s*\.\s*${KEY_PART})*`;
const HEADER = new RegExp(String.raw`^\s*(\[\[?)\s*(${DOTTED})\s*\]\]?\s*(?:#.*)?$`);
const KEY_LINE = new RegExp(String.raw`^\s*(${DOTTED})\s*=`);
const PART = new RegExp(KEY_PART, "g");

function keyParts(dotted: string): string[] {
  return (dotted.match(PART) ?? []).map((p) =>
    p.startsWith('"') ? (JSON.parse(p) as string) : p.startsWith("'") ? p.slice(1, -1) : p,
  );
}

/**
 * The 1-based line where the TOML key at `path` is written (`["project", "scripts", "cli"]`),
 * found in the text since parsers keep no positions. An array table's entries are numbered:
 * `["bin", "1", "name"]` is the name in the second `[[bin]]`. When the key itself is not on a
 * line of its own (an inline table), the line of its nearest written ancestor; 1 when none.
 */
export function tomlLine(text: string, path: readonly string[]): number {
  const want = path.join("\0");
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  let best = { depth: 0, line: 1 };
  const consider = (full: string[], line: number): boolean => {
    if (full.join("\0") === want) return true;
    const isPrefix = full.length < path.length && full.every((p, i) => p === path[i]);
    if (isPrefix && full.length > best.depth) best = { depth: full.length, line };
    return false;
  };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const header = HEADER.exec(line);
    if (header !== null) {
      const parts = keyParts(header[2] as string);
      if (header[1] === "[[") {
        const key = parts.join("\0");
        const n = arrayCounts.get(key) ?? 0;
        arrayCounts.set(key, n + 1);
        parts.push(String(n));
      }
      table = parts;
      if (consider(table, i + 1)) return i + 1;
      continue;
    }
    const key = KEY_LINE.exec(line);
    if (key !== null && consider([...table, ...keyParts(key[1] as string)], i + 1)) return i + 1;
  }
  return best.line;
}

/**
 * Unknown `x-` keys in a manifest's symbol (issue 18): a key no built-in driver, the panel or
 * discovery reads (extension-keys.ts) is most often a typo that silently changes nothing —
 * `x-cdw` runs the program in the wrong folder — so the scan warns, with the known key it most
 * likely meant. A warning, never an error: `x-` keys stay free for tools and people.
 *
 * Not warned about: a custom driver's own keys, `x-<driver>-…` in a manifest that names that
 * driver with `x-driver` (so no configuration is needed to tell them from typos).
 */
import type { Diagnostic } from "./errors.ts";
import { KNOWN_EXTENSION_KEYS } from "./extension-keys.ts";
import type { SourceDocument } from "./source-document.ts";
import { closest } from "./suggest.ts";
import { quoteInput } from "./untrusted-text.ts";

export interface UnknownExtensionKey {
  readonly key: string;
  /** The known key it most likely misspells. */
  readonly suggestion?: string;
}

const KNOWN = new Set(KNOWN_EXTENSION_KEYS);

/** The prefix of the keys the symbol's own driver (`x-driver`) reads, if it names one. */
function driverPrefix(symbol: Readonly<Record<string, unknown>>): string | undefined {
  const driver = symbol["x-driver"];
  return typeof driver === "string" && driver !== "" ? `x-${driver}-` : undefined;
}

/** Whether `a` is `b` with two neighbouring characters swapped (`x-cdw`, `x-cwd`). */
function swapApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return (
    i < a.length - 1 &&
    a[i] === b[i + 1] &&
    a[i + 1] === b[i] &&
    a.slice(i + 2) === b.slice(i + 2) &&
    a[i] !== a[i + 1]
  );
}

/** The known key `key` most likely misspells: the nearest by edits, else one swap away. */
function suggestionFor(key: string): string | undefined {
  return closest(key, KNOWN_EXTENSION_KEYS) ?? KNOWN_EXTENSION_KEYS.find((k) => swapApart(key, k));
}

/** The symbol's `x-` keys that are neither known nor its named driver's, in file order. */
export function unknownExtensionKeys(
  symbol: Readonly<Record<string, unknown>>,
): UnknownExtensionKey[] {
  const own = driverPrefix(symbol);
  return Object.keys(symbol)
    .filter((key) => key.startsWith("x-") && !KNOWN.has(key))
    .filter((key) => own === undefined || !key.startsWith(own))
    .map((key) => {
      const suggestion = suggestionFor(key);
      return suggestion === undefined ? { key } : { key, suggestion };
    });
}

function hintFor(unknown: UnknownExtensionKey, own: string | undefined): string {
  if (unknown.suggestion !== undefined) return `did you mean "${unknown.suggestion}"?`;
  const custom =
    own === undefined
      ? 'a custom driver\'s own keys start with "x-<driver>-" in a manifest that sets "x-driver"'
      : `this manifest's driver reads keys starting with ${quoteInput(own)}`;
  return `no built-in driver reads it (docs/manifest.md lists the keys); ${custom}; notes for people go in "tags" or "x-note"`;
}

/**
 * Warnings, at each key's line and column, for a manifest document that validated: unknown keys
 * in `symbol`, and known ones beside it, where nothing reads them.
 */
export function extensionKeyWarnings(document: SourceDocument): Diagnostic[] {
  const top = document.value as Readonly<Record<string, unknown>>;
  const symbol = top.symbol;
  if (typeof symbol !== "object" || symbol === null || Array.isArray(symbol)) return [];
  const fields = symbol as Readonly<Record<string, unknown>>;
  const own = driverPrefix(fields);
  const warning = (path: readonly string[], message: string, hint: string): Diagnostic => {
    const at = document.locate(path, "key");
    return {
      severity: "warning",
      code: "RTT_ERR_DOC_SCHEMA",
      message,
      file: document.file,
      line: at.line,
      column: at.column,
      hint,
    };
  };
  const misplaced = Object.keys(top)
    .filter((key) => KNOWN.has(key))
    .map((key) => warning([key], `"${key}" is read inside "symbol" only`, `move it into "symbol"`));
  const unknown = unknownExtensionKeys(fields).map((u) =>
    // The key is the manifest author's text: quoted, escaped and cut short like any input.
    warning(
      ["symbol", u.key],
      `unknown key ${quoteInput(u.key)}: RTT reads no such key`,
      hintFor(u, own),
    ),
  );
  return [...misplaced, ...unknown];
}

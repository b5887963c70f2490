/**
 * The symbol catalog (`.rtt/cache/catalog.json`): what the last scan found, sorted by address
 * so the file is byte-identical for the same tree. Readers resolve route ends against it.
 */

import { readStateFile } from "@rtt/connector-sdk/state-files.ts";
import { errorMessage } from "@rtt/core/error-message.ts";
import { type Diagnostic, RttError } from "@rtt/core/errors.ts";
import { memoByString } from "@rtt/core/memo.ts";
import {
  type ConcreteAddress,
  formatSaddr,
  parseReference,
  type Selector,
} from "@rtt/core/saddr.ts";
import { type Mismatch, mismatch, selectorTest } from "@rtt/core/saddr-match.ts";
import { addressOf, type CatalogSymbol, withLaunchHash } from "@rtt/core/symbol.ts";

export const CATALOG_FORMAT = "rtt.catalog/v1";

/**
 * Several claims on one address: manifests that declare it twice, or indexer claims of the top
 * score that differ in a field (ADR 0026; `files` then are the files those claims were made in).
 */
export interface Conflict {
  readonly saddr: string;
  readonly files: readonly string[];
  /** Identical manifests (same contract, `x-` keys and signer): the first is kept. Otherwise none is. */
  readonly identical: boolean;
}

export interface Catalog {
  readonly format: typeof CATALOG_FORMAT;
  readonly symbols: readonly CatalogSymbol[];
  readonly conflicts: readonly Conflict[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * The catalog's order, by saddr: how the scan sorts its symbols and conflicts, and how the
 * router reads the catalog and reports its verdicts.
 */
export function bySaddr<T extends { readonly saddr: string }>(a: T, b: T): number {
  return a.saddr < b.saddr ? -1 : a.saddr > b.saddr ? 1 : 0;
}

export function readCatalog(path: string): Catalog {
  let text: string;
  try {
    text = readStateFile(path);
  } catch (error) {
    if (error instanceof RttError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new RttError("RTT_ERR_CATALOG_MISSING", "no symbol catalog yet", {
        hint: "run `rtt scan` first",
      });
    throw new RttError(
      "RTT_ERR_CATALOG_MISSING",
      `cannot read the catalog at ${path}: ${errorMessage(error)}`,
      {
        hint: "run `rtt scan` to rebuild it",
      },
    );
  }
  let parsed: Partial<Catalog>;
  try {
    parsed = JSON.parse(text) as Partial<Catalog>;
  } catch {
    throw new RttError("RTT_ERR_CATALOG_MISSING", `the catalog at ${path} is damaged (not JSON)`, {
      hint: "run `rtt scan` to rebuild it",
    });
  }
  if (parsed.format !== CATALOG_FORMAT || !Array.isArray(parsed.symbols)) {
    throw new RttError("RTT_ERR_CATALOG_MISSING", `the catalog at ${path} is of another format`, {
      hint: "run `rtt scan` to rebuild it",
    });
  }
  // A catalog written before launch hashes gets them here, as a scan would write them.
  return { ...(parsed as Catalog), symbols: parsed.symbols.map(withLaunchHash) };
}

/** How a selector fares against the catalog: the symbols it selects, or why none fit. */
export interface Resolution {
  readonly matches: readonly CatalogSymbol[];
  /** Set when nothing matched: the nearest symbols and the first field each differs in. */
  readonly nearMisses: readonly { readonly saddr: string; readonly mismatch: Mismatch }[];
}

const FIELD_ORDER: readonly Mismatch["field"][] = [
  "namespace",
  "type",
  "name",
  "version",
  "variant",
  "caps",
  "io",
];

export function resolveSelector(symbols: readonly CatalogSymbol[], selector: Selector): Resolution {
  // Matches first: the near misses are only wanted when nothing matched (a plan resolves every
  // route end, and most resolve), so the common case builds no mismatch records.
  const selects = selectorTest(selector);
  const found = symbols.filter((symbol) => selects(addressOf(symbol)));
  if (found.length > 0) return { matches: found, nearMisses: [] };
  const misses: { saddr: string; mismatch: Mismatch; depth: number }[] = [];
  for (const symbol of symbols) {
    const address: ConcreteAddress = addressOf(symbol);
    const miss = mismatch(selector, address);
    if (miss !== undefined)
      misses.push({ saddr: symbol.saddr, mismatch: miss, depth: FIELD_ORDER.indexOf(miss.field) });
  }
  // Nearest = got furthest along the address before differing; only those past the name are
  // worth showing (same namespace, type and name, wrong version/variant/caps/io).
  const best = Math.max(3, ...misses.map((m) => m.depth));
  return {
    matches: [],
    nearMisses: misses
      .filter((m) => m.depth === best)
      .map(({ saddr, mismatch }) => ({ saddr, mismatch })),
  };
}

/**
 * The catalog bucketed by namespace/type/name, for resolving many references against it without
 * walking it for each (a plan, `rtt ls routes`). A reference (no globs) can only match, or be a
 * near miss of (see resolveSelector: same namespace, type and name), a symbol in its bucket, so
 * `resolveSelector(bucket, ref)` equals `resolveSelector(catalog, ref)`. Returns the bucket of a
 * reference, or undefined when it does not parse.
 */
export function nameBuckets(
  catalog: readonly CatalogSymbol[],
): (reference: string) => readonly CatalogSymbol[] | undefined {
  const buckets = new Map<string, CatalogSymbol[]>();
  for (const s of catalog) {
    const a = addressOf(s);
    const key = `${a.namespace}/${a.type}/${a.name}`;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [s]);
    else bucket.push(s);
  }
  // Per reference text: a plan looks up every route end, and the index is kept per catalog.
  return memoByString(BUCKET_CACHE_LIMIT, (reference) => {
    let ref: Selector;
    try {
      ref = parseReference(reference);
    } catch {
      return undefined;
    }
    return buckets.get(`${ref.namespace}/${ref.type}/${ref.name}`) ?? NO_SYMBOLS;
  });
}

/** How many distinct route ends one catalog's bucket lookup remembers. */
const BUCKET_CACHE_LIMIT = 65_536;
const NO_SYMBOLS: readonly CatalogSymbol[] = Object.freeze([]);

/** One sentence on why a resolution came out as it did. */
export function explainResolution(selector: Selector, r: Resolution): string {
  const wanted = formatSaddr(selector);
  if (r.matches.length === 1) return `resolves to ${r.matches[0]?.saddr}`;
  if (r.matches.length > 1) {
    return `ambiguous: ${r.matches.length} symbols match ${wanted} (${r.matches.map((m) => m.saddr).join(", ")}); name a version or variant, or pin one in policy.json`;
  }
  const near = r.nearMisses[0];
  if (near === undefined) return `no symbol in the catalog is ${wanted}`;
  const m = near.mismatch;
  const more = r.nearMisses.length > 1 ? ` (and ${r.nearMisses.length - 1} more like it)` : "";
  return `no match: ${near.saddr}${more} has ${m.field} ${m.found}, the route wants ${m.expected}`;
}

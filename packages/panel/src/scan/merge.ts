/**
 * One address, one symbol, when indexers claim addresses too (ADR 0026):
 * - a manifest outranks every indexer claim on its address (they are kept as "shadowed", for
 *   `rtt scan --explain`); manifests among themselves follow resolveClaims (claims.ts);
 * - a claim found in a file a manifest's `x-run` runs (a script the manifest starts) is
 *   shadowed too: that program is declared already, under the manifest's address;
 * - among indexer claims the highest score wins;
 * - claims of the top score merge field by field: a field only some have is taken, capabilities
 *   are united, provenance is concatenated; a field they give different values is a conflict,
 *   reported at every claim, and the address stays out of the catalog.
 * Pure and order-free: claims are sorted before anything is picked, so neither the order of the
 * indexers nor of the files can change the result.
 */
import { posix } from "node:path";
import {
  type CatalogSymbol,
  type Contract,
  canonicalJson,
  compareDiagnostics,
  type Diagnostic,
  type JsonValue,
  type SourceProvenance,
  symbolFromContract,
  withTags,
} from "@rtt/core";
import { bySaddr, type Conflict } from "../catalog.ts";
import { type Claim, resolveClaims } from "./claims.ts";
import type { IndexerClaim } from "./indexing.ts";

/** What became of one claim on an address. */
export type Verdict =
  /** It is the catalogued symbol (alone, or the first of identical manifests). */
  | "won"
  /** Merged with other claims of its score into the catalogued symbol. */
  | "merged"
  /** A manifest declares the address: indexer claims there only inform. */
  | "shadowed"
  /** Another claim on the address has a higher score. */
  | "outranked"
  /** It disagrees with another claim of its rank: none is catalogued. */
  | "conflict"
  /** An identical copy of the winning manifest, ignored. */
  | "duplicate";

/** One claim on an address, for `rtt scan --explain`. */
export interface ClaimRecord {
  readonly saddr: string;
  readonly source: CatalogSymbol["source"]["scanner"];
  readonly score: number;
  readonly file: string;
  readonly line: number;
  readonly verdict: Verdict;
  /** Why, in a sentence. */
  readonly reason: string;
  /** The contract as claimed (for a manifest, as catalogued), `x-` keys included. */
  readonly contract: Readonly<Record<string, JsonValue>>;
}

export interface Resolved {
  readonly symbols: CatalogSymbol[];
  readonly conflicts: Conflict[];
  readonly diagnostics: Diagnostic[];
  /** Every claim on every address, manifests and indexers, sorted by address then rank. */
  readonly claims: ClaimRecord[];
}

type XContract = Contract & Readonly<Record<string, JsonValue>>;

const PATH_KEYS = ["x-cwd", "x-path"] as const;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function byPlace(a: IndexerClaim, b: IndexerClaim): number {
  const p = a.discovery.provenance;
  const q = b.discovery.provenance;
  return (
    compareText(p.file, q.file) ||
    p.line - q.line ||
    compareText(a.indexer, b.indexer) ||
    compareText(canonicalJson(a.discovery.contract), canonicalJson(b.discovery.contract))
  );
}

const at = (c: IndexerClaim) => `${c.discovery.provenance.file}:${c.discovery.provenance.line}`;
const sourceOf = (c: IndexerClaim) => `indexer:${c.indexer}` as const;

/**
 * The contract with `x-cwd`/`x-path` made workspace-relative (they are relative to the claim's
 * file's folder), so that claims from two folders compare what they mean, not what they say.
 */
function anchored(c: IndexerClaim): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    ...(c.discovery.contract as unknown as Record<string, JsonValue>),
  };
  const dir = posix.dirname(c.discovery.provenance.file);
  for (const key of PATH_KEYS) {
    const v = out[key];
    if (typeof v === "string" && !posix.isAbsolute(v)) out[key] = posix.join(dir, v);
  }
  out.saddr = c.saddr;
  return out;
}

/** `anchored` undone against the folder of the file the symbol's source names. */
function reanchored(contract: Record<string, JsonValue>, file: string): Record<string, JsonValue> {
  const dir = posix.dirname(file);
  const out = { ...contract };
  for (const key of PATH_KEYS) {
    const v = out[key];
    if (typeof v === "string" && !posix.isAbsolute(v)) out[key] = posix.relative(dir, v) || ".";
  }
  return out;
}

/** The field two claims disagree on, or the merged contract. `claims` sorted by place. */
function mergeFields(
  claims: readonly IndexerClaim[],
): { contract: Record<string, JsonValue> } | { field: string; a: IndexerClaim; b: IndexerClaim } {
  const contracts = claims.map(anchored);
  const keys = [...new Set(contracts.flatMap((c) => Object.keys(c)))].sort();
  const merged: Record<string, JsonValue> = {};
  for (const key of keys) {
    const having = contracts.flatMap((c, i) => (key in c ? [{ value: c[key], i }] : []));
    if (key === "capabilities") {
      merged[key] = [...new Set(having.flatMap((h) => (h.value as string[]) ?? []))].sort();
      continue;
    }
    if (key === "tags") {
      // Tags merge key by key, by the same rule as fields (Maps: a tag may be named anything).
      const tags = new Map<string, string>();
      const owner = new Map<string, number>();
      for (const h of having) {
        for (const [k, v] of Object.entries(h.value as Record<string, string>)) {
          const o = owner.get(k);
          if (o !== undefined && tags.get(k) !== v)
            return {
              field: `tags.${k}`,
              a: claims[o] as IndexerClaim,
              b: claims[h.i] as IndexerClaim,
            };
          tags.set(k, v);
          owner.set(k, h.i);
        }
      }
      merged[key] = Object.fromEntries(tags);
      continue;
    }
    const first = having[0] as { value: JsonValue; i: number };
    // Most addresses have one claim: nothing to compare, and no canonical text to build.
    if (having.length > 1) {
      const text = canonicalJson(first.value);
      const other = having.find((h, n) => n > 0 && canonicalJson(h.value) !== text);
      if (other !== undefined)
        return {
          field: key,
          a: claims[first.i] as IndexerClaim,
          b: claims[other.i] as IndexerClaim,
        };
    }
    merged[key] = first.value;
  }
  return { contract: merged };
}

function manifestRecord(c: Claim, verdict: Verdict, reason: string): ClaimRecord {
  const s = c.symbol;
  return {
    saddr: s.saddr,
    source: "manifest",
    score: s.source.score,
    file: s.source.file,
    line: c.at.line,
    verdict,
    reason,
    contract: {
      saddr: s.saddr,
      type: s.type,
      direction: s.direction,
      ...(s.capabilities.length === 0 ? {} : { capabilities: [...s.capabilities] }),
      ...(s.io === undefined ? {} : { io: s.io }),
      ...(s.extensions ?? {}),
    },
  };
}

function indexerRecord(c: IndexerClaim, verdict: Verdict, reason: string): ClaimRecord {
  return {
    saddr: c.saddr,
    source: sourceOf(c),
    score: c.discovery.score,
    file: c.discovery.provenance.file,
    line: c.discovery.provenance.line,
    verdict,
    reason,
    contract: c.discovery.contract as unknown as Record<string, JsonValue>,
  };
}

/** The verdicts on manifests' claims, from what resolveClaims made of them. */
function manifestRecords(claims: readonly Claim[], conflicts: readonly Conflict[]): ClaimRecord[] {
  const bySaddrConflict = new Map(conflicts.map((c) => [c.saddr, c]));
  const seen = new Set<string>();
  return claims.map((c) => {
    const conflict = bySaddrConflict.get(c.symbol.saddr);
    if (conflict === undefined) return manifestRecord(c, "won", "the only manifest on it");
    if (!conflict.identical)
      return manifestRecord(c, "conflict", "another manifest declares it differently");
    const first = !seen.has(c.symbol.saddr);
    seen.add(c.symbol.saddr);
    return first && c.symbol.source.file === conflict.files[0]
      ? manifestRecord(c, "won", "the first of identical manifests")
      : manifestRecord(c, "duplicate", `an identical copy of ${conflict.files[0]}`);
  });
}

interface AddressOutcome {
  readonly symbol?: CatalogSymbol;
  readonly conflict?: Conflict;
  readonly diagnostics: Diagnostic[];
  readonly records: ClaimRecord[];
}

/**
 * Discovered symbols by their contract and source as JSON: a watching panel's rescan builds
 * the same ones as the last but for the file edited, and each costs two canonical hashes
 * (contract and launch). Cleared when full, so a long-running panel keeps it bounded.
 */
const builtSymbols = new Map<string, CatalogSymbol>();
const BUILT_SYMBOLS_MAX = 20_000;

function discoveredSymbol(contract: XContract, source: CatalogSymbol["source"]): CatalogSymbol {
  const key = JSON.stringify([contract, source]);
  const known = builtSymbols.get(key);
  if (known !== undefined) return known;
  const built = symbolFromContract(contract, source);
  if (builtSymbols.size >= BUILT_SYMBOLS_MAX) builtSymbols.clear();
  builtSymbols.set(key, built);
  return built;
}

/** What the indexer claims on one address (no manifest there) come to. */
function resolveAddress(
  saddr: string,
  list: readonly IndexerClaim[],
  tagsOf: (symbol: CatalogSymbol) => Readonly<Record<string, string>>,
): AddressOutcome {
  const sorted = [...list].sort((a, b) => b.discovery.score - a.discovery.score || byPlace(a, b));
  const best = (sorted[0] as IndexerClaim).discovery.score;
  const top = sorted.filter((c) => c.discovery.score === best);
  const lower = sorted.filter((c) => c.discovery.score !== best);
  const leader = top[0] as IndexerClaim;
  const outranked = lower.map((c) =>
    indexerRecord(
      c,
      "outranked",
      `score ${c.discovery.score} < ${best} of ${sourceOf(leader)} at ${at(leader)}`,
    ),
  );
  const merged = mergeFields(top);
  if ("field" in merged) {
    const others = (c: IndexerClaim) =>
      top
        .filter((o) => o !== c)
        .map((o) => `${sourceOf(o)} at ${at(o)}`)
        .join(", ");
    const why = `${merged.field} differs between ${sourceOf(merged.a)} at ${at(merged.a)} and ${sourceOf(merged.b)} at ${at(merged.b)}, at the same score ${best}`;
    return {
      conflict: {
        saddr,
        files: [...new Set(top.map((c) => c.discovery.provenance.file))],
        identical: false,
      },
      diagnostics: top.map((c) => ({
        severity: "warning",
        code: "RTT_ERR_SCAN_CONFLICT",
        message: `${saddr} is also claimed by ${others(c)} with another ${merged.field}; neither is catalogued`,
        file: c.discovery.provenance.file,
        line: c.discovery.provenance.line,
        column: 1,
        hint: "write a manifest for it (`rtt adopt`), which outranks every indexer claim",
      })),
      records: [...top.map((c) => indexerRecord(c, "conflict", why)), ...outranked],
    };
  }
  // Sorted with the claims; one entry per place, should an indexer claim twice at one line.
  const places = new Map(top.map((c) => [`${c.indexer}\n${at(c)}`, c.discovery.provenance]));
  const provenance: SourceProvenance[] = [...places.values()];
  const origin = leader.discovery.provenance;
  const contract = reanchored(merged.contract, origin.file) as XContract;
  const found = discoveredSymbol(contract, {
    file: origin.file,
    line: origin.line,
    scanner: sourceOf(leader),
    score: best,
    provenance,
  });
  const symbol = withTags(found, tagsOf(found));
  const alone = top.length === 1;
  return {
    symbol,
    diagnostics: [],
    records: [
      ...top.map((c) =>
        indexerRecord(
          c,
          alone ? "won" : "merged",
          alone
            ? lower.length === 0
              ? "the only claim on it"
              : `the highest score, ${best}`
            : `merged with the other ${top.length - 1} claim(s) of score ${best}: no field differs`,
        ),
      ),
      ...outranked,
    ],
  };
}

/**
 * The files manifests run: each relative `x-run` word resolved against the manifest's working
 * folder (`x-cwd` from the manifest's folder), workspace-relative, with the manifest that runs
 * it. Words that are not paths simply match no file.
 */
function filesRunByManifests(manifests: readonly Claim[]): Map<string, string> {
  const run = new Map<string, string>();
  for (const { symbol } of manifests) {
    const argv = symbol.extensions?.["x-run"];
    if (!Array.isArray(argv)) continue;
    const cwd = symbol.extensions?.["x-cwd"];
    const base = posix.join(
      posix.dirname(symbol.source.file),
      typeof cwd === "string" && !posix.isAbsolute(cwd) ? cwd : ".",
    );
    for (const word of argv) {
      if (typeof word !== "string" || word === "" || posix.isAbsolute(word)) continue;
      const file = posix.normalize(posix.join(base, word));
      if (!run.has(file) || compareText(symbol.source.file, run.get(file) as string) < 0)
        run.set(file, symbol.source.file);
    }
  }
  return run;
}

/**
 * Manifests' claims and indexers' claims → the catalog's symbols and conflicts, what is wrong,
 * and every claim's verdict. `tagsOf`: the `.rtttags` tags for a discovered symbol.
 */
export function resolveAll(
  manifests: readonly Claim[],
  indexed: readonly IndexerClaim[],
  tagsOf: (symbol: CatalogSymbol) => Readonly<Record<string, string>>,
): Resolved {
  const fromManifests = resolveClaims(manifests);
  const declared = new Set(manifests.map((c) => c.symbol.saddr));
  const symbols = [...fromManifests.symbols];
  const conflicts = [...fromManifests.conflicts];
  const diagnostics = [...fromManifests.diagnostics];
  const claims = manifestRecords(manifests, fromManifests.conflicts);
  const byAddress = new Map<string, IndexerClaim[]>();
  for (const c of indexed) {
    const list = byAddress.get(c.saddr);
    if (list === undefined) byAddress.set(c.saddr, [c]);
    else list.push(c);
  }
  const run = filesRunByManifests(manifests);
  for (const [saddr, all] of byAddress) {
    if (declared.has(saddr)) {
      for (const c of [...all].sort(byPlace))
        claims.push(indexerRecord(c, "shadowed", "a manifest declares this address"));
      continue;
    }
    const list: IndexerClaim[] = [];
    for (const c of [...all].sort(byPlace)) {
      const runBy = run.get(c.discovery.provenance.file);
      if (runBy === undefined) list.push(c);
      else claims.push(indexerRecord(c, "shadowed", `the manifest ${runBy} runs this file`));
    }
    if (list.length === 0) continue;
    const outcome = resolveAddress(saddr, list, tagsOf);
    if (outcome.symbol !== undefined) symbols.push(outcome.symbol);
    if (outcome.conflict !== undefined) conflicts.push(outcome.conflict);
    diagnostics.push(...outcome.diagnostics);
    claims.push(...outcome.records);
  }
  symbols.sort(bySaddr);
  conflicts.sort(bySaddr);
  diagnostics.sort((a, b) => compareDiagnostics(a, b) || compareText(a.message, b.message));
  claims.sort(
    (a, b) =>
      compareText(a.saddr, b.saddr) ||
      b.score - a.score ||
      compareText(a.file, b.file) ||
      a.line - b.line ||
      compareText(a.source, b.source) ||
      compareText(canonicalJson(a.contract), canonicalJson(b.contract)),
  );
  return { symbols, conflicts, diagnostics, claims };
}

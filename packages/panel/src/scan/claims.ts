/**
 * The scan's last two steps before the catalog: merge tags (each manifest's symbol gets the tags
 * of the `.rtttags` sidecars in its folder and every folder above) and resolve address conflicts
 * (one address, one symbol).
 */
import {
  addressOf,
  type CatalogSymbol,
  canonicalJson,
  type Diagnostic,
  type TagRule,
  tagsFor,
  withTags,
} from "@rtt/core";
import { bySaddr, type Conflict } from "../catalog.ts";
import type { StateEntry } from "./scan-state.ts";

/** A symbol as one manifest declares it, tags merged, and where its address sits in that file. */
export interface Claim {
  readonly symbol: CatalogSymbol;
  readonly at: { readonly line: number; readonly column: number };
}

export interface TaggedClaims {
  readonly claims: readonly Claim[];
  /** Manifests read, valid or not. */
  readonly manifests: number;
  /** Folders with a `.rtttags` sidecar. */
  readonly sidecars: number;
}

function dirOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** Sidecar rules that cover a file: those of its folder and every folder above, outermost first. */
function coveringRules(rel: string, sidecars: ReadonlyMap<string, readonly TagRule[]>): TagRule[] {
  const dirs: string[] = [];
  for (let dir = dirOf(rel); ; dir = dirOf(dir)) {
    dirs.push(dir);
    if (dir === "") break;
  }
  return dirs.reverse().flatMap((d) => sidecars.get(d) ?? []);
}

/** The `.rtttags` rules read, by the folder they sit in. */
export function sidecarRules(
  files: Readonly<Record<string, StateEntry>>,
): Map<string, readonly TagRule[]> {
  const sidecars = new Map<string, readonly TagRule[]>();
  for (const [rel, entry] of Object.entries(files)) {
    if (entry.outcome.kind === "tags") sidecars.set(dirOf(rel), entry.outcome.rules);
  }
  return sidecars;
}

/** The tags the sidecars covering its source file give a symbol. */
export function sidecarTags(
  sidecars: ReadonlyMap<string, readonly TagRule[]>,
  symbol: CatalogSymbol,
): Record<string, string> {
  const rules = coveringRules(symbol.source.file, sidecars);
  return rules.length === 0 ? {} : tagsFor(rules, addressOf(symbol));
}

/** The claim of every valid manifest among the files read, with its sidecars' tags merged in. */
export function taggedClaims(files: Readonly<Record<string, StateEntry>>): TaggedClaims {
  const sidecars = sidecarRules(files);
  const claims: Claim[] = [];
  let manifests = 0;
  for (const entry of Object.values(files)) if (entry.outcome.kind === "manifest") manifests++;
  for (const [rel, entry] of Object.entries(files)) {
    const outcome = entry.outcome;
    if (outcome.kind !== "manifest" || outcome.symbol === undefined) continue;
    const rules = coveringRules(rel, sidecars);
    const symbol =
      rules.length === 0
        ? outcome.symbol
        : withTags(outcome.symbol, tagsFor(rules, addressOf(outcome.symbol)));
    claims.push({ symbol, at: outcome.saddr_at ?? { line: 1, column: 1 } });
  }
  return { claims, manifests, sidecars: sidecars.size };
}

/**
 * What makes two claims of one address the same symbol: the contract, and also what runs it (the
 * `x-` keys, outside the contract hash) and who vouches for it. A copy with another `x-run` or
 * another signer is a different program behind the same address, never a harmless duplicate.
 */
function difference(a: CatalogSymbol, b: CatalogSymbol): string | undefined {
  if (a.contract_hash !== b.contract_hash) return "a different contract";
  if (canonicalJson(a.extensions ?? {}) !== canonicalJson(b.extensions ?? {}))
    return "the same contract but different x- keys (another program behind it)";
  if (canonicalJson(a.signer ?? null) !== canonicalJson(b.signer ?? null))
    return "the same contract but another signer";
  return undefined;
}

/** One address, one symbol: identical claims keep the first path (warning); differing ones keep none (error). */
export function resolveClaims(claims: readonly Claim[]): {
  symbols: CatalogSymbol[];
  conflicts: Conflict[];
  diagnostics: Diagnostic[];
} {
  const byAddress = new Map<string, Claim[]>();
  for (const c of claims) {
    const list = byAddress.get(c.symbol.saddr);
    if (list === undefined) byAddress.set(c.symbol.saddr, [c]);
    else list.push(c);
  }
  const symbols: CatalogSymbol[] = [];
  const conflicts: Conflict[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [saddr, list] of byAddress) {
    const first = list[0] as Claim;
    if (list.length === 1) {
      symbols.push(first.symbol);
      continue;
    }
    const differs = list
      .map((c) => difference(c.symbol, first.symbol))
      .find((d) => d !== undefined);
    const identical = differs === undefined;
    const files = list.map((c) => c.symbol.source.file);
    conflicts.push({ saddr, files, identical });
    if (identical) symbols.push(first.symbol);
    for (const c of list) {
      if (identical && c === first) continue;
      const others = files.filter((f) => f !== c.symbol.source.file).join(", ");
      diagnostics.push({
        severity: identical ? "warning" : "error",
        code: "RTT_ERR_SCAN_CONFLICT",
        message: identical
          ? `${saddr} is also declared, identically, by ${others}; this copy is ignored`
          : `${saddr} is also declared by ${others} with ${differs}; neither is catalogued`,
        file: c.symbol.source.file,
        line: c.at.line,
        column: c.at.column,
        hint: identical
          ? "keep one manifest per address"
          : "give one of them another version or variant, or delete one",
      });
    }
  }
  symbols.sort(bySaddr);
  conflicts.sort(bySaddr);
  return { symbols, conflicts, diagnostics };
}

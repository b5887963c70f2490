/**
 * The scanner's side of the indexer contract (ADR 0026): run each wanting indexer's `read` on
 * one walked entry (the facts are cached by file stamp in the scan state), then every indexer's
 * `discover` over all its facts, keeping only claims that are valid symbol contracts. An
 * indexer that throws or makes a bad claim costs a warning, never the scan.
 */
import type { Stats } from "node:fs";
import {
  type Diagnostic,
  errorMessage,
  formatSaddr,
  type JsonValue,
  parseConcrete,
  RttError,
  validateDocument,
} from "@rtt/core";
import type { Discovery, FileFacts, IndexEntry, Indexer } from "./indexers/indexer.ts";
import { indexInput } from "./indexers/input.ts";
import { inVendoredFolder } from "./indexers/project-folder.ts";
import { inProjectNamespaces, projectsRead } from "./project-namespaces.ts";
import type { FileOutcome, StateEntry } from "./scan-state.ts";
import { scanWarning } from "./scan-warning.ts";
import type { WantsEntry } from "./walk.ts";
import { wantsLookup } from "./wants-lookup.ts";

/** One indexer claim, checked: its address in normal form, its score in (0, 1). */
export interface IndexerClaim {
  readonly indexer: string;
  readonly saddr: string;
  readonly discovery: Discovery;
}

/** A failed `read`: an RttError at its own position (malformed TOML…), anything else at the file. */
function readFailure(indexer: string, rel: string, error: unknown): Diagnostic {
  if (error instanceof RttError) {
    return scanWarning(
      error.position?.file ?? rel,
      error.code,
      `indexer ${indexer}: ${error.message}`,
      {
        ...(error.position === undefined
          ? {}
          : { line: error.position.line, column: error.position.column }),
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      },
    );
  }
  return scanWarning(
    rel,
    "RTT_ERR_SCAN_INDEXER",
    `indexer ${indexer} failed: ${errorMessage(error)}`,
  );
}

/**
 * Whether some indexer wants an entry, for the walk. Nothing under a folder of installed packages
 * is offered to any (inVendoredFolder). An indexer whose `wants` throws is asked no more in this
 * scan; `failures` gets one warning for it, at the entry it failed on.
 */
export function wantedBy(indexers: readonly Indexer[], failures: Diagnostic[]): WantsEntry {
  const broken = new Set<string>();
  const lookup = wantsLookup(indexers);
  return (entry) => {
    const asked = lookup.askFor(entry.name, entry.kind);
    // The name first: most files are asked of no indexer, and the folder test walks the path.
    if (asked.length === 0 || inVendoredFolder(entry.rel)) return false;
    let wanted = false;
    for (const indexer of asked) {
      if (broken.has(indexer.name)) continue;
      try {
        wanted = indexer.wants(entry) || wanted;
      } catch (error) {
        broken.add(indexer.name);
        failures.push(
          scanWarning(
            entry.rel,
            "RTT_ERR_SCAN_INDEXER",
            `indexer ${indexer.name} failed to say whether it reads this file: ${errorMessage(error)}; it was asked about no other file in this scan`,
          ),
        );
      }
    }
    return wanted;
  };
}

/** `wants`, false when it throws (the walk reported that already). */
export function wantsSafely(indexer: Indexer, entry: IndexEntry): boolean {
  try {
    return indexer.wants(entry);
  } catch {
    return false;
  }
}

/** What every indexer that wants `entry` reads in it. */
export async function readIndexed(
  entry: IndexEntry,
  stats: Stats,
  limit: number,
  indexers: readonly Indexer[],
): Promise<Extract<FileOutcome, { kind: "indexed" }>> {
  const input = indexInput(entry, stats, limit);
  const facts: Record<string, readonly JsonValue[]> = {};
  const diagnostics: Diagnostic[] = [];
  for (const indexer of indexers) {
    if (!wantsSafely(indexer, entry)) continue;
    try {
      const found = await indexer.read(input);
      // Facts live in the scan state as JSON: a round trip keeps a cached scan identical to a
      // cold one (no undefined, no class instances).
      if (found.length > 0) facts[indexer.name] = JSON.parse(JSON.stringify(found));
    } catch (error) {
      diagnostics.push(readFailure(indexer.name, entry.rel, error));
    }
  }
  return { kind: "indexed", facts, diagnostics };
}

/**
 * Verdicts on claims' contracts by their JSON text: a watching panel's rescan makes the same
 * claims as the last one but for the file edited, and checking each against the manifest schema
 * (parsing it with positions first) was a fifth of that rescan. Cleared when full, so a panel
 * that runs for long keeps it bounded.
 */
const contractVerdicts = new Map<string, string | undefined>();
const CONTRACT_VERDICTS_MAX = 20_000;

/** Why a claim is not a symbol, or undefined when it is one. */
function invalidity(d: Discovery): string | undefined {
  if (typeof d.score !== "number" || !(d.score > 0 && d.score < 1))
    return `its score ${String(d.score)} is not between 0 and 1 (1 is a manifest's)`;
  const text = JSON.stringify({ symbol: d.contract });
  if (contractVerdicts.has(text)) return contractVerdicts.get(text);
  const checked = validateDocument("manifest", text, "claim");
  const why = checked.ok ? undefined : checked.diagnostics.map((x) => x.message).join("; ");
  if (contractVerdicts.size >= CONTRACT_VERDICTS_MAX) contractVerdicts.clear();
  contractVerdicts.set(text, why);
  return why;
}

function wellPlaced(d: Discovery): boolean {
  const p = d.provenance as Partial<Discovery["provenance"]> | undefined;
  return (
    typeof p?.file === "string" &&
    p.file !== "" &&
    Number.isInteger(p.line) &&
    (p.line as number) >= 1
  );
}

/**
 * Every claim the indexers make over the files read, each stamped with its indexer's name
 * (whatever the indexer wrote in its provenance) and addressed in its project's namespace;
 * invalid ones are reported and dropped.
 */
export function discoverClaims(
  files: Readonly<Record<string, StateEntry>>,
  indexers: readonly Indexer[],
): { claims: IndexerClaim[]; diagnostics: Diagnostic[] } {
  const claims: IndexerClaim[] = [];
  const diagnostics: Diagnostic[] = [];
  const rels = Object.keys(files).sort();
  for (const indexer of indexers) {
    const own: FileFacts<JsonValue>[] = [];
    for (const rel of rels) {
      const outcome = files[rel]?.outcome;
      const facts = outcome?.kind === "indexed" ? outcome.facts[indexer.name] : undefined;
      if (facts !== undefined) own.push({ rel, facts });
    }
    if (own.length === 0) continue;
    let found: readonly Discovery[];
    try {
      found = indexer.discover(own);
    } catch (error) {
      diagnostics.push(
        scanWarning(
          own[0]?.rel ?? ".",
          "RTT_ERR_SCAN_INDEXER",
          `indexer ${indexer.name} failed to make claims from what it read: ${errorMessage(error)}`,
        ),
      );
      continue;
    }
    checkClaims(indexer.name, found, own[0]?.rel ?? ".", claims, diagnostics);
  }
  return { claims: inProjectNamespaces(claims, projectsRead(files)), diagnostics };
}

/**
 * Keeps the valid claims among `found` (made by `indexer`), each in normal form and stamped with
 * the indexer's name; reports the others at their file (else `fallback`) and drops them.
 */
export function checkClaims(
  indexer: string,
  found: readonly Discovery[],
  fallback: string,
  claims: IndexerClaim[],
  diagnostics: Diagnostic[],
): void {
  for (const d of found) {
    const file = wellPlaced(d) ? d.provenance.file : fallback;
    const line = wellPlaced(d) ? d.provenance.line : 1;
    const why = wellPlaced(d) ? invalidity(d) : "it names no file and line it came from";
    if (why !== undefined) {
      diagnostics.push(
        scanWarning(
          file,
          "RTT_ERR_SCAN_INDEXER",
          `indexer ${indexer} made an invalid claim${typeof d.contract?.saddr === "string" ? ` on ${d.contract.saddr}` : ""}: ${why}; left out`,
          { line, hint: "this is a bug in the indexer; a manifest for the symbol works meanwhile" },
        ),
      );
      continue;
    }
    claims.push({
      indexer,
      saddr: formatSaddr(parseConcrete(d.contract.saddr)),
      discovery: { ...d, provenance: { indexer, file, line } },
    });
  }
}

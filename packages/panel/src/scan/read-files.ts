/**
 * The scan's read step: every walked candidate new or changed since the last scan (by its size,
 * mtime and inode) is read — a manifest or sidecar parsed, an indexed entry given to the
 * indexers that want it — and every other one recalled from the scan state.
 */
import { type Stats, statSync } from "node:fs";
import {
  type Diagnostic,
  extensionKeyWarnings,
  parseRttTags,
  RttError,
  symbolFromContract,
  validateDocument,
} from "@rtt/core";
import type { TrustedKey } from "../trust/keys.ts";
import { errorText } from "./fs-error-text.ts";
import { wantedByStale } from "./indexer-revisions.ts";
import type { Indexer } from "./indexers/indexer.ts";
import { readIndexed } from "./indexing.ts";
import {
  describeNonRegular,
  readCandidate,
  readCandidateWithStats,
  tooLarge,
} from "./read-candidate.ts";
import { type FileOutcome, type ScanState, type StateEntry, sameStamp } from "./scan-state.ts";
import { signerOf } from "./signatures.ts";
import type { Candidate } from "./walk.ts";

export function diagnosticFrom(error: RttError, file: string): Diagnostic {
  return {
    severity: "error",
    code: error.code,
    message: error.message,
    file: error.position?.file ?? file,
    line: error.position?.line ?? 1,
    column: error.position?.column ?? 1,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  };
}

function evaluate(
  candidate: Candidate,
  text: string,
  keys: ReadonlyMap<string, TrustedKey>,
): FileOutcome {
  if (candidate.kind === "tags") {
    const { rules, diagnostics } = parseRttTags(text, candidate.rel);
    return { kind: "tags", rules, diagnostics };
  }
  const result = validateDocument("manifest", text, candidate.rel);
  if (!result.ok) return { kind: "manifest", diagnostics: result.diagnostics };
  const signed = signerOf(result.document.value, result.document, candidate.rel, keys);
  if ("failure" in signed) return { kind: "manifest", diagnostics: [signed.failure] };
  const symbol = symbolFromContract(result.value.symbol, {
    file: candidate.rel,
    scanner: "manifest",
    score: 1,
  });
  return {
    kind: "manifest",
    symbol: signed.signer === undefined ? symbol : { ...symbol, signer: signed.signer },
    saddr_at: result.document.locate(["symbol", "saddr"]),
    // Kept with the outcome, so a rescan that recalls the file repeats them.
    diagnostics: extensionKeyWarnings(result.document),
  };
}

/** What reading one candidate needs besides the candidate. */
export interface ReadContext {
  /** scan.max_manifest_bytes: manifests over it are refused, indexers' `text()` throws. */
  readonly limit: number;
  readonly keys: ReadonlyMap<string, TrustedKey>;
  readonly indexers: readonly Indexer[];
  /** Indexers new or revised since the scan state was written: files they want are read again. */
  readonly stale: readonly Indexer[];
  /**
   * The paths a watcher reported changed, when every other candidate is known unchanged since
   * the scan state was written: those are recalled without a stat.
   */
  readonly reported?: ReadonlySet<string>;
}

type Outcome = { entry: StateEntry; reread: boolean } | { failure: Diagnostic } | undefined;

/** Reads (or recalls) one candidate. Returns undefined when it vanished mid-scan. */
async function outcomeOf(
  candidate: Candidate,
  previous: StateEntry | undefined,
  context: ReadContext,
): Promise<Outcome> {
  const reported = context.reported;
  if (
    reported !== undefined &&
    previous !== undefined &&
    previous.outcome.kind === candidate.kind &&
    !reported.has(candidate.rel)
  ) {
    return { entry: previous, reread: false };
  }
  if (previous === undefined && candidate.kind !== "indexed") {
    const fresh = readFresh(candidate, context);
    if (fresh !== undefined) return fresh;
  }
  let stats: Stats;
  try {
    stats = statSync(candidate.abs);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    return {
      failure: diagnosticFrom(
        new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: ${errorText(error)}`),
        candidate.rel,
      ),
    };
  }
  const indexed = candidate.kind === "indexed";
  if (!indexed && !stats.isFile()) {
    return {
      failure: diagnosticFrom(
        new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: it is ${describeNonRegular(stats)}`),
        candidate.rel,
      ),
    };
  }
  // An indexer may read only the head of a large file (a shebang), so only manifests and
  // sidecars are refused by size here; an indexer's `text()` refuses by itself.
  if (!indexed && stats.size > context.limit) {
    return {
      failure: diagnosticFrom(tooLarge(candidate.rel, stats.size, context.limit), candidate.rel),
    };
  }
  const stamp = { size: stats.size, mtime_ms: stats.mtimeMs, ino: stats.ino, mode: stats.mode };
  if (
    previous !== undefined &&
    previous.outcome.kind === candidate.kind &&
    sameStamp(previous, stamp)
  ) {
    return { entry: previous, reread: false };
  }
  if (candidate.kind === "indexed") {
    const outcome = await readIndexed(candidate.entry, stats, context.limit, context.indexers);
    return { entry: { ...stamp, outcome }, reread: true };
  }
  try {
    const text = readCandidate(candidate.abs, candidate.rel, context.limit);
    return { entry: { ...stamp, outcome: evaluate(candidate, text, context.keys) }, reread: true };
  } catch (error) {
    if (error instanceof RttError) return { failure: diagnosticFrom(error, candidate.rel) };
    throw error;
  }
}

/**
 * A manifest or sidecar the last scan did not read, read at once: its stamp is the stat of the
 * open file, so a cold scan stats each file once, not twice. Undefined when the read fails: the
 * stat-first path then says why, as it always has (a socket cannot even be opened).
 */
function readFresh(candidate: Candidate, context: ReadContext): Outcome {
  let read: { readonly text: string; readonly stats: Stats };
  try {
    read = readCandidateWithStats(candidate.abs, candidate.rel, context.limit);
  } catch (error) {
    if (error instanceof RttError) return undefined;
    throw error;
  }
  const { text, stats } = read;
  const stamp = { size: stats.size, mtime_ms: stats.mtimeMs, ino: stats.ino, mode: stats.mode };
  try {
    return { entry: { ...stamp, outcome: evaluate(candidate, text, context.keys) }, reread: true };
  } catch (error) {
    if (error instanceof RttError) return { failure: diagnosticFrom(error, candidate.rel) };
    throw error;
  }
}

/** What the scan state remembers of a candidate, unless a stale indexer read it (or should). */
function recallable(
  candidate: Candidate,
  remembered: ScanState["files"],
  context: ReadContext,
): StateEntry | undefined {
  const previous = remembered[candidate.rel];
  if (previous === undefined || candidate.kind !== "indexed" || context.stale.length === 0)
    return previous;
  return wantedByStale(context.stale, candidate.entry) ? undefined : previous;
}

export interface CandidatesRead {
  /** What each candidate produced, by path; those that vanished mid-scan or failed are absent. */
  readonly files: Record<string, StateEntry>;
  readonly reread: number;
  readonly cached: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads every candidate new or changed since the last scan; recalls the rest from its state. */
export async function readCandidates(
  candidates: readonly Candidate[],
  remembered: ScanState["files"],
  context: ReadContext,
): Promise<CandidatesRead> {
  const diagnostics: Diagnostic[] = [];
  const files: Record<string, StateEntry> = {};
  let reread = 0;
  let cached = 0;
  for (const candidate of candidates) {
    const result = await outcomeOf(candidate, recallable(candidate, remembered, context), context);
    if (result === undefined) continue;
    if ("failure" in result) {
      diagnostics.push(result.failure);
      continue;
    }
    files[candidate.rel] = result.entry;
    if (result.reread) reread++;
    else cached++;
    diagnostics.push(...result.entry.outcome.diagnostics);
  }
  return { files, reread, cached, diagnostics };
}

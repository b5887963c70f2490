/**
 * `rtt scan`: walk → read what changed → validate → merge tags → resolve address conflicts →
 * write the catalog atomically. Bad manifests are reported and skipped; the scan goes on.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { refuseLinks } from "@rtt/connector-sdk";
import {
  type CatalogSymbol,
  compareDiagnostics,
  type Diagnostic,
  LineIndex,
  parseRttTags,
  RttError,
  symbolFromContract,
  validateDocument,
} from "@rtt/core";
import { CATALOG_FORMAT, type Catalog, type Conflict, writeCatalog } from "../catalog.ts";
import { manifestTrust } from "../router/steps.ts";
import type { TrustedKey } from "../trust/keys.ts";
import {
  loadPanelConfig,
  type ResolvedConfig,
  relativeToRoot,
  resolveConfig,
  type WorkspacePaths,
} from "../workspace/workspace.ts";
import { resolveClaims, taggedClaims } from "./claims.ts";
import { describeNonRegular, readCandidate, tooLarge } from "./read-candidate.ts";
import {
  type FileOutcome,
  type FileStamp,
  readScanState,
  SCAN_STATE_FORMAT,
  type ScanState,
  type StateEntry,
  sameStamp,
  stampOf,
  writeScanState,
} from "./scan-state.ts";
import { type ScanTrust, scanTrust, signerOf, strictWarnings } from "./signatures.ts";
import { type Candidate, errorText, type WalkResult, walk } from "./walk.ts";
import type { WalkMemo } from "./walk-memo.ts";

export interface ScanProgress {
  readonly phase: "walk" | "read";
  readonly files: number;
  readonly dirs: number;
}

export interface ScanOptions {
  readonly onProgress?: (progress: ScanProgress) => void;
  /**
   * A watcher's rescan: what changed since its last scan, and its memory of that scan's walk,
   * reused when only files the walk yielded changed (walk-memo.ts).
   */
  readonly watched?: { readonly memo: WalkMemo; readonly changed: readonly string[] };
}

export interface ScanReport {
  readonly root: string;
  readonly files: number;
  readonly dirs: number;
  readonly manifests: number;
  readonly sidecars: number;
  /** Candidates read this run (new or changed since the last scan). */
  readonly reread: number;
  /** Candidates whose cached outcome was reused. */
  readonly cached: number;
  readonly symbols: readonly CatalogSymbol[];
  readonly conflicts: readonly Conflict[];
  readonly diagnostics: readonly Diagnostic[];
  readonly catalogWritten: boolean;
  /** panel.yaml was invalid, so nothing was walked and the catalog was left as it was. */
  readonly stopped: boolean;
  readonly errors: number;
  readonly warnings: number;
}

function diagnosticFrom(error: RttError, file: string): Diagnostic {
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
    diagnostics: [],
  };
}

/** Reads (or recalls) one candidate. Returns undefined when it vanished mid-scan. */
function outcomeOf(
  candidate: Candidate,
  previous: StateEntry | undefined,
  limit: number,
  keys: ReadonlyMap<string, TrustedKey>,
): { entry: StateEntry; reread: boolean } | { failure: Diagnostic } | undefined {
  let stats: ReturnType<typeof statSync>;
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
  if (!stats.isFile()) {
    return {
      failure: diagnosticFrom(
        new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: it is ${describeNonRegular(stats)}`),
        candidate.rel,
      ),
    };
  }
  if (stats.size > limit)
    return { failure: diagnosticFrom(tooLarge(candidate.rel, stats.size, limit), candidate.rel) };
  const stamp = { size: stats.size, mtime_ms: stats.mtimeMs, ino: stats.ino };
  if (
    previous !== undefined &&
    previous.outcome.kind === candidate.kind &&
    sameStamp(previous, stamp)
  ) {
    return { entry: previous, reread: false };
  }
  try {
    const text = readCandidate(candidate.abs, candidate.rel, limit);
    return { entry: { ...stamp, outcome: evaluate(candidate, text, keys) }, reread: true };
  } catch (error) {
    if (error instanceof RttError) return { failure: diagnosticFrom(error, candidate.rel) };
    throw error;
  }
}

/** panel.yaml as this scan uses it: recalled from the scan state while its stamp is unchanged. */
interface ScanConfig {
  readonly config: ResolvedConfig;
  readonly diagnostics: readonly Diagnostic[];
  /** panel.yaml's stamp now; undefined when there is none. */
  readonly stamp: FileStamp | undefined;
  /** panel.yaml is as the last scan saw it (or absent both times). */
  readonly unchanged: boolean;
}

function scanConfigOf(paths: WorkspacePaths, previous: ScanState): ScanConfig {
  const stamp = stampOf(paths.panelConfig);
  const remembered = previous.config;
  const unchanged =
    stamp === undefined
      ? remembered === undefined
      : remembered !== undefined && sameStamp(remembered, stamp);
  const { config, diagnostics } =
    unchanged && remembered !== undefined
      ? { config: resolveConfig(paths, remembered.raw), diagnostics: [] }
      : loadPanelConfig(paths);
  return { config, diagnostics, stamp, unchanged };
}

function walkScanRoots(
  paths: WorkspacePaths,
  scan: ResolvedConfig["scan"],
  onProgress: ScanOptions["onProgress"],
): WalkResult {
  return walk({
    root: paths.root,
    roots: scan.roots,
    ignore: scan.ignore,
    followSymlinks: scan.followSymlinks,
    ...(onProgress === undefined
      ? {}
      : { onProgress: (files, dirs) => onProgress({ phase: "walk", files, dirs }) }),
  });
}

interface CandidatesRead {
  /** What each candidate produced, by path; those that vanished mid-scan or failed are absent. */
  readonly files: Record<string, StateEntry>;
  readonly reread: number;
  readonly cached: number;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads every candidate new or changed since the last scan; recalls the rest from its state. */
function readCandidates(
  candidates: readonly Candidate[],
  remembered: ScanState["files"],
  limit: number,
  keys: ReadonlyMap<string, TrustedKey>,
): CandidatesRead {
  const diagnostics: Diagnostic[] = [];
  const files: Record<string, StateEntry> = {};
  let reread = 0;
  let cached = 0;
  for (const candidate of candidates) {
    const result = outcomeOf(candidate, remembered[candidate.rel], limit, keys);
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

/**
 * What the catalog is a function of: the files read, panel.yaml, the trusted keys and what the
 * walk reported.
 */
interface CatalogInputs {
  readonly read: CandidatesRead;
  readonly config: ScanConfig;
  /** ScanTrust.digest: the keys every signature verdict was reached with. */
  readonly trust: string;
  /** The walk's own diagnostics, as JSON. */
  readonly walkReport: string;
}

/** The catalog file is as the last scan left it: one edited, damaged or deleted since is rewritten. */
function catalogIntact(paths: WorkspacePaths, previous: ScanState): boolean {
  const stamp = stampOf(paths.catalog);
  return (
    stamp !== undefined && previous.catalog !== undefined && sameStamp(previous.catalog, stamp)
  );
}

function inputsUnchanged(previous: ScanState, inputs: CatalogInputs): boolean {
  const fileList = Object.keys(inputs.read.files).join("\n");
  return (
    inputs.read.reread === 0 &&
    inputs.config.unchanged &&
    inputs.trust === previous.trust &&
    fileList === Object.keys(previous.files).join("\n") &&
    inputs.walkReport === previous.walk_report
  );
}

/**
 * Builds the catalog, writes it when its text differs from the last one written (or that file
 * was touched since), and records this scan's state. Returns whether the catalog was written.
 */
function rebuildCatalog(
  paths: WorkspacePaths,
  previous: ScanState,
  inputs: CatalogInputs,
  content: Omit<Catalog, "format">,
  intact: boolean,
): boolean {
  const catalog: Catalog = { format: CATALOG_FORMAT, ...content };
  const catalogText = `${JSON.stringify(catalog, null, 2)}\n`;
  const catalogHash = createHash("sha256").update(catalogText).digest("hex");
  const catalogWritten = catalogHash !== previous.catalog_hash || !intact;
  if (catalogWritten) writeCatalog(paths.catalog, catalogText);
  const written = stampOf(paths.catalog);
  const configStamp = inputs.config.stamp;
  writeScanState(paths.scanState, {
    format: SCAN_STATE_FORMAT,
    catalog_hash: catalogHash,
    ...(written === undefined ? {} : { catalog: written }),
    ...(configStamp === undefined
      ? {}
      : { config: { ...configStamp, raw: inputs.config.config.raw } }),
    walk_report: inputs.walkReport,
    trust: inputs.trust,
    files: inputs.read.files,
  });
  return catalogWritten;
}

/**
 * Rebuilds the catalog unless neither it nor what it is built from changed since the last scan.
 * Returns whether the catalog file was written.
 */
function refreshCatalog(
  paths: WorkspacePaths,
  previous: ScanState,
  inputs: CatalogInputs,
  content: Omit<Catalog, "format">,
): boolean {
  // The catalog is a function of the files read, panel.yaml and what the walk reported. When
  // none of them changed, neither did it: skip building and hashing its text (a warm scan's
  // largest cost after the walk itself).
  const intact = catalogIntact(paths, previous);
  if (intact && inputsUnchanged(previous, inputs)) return false;
  return rebuildCatalog(paths, previous, inputs, content, intact);
}

export function scanWorkspace(paths: WorkspacePaths, options: ScanOptions = {}): ScanReport {
  // A linked .rtt/cache would have the scan read its memory from, and write the catalog to,
  // wherever the link points: refuse before touching either.
  const linked = cacheLinked(paths);
  if (linked !== undefined) return emptyReport(paths, [linked]);
  const previous = readScanState(paths.scanState);
  const scanConfig = scanConfigOf(paths, previous);
  if (scanConfig.diagnostics.length > 0) {
    // A broken panel.yaml could mean a wrong ignore list; scanning with defaults would
    // silently catalog the wrong tree. Refuse and say why.
    return emptyReport(paths, scanConfig.diagnostics);
  }
  const scan = scanConfig.config.scan;
  // A scan root that is not there is a typo in panel.yaml: scanning the rest would replace the
  // catalog with one missing that root's symbols.
  const missing = missingRoots(paths, scan.roots);
  if (missing.length > 0) return emptyReport(paths, missing);
  // A trust file that is not a key could mean a signer wrongly distrusted: refuse, as above.
  const trust: ScanTrust | { failure: Diagnostic } = scanTrust(paths);
  if ("failure" in trust) return emptyReport(paths, [trust.failure]);
  const { watched } = options;
  const walked =
    (scanConfig.unchanged ? watched?.memo.reuse(watched.changed) : undefined) ??
    walkScanRoots(paths, scan, options.onProgress);
  watched?.memo.remember(walked);
  // Signature verdicts cached under other trusted keys are stale: read every file again.
  const remembered = previous.trust === trust.digest ? previous.files : {};
  const read = readCandidates(walked.candidates, remembered, scan.maxManifestBytes, trust.keys);
  const tagged = taggedClaims(read.files);
  const resolved = resolveClaims(tagged.claims);
  const diagnostics = [
    ...walked.diagnostics,
    ...read.diagnostics,
    ...resolved.diagnostics,
    ...strictWarnings(manifestTrust(scanConfig.config.raw.security), resolved.symbols),
  ];
  diagnostics.sort(compareDiagnostics);

  const catalogWritten = refreshCatalog(
    paths,
    previous,
    {
      read,
      config: scanConfig,
      trust: trust.digest,
      walkReport: JSON.stringify(walked.diagnostics),
    },
    { symbols: resolved.symbols, conflicts: resolved.conflicts, diagnostics },
  );
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    root: paths.root,
    files: walked.files,
    dirs: walked.dirs,
    manifests: tagged.manifests,
    sidecars: tagged.sidecars,
    reread: read.reread,
    cached: read.cached,
    symbols: resolved.symbols,
    conflicts: resolved.conflicts,
    diagnostics,
    catalogWritten,
    stopped: false,
    errors,
    warnings: diagnostics.length - errors,
  };
}

/** The scan cache's files or folders are symbolic links: an error saying which. */
function cacheLinked(paths: WorkspacePaths): Diagnostic | undefined {
  try {
    refuseLinks(paths.scanState);
    refuseLinks(paths.catalog);
    return undefined;
  } catch (error) {
    if (!(error instanceof RttError)) throw error;
    return diagnosticFrom(error, relativeToRoot(paths, paths.cache));
  }
}

/** A diagnostic for each of panel.yaml's scan roots that is not a folder, at its line there. */
function missingRoots(paths: WorkspacePaths, roots: readonly string[]): Diagnostic[] {
  const bad = roots.filter((r) => {
    try {
      return !statSync(join(paths.root, r)).isDirectory();
    } catch {
      return true;
    }
  });
  if (bad.length === 0) return [];
  let text = "";
  try {
    text = readFileSync(paths.panelConfig, "utf8");
  } catch {
    // No panel.yaml: the default root is the workspace itself, which exists.
  }
  const lines = new LineIndex(text);
  return bad.map((r) => {
    const at = text.indexOf(r);
    return {
      severity: "error",
      code: "RTT_ERR_SCAN_UNREADABLE",
      message: `scan root ${JSON.stringify(r)} is not a folder under ${paths.root}`,
      file: relativeToRoot(paths, paths.panelConfig),
      ...(at < 0 ? { line: 1, column: 1 } : lines.locate(at)),
      hint: "fix scan.roots in panel.yaml; the catalog was left as it was",
    };
  });
}

function emptyReport(paths: WorkspacePaths, diagnostics: readonly Diagnostic[]): ScanReport {
  return {
    root: paths.root,
    files: 0,
    dirs: 0,
    manifests: 0,
    sidecars: 0,
    reread: 0,
    cached: 0,
    symbols: [],
    conflicts: [],
    diagnostics,
    catalogWritten: false,
    stopped: true,
    errors: diagnostics.length,
    warnings: 0,
  };
}

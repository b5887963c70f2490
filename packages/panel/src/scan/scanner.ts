/**
 * `rtt scan`: walk → read what changed (manifests, sidecars, and what indexers want) → validate
 * → merge tags → let indexers claim → resolve each address to one symbol (merge.ts) → write the
 * catalog atomically. Bad manifests and failing indexers are reported; the scan goes on.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { refuseLinks } from "@rtt/connector-sdk/state-files.ts";
import {
  type CatalogSymbol,
  compareDiagnostics,
  type Diagnostic,
  LineIndex,
  RttError,
} from "@rtt/core";
import type { FolderLister } from "@rtt/fabric/folder-lister.ts";
import { CATALOG_FORMAT, type Catalog, type Conflict, readCatalog } from "../catalog.ts";
import { manifestTrust } from "../router/steps.ts";
// Not through catalog.ts: its readers (`rtt ls routes`) write nothing and load no writer.
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import {
  loadPanelConfig,
  type ResolvedConfig,
  relativeToRoot,
  resolveConfig,
  type WorkspacePaths,
} from "../workspace/workspace.ts";
import { sidecarRules, sidecarTags, taggedClaims } from "./claims.ts";
import { probedClaims } from "./driver-claims.ts";
import {
  type IndexerKey,
  indexerKeyOf,
  sameIndexerKey,
  staleIndexers,
} from "./indexer-revisions.ts";
import type { Indexer } from "./indexers/indexer.ts";
import { INDEXERS } from "./indexers/registry.ts";
import { discoverClaims, type IndexerClaim, wantedBy } from "./indexing.ts";
import { type ClaimRecord, resolveAll } from "./merge.ts";
import { type CandidatesRead, diagnosticFrom, readCandidates } from "./read-files.ts";
import {
  type FileStamp,
  readScanState,
  SCAN_STATE_FORMAT,
  type ScanState,
  sameStamp,
  stampOf,
  writeScanState,
  writtenHere,
} from "./scan-state.ts";
import { type ScanTrust, scanTrust, strictWarnings } from "./signatures.ts";
import { type GitMemo, newGitMemo } from "./vcs/git-tags.ts";
import { type GitState, gitDigestOf, withGitTags } from "./vcs/symbol-tags.ts";
import { type WalkResult, walk } from "./walk.ts";
import type { WalkMemo } from "./walk-memo.ts";
import { declaredNames } from "./wants-lookup.ts";

export interface ScanProgress {
  readonly phase: "walk" | "read";
  readonly files: number;
  readonly dirs: number;
}

export interface ScanOptions {
  readonly onProgress?: (progress: ScanProgress) => void;
  /** The indexers to run; the registry's (INDEXERS) when absent. Tests pass their own. */
  readonly indexers?: readonly Indexer[];
  /**
   * A watcher's rescan: what changed since its last scan, and its memory of that scan's walk,
   * reused when only files the walk yielded changed (walk-memo.ts).
   */
  readonly watched?: { readonly memo: WalkMemo; readonly changed: readonly string[] };
  /**
   * A folder lister started before the scanner's modules loaded (walk-listing.ts), so folders
   * are listed meanwhile: the walk takes it over when it lists the scan's roots. The scan closes
   * it, walking or not.
   */
  readonly lister?: FolderLister;
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
  /** Every claim on every address and what became of it, for `rtt scan --explain` (ADR 0026). */
  readonly claims: readonly ClaimRecord[];
  readonly diagnostics: readonly Diagnostic[];
  readonly catalogWritten: boolean;
  /** panel.yaml was invalid, so nothing was walked and the catalog was left as it was. */
  readonly stopped: boolean;
  readonly errors: number;
  readonly warnings: number;
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

/** The walk, its own diagnostics followed by any indexer's failing `wants`. */
function walkScanRoots(
  paths: WorkspacePaths,
  scan: ResolvedConfig["scan"],
  options: ScanOptions,
  indexers: readonly Indexer[],
): WalkResult {
  const { onProgress, lister } = options;
  const failures: Diagnostic[] = [];
  const walked = walk({
    root: paths.root,
    roots: scan.roots,
    ignore: scan.ignore,
    followSymlinks: scan.followSymlinks,
    ...(lister === undefined ? {} : { lister }),
    ...(indexers.length === 0
      ? {}
      : { wants: wantedBy(indexers, failures), wanted: declaredNames(indexers) }),
    ...(onProgress === undefined
      ? {}
      : { onProgress: (files, dirs) => onProgress({ phase: "walk", files, dirs }) }),
  });
  return { ...walked, diagnostics: [...walked.diagnostics, ...failures] };
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
  /** The indexers and their revisions: the facts were read by these. */
  readonly indexers: IndexerKey;
  /** The walk's own diagnostics, as JSON. */
  readonly walkReport: string;
  /** What workspace drivers' Probe claimed and warned of, as JSON. */
  readonly outside: string;
}

/** The catalog file is as the last scan left it: one edited, damaged or deleted since is rewritten. */
function catalogIntact(paths: WorkspacePaths, previous: ScanState): boolean {
  const stamp = stampOf(paths.catalog);
  return (
    stamp !== undefined && previous.catalog !== undefined && sameStamp(previous.catalog, stamp)
  );
}

/**
 * The catalog as the last scan wrote it, when nothing it is built from changed since: the files
 * read, panel.yaml, the keys, the indexers, the walk's report, Probe's claims, and the git state
 * of the folders its symbols sit in. Undefined when something did (or the file cannot be read):
 * the scan then builds it anew. Skipping `discover`, the merge and the git tags is most of a warm
 * scan's time after the walk.
 */
function keptCatalog(
  paths: WorkspacePaths,
  previous: ScanState,
  inputs: CatalogInputs,
  memo: GitMemo,
): Catalog | undefined {
  const git = previous.git;
  if (git === undefined || !catalogIntact(paths, previous) || !inputsUnchanged(previous, inputs))
    return undefined;
  if (gitDigestOf(paths.root, git.folders, memo) !== git.digest) return undefined;
  try {
    return readCatalog(paths.catalog);
  } catch {
    return undefined;
  }
}

function inputsUnchanged(previous: ScanState, inputs: CatalogInputs): boolean {
  const fileList = Object.keys(inputs.read.files).join("\n");
  return (
    inputs.read.reread === 0 &&
    inputs.config.unchanged &&
    inputs.trust === previous.trust &&
    sameIndexerKey(previous.indexers, inputs.indexers) &&
    inputs.outside === previous.outside &&
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
  git: GitState,
  content: Omit<Catalog, "format">,
  intact: boolean,
): boolean {
  const catalog: Catalog = { format: CATALOG_FORMAT, ...content };
  const catalogText = `${JSON.stringify(catalog, null, 2)}\n`;
  const catalogHash = createHash("sha256").update(catalogText).digest("hex");
  const catalogWritten = catalogHash !== previous.catalog_hash || !intact;
  if (catalogWritten) writeFileAtomic(paths.catalog, catalogText);
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
    indexers: inputs.indexers,
    outside: inputs.outside,
    git,
    files: inputs.read.files,
  });
  return catalogWritten;
}

export async function scanWorkspace(
  paths: WorkspacePaths,
  options: ScanOptions = {},
): Promise<ScanReport> {
  try {
    return await scanWith(paths, options);
  } finally {
    options.lister?.close();
  }
}

async function scanWith(paths: WorkspacePaths, options: ScanOptions): Promise<ScanReport> {
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
  const indexers = options.indexers ?? INDEXERS;
  const indexerKey = indexerKeyOf(indexers, paths.root);
  const { watched } = options;
  const reused = scanConfig.unchanged ? watched?.memo.reuse(watched.changed) : undefined;
  const walked = reused ?? walkScanRoots(paths, scan, options, indexers);
  watched?.memo.remember(walked);
  // Signature verdicts cached under other trusted keys are stale, and so are facts read in a
  // workspace since moved or by an indexer since gone: read every file again. Facts of an
  // indexer new or revised since are stale too, but only in the files it wants.
  const stale = staleIndexers(previous.indexers, indexerKey, indexers);
  const remembered = previous.trust === trust.digest && stale !== "all" ? previous.files : {};
  // A watcher's rescan that reuses its walk, over the state it wrote itself, stats only the files
  // the watcher reported: every other one is as that scan saw it (the walk memo's premise).
  const reported =
    reused !== undefined && watched !== undefined && writtenHere(previous)
      ? new Set(watched.changed)
      : undefined;
  const read = await readCandidates(walked.candidates, remembered, {
    ...(reported === undefined ? {} : { reported }),
    limit: scan.maxManifestBytes,
    keys: trust.keys,
    indexers,
    stale: stale === "all" ? [] : stale,
  });
  const tagged = taggedClaims(read.files);
  const probed = await probedClaims(paths, scan.roots, read);
  const inputs: CatalogInputs = {
    read,
    config: scanConfig,
    trust: trust.digest,
    indexers: indexerKey,
    walkReport: JSON.stringify(walked.diagnostics),
    outside: JSON.stringify([probed.claims, probed.diagnostics]),
  };
  const sidecars = sidecarRules(read.files);
  const merge = (discovered: readonly IndexerClaim[]) =>
    resolveAll(tagged.claims, [...discovered, ...probed.claims], (s) => sidecarTags(sidecars, s));
  const counts = { walked, tagged, read };
  const memo = newGitMemo(walked.listed);
  const kept = keptCatalog(paths, previous, inputs, memo);
  if (kept !== undefined) {
    // Every claim's verdict is asked for only by `rtt scan --explain`: made when asked.
    let claims: readonly ClaimRecord[] | undefined;
    const made = () => merge(discoverClaims(read.files, indexers).claims).claims;
    return reportOf(paths, counts, kept, false, {
      get claims() {
        claims ??= made();
        return claims;
      },
    });
  }
  const discovered = discoverClaims(read.files, indexers);
  const resolved = merge(discovered.claims);
  const git = withGitTags(paths.root, resolved.symbols, memo);
  const diagnostics = [
    ...walked.diagnostics,
    ...read.diagnostics,
    ...discovered.diagnostics,
    ...probed.diagnostics,
    ...resolved.diagnostics,
    ...strictWarnings(manifestTrust(scanConfig.config.raw.security), git.symbols),
  ];
  // Ties broken by message: claims on one line by two indexers are reported in one order.
  diagnostics.sort(
    (a, b) =>
      compareDiagnostics(a, b) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
  const content = { symbols: git.symbols, conflicts: resolved.conflicts, diagnostics };
  const catalogWritten = rebuildCatalog(
    paths,
    previous,
    inputs,
    git.state,
    content,
    catalogIntact(paths, previous),
  );
  return reportOf(paths, counts, content, catalogWritten, { claims: resolved.claims });
}

/** The report of a scan that walked, read and has its catalog (built or kept). */
function reportOf(
  paths: WorkspacePaths,
  counts: {
    readonly walked: WalkResult;
    readonly tagged: { readonly manifests: number; readonly sidecars: number };
    readonly read: CandidatesRead;
  },
  catalog: Omit<Catalog, "format">,
  catalogWritten: boolean,
  verdicts: { readonly claims: readonly ClaimRecord[] },
): ScanReport {
  const { walked, tagged, read } = counts;
  const errors = catalog.diagnostics.filter((d) => d.severity === "error").length;
  return {
    root: paths.root,
    files: walked.files,
    dirs: walked.dirs,
    manifests: tagged.manifests,
    sidecars: tagged.sidecars,
    reread: read.reread,
    cached: read.cached,
    symbols: catalog.symbols,
    conflicts: catalog.conflicts,
    get claims() {
      return verdicts.claims;
    },
    diagnostics: catalog.diagnostics,
    catalogWritten,
    stopped: false,
    errors,
    warnings: catalog.diagnostics.length - errors,
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
    claims: [],
    diagnostics,
    catalogWritten: false,
    stopped: true,
    errors: diagnostics.length,
    warnings: 0,
  };
}

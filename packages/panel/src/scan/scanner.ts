/**
 * `rtt scan`: walk → read what changed → validate → merge tags → resolve address conflicts →
 * write the catalog atomically. Bad manifests are reported and skipped; the scan goes on.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  addressOf,
  type CatalogSymbol,
  compareDiagnostics,
  type Diagnostic,
  LineIndex,
  parseRttTags,
  RttError,
  symbolFromContract,
  type TagRule,
  tagsFor,
  validateDocument,
  withTags,
} from "@rtt/core";
import { CATALOG_FORMAT, type Catalog, type Conflict, writeCatalog } from "../catalog.ts";
import {
  loadPanelConfig,
  relativeToRoot,
  resolveConfig,
  type WorkspacePaths,
} from "../workspace/workspace.ts";
import { describeNonRegular, readCandidate, tooLarge } from "./read-candidate.ts";
import {
  type FileOutcome,
  readScanState,
  SCAN_STATE_FORMAT,
  type StateEntry,
  sameStamp,
  stampOf,
  writeScanState,
} from "./scan-state.ts";
import { type Candidate, errorText, walk } from "./walk.ts";

export interface ScanProgress {
  readonly phase: "walk" | "read";
  readonly files: number;
  readonly dirs: number;
}

export interface ScanOptions {
  readonly onProgress?: (progress: ScanProgress) => void;
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

function evaluate(candidate: Candidate, text: string): FileOutcome {
  if (candidate.kind === "tags") {
    const { rules, diagnostics } = parseRttTags(text, candidate.rel);
    return { kind: "tags", rules, diagnostics };
  }
  const result = validateDocument("manifest", text, candidate.rel);
  if (!result.ok) return { kind: "manifest", diagnostics: result.diagnostics };
  return {
    kind: "manifest",
    symbol: symbolFromContract(result.value.symbol, {
      file: candidate.rel,
      scanner: "manifest",
      score: 1,
    }),
    saddr_at: result.document.locate(["symbol", "saddr"]),
    diagnostics: [],
  };
}

/** Reads (or recalls) one candidate. Returns undefined when it vanished mid-scan. */
function outcomeOf(
  candidate: Candidate,
  previous: StateEntry | undefined,
  limit: number,
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
    return { entry: { ...stamp, outcome: evaluate(candidate, text) }, reread: true };
  } catch (error) {
    if (error instanceof RttError) return { failure: diagnosticFrom(error, candidate.rel) };
    throw error;
  }
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

interface Claim {
  readonly symbol: CatalogSymbol;
  readonly at: { readonly line: number; readonly column: number };
}

/** One address, one symbol: identical claims keep the first path (warning); differing ones keep none (error). */
function resolveClaims(claims: readonly Claim[]): {
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
    const identical = list.every((c) => c.symbol.contract_hash === first.symbol.contract_hash);
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
          : `${saddr} is also declared by ${others} with a different contract; neither is catalogued`,
        file: c.symbol.source.file,
        line: c.at.line,
        column: c.at.column,
        hint: identical
          ? "keep one manifest per address"
          : "give one of them another version or variant, or delete one",
      });
    }
  }
  const bySaddr = (a: { saddr: string }, b: { saddr: string }) =>
    a.saddr < b.saddr ? -1 : a.saddr > b.saddr ? 1 : 0;
  symbols.sort(bySaddr);
  conflicts.sort(bySaddr);
  return { symbols, conflicts, diagnostics };
}

export function scanWorkspace(paths: WorkspacePaths, options: ScanOptions = {}): ScanReport {
  const previous = readScanState(paths.scanState);
  const configStamp = stampOf(paths.panelConfig);
  const remembered = previous.config;
  const configUnchanged =
    configStamp === undefined
      ? remembered === undefined
      : remembered !== undefined && sameStamp(remembered, configStamp);
  const { config, diagnostics: configProblems } =
    configUnchanged && remembered !== undefined
      ? { config: resolveConfig(paths, remembered.raw), diagnostics: [] }
      : loadPanelConfig(paths);
  if (configProblems.length > 0) {
    // A broken panel.yaml could mean a wrong ignore list; scanning with defaults would
    // silently catalog the wrong tree. Refuse and say why.
    return emptyReport(paths, configProblems);
  }
  // A scan root that is not there is a typo in panel.yaml: scanning the rest would replace the
  // catalog with one missing that root's symbols.
  const missing = missingRoots(paths, config.scan.roots);
  if (missing.length > 0) return emptyReport(paths, missing);
  const limit = config.scan.maxManifestBytes;
  const walked = walk({
    root: paths.root,
    roots: config.scan.roots,
    ignore: config.scan.ignore,
    followSymlinks: config.scan.followSymlinks,
    ...(options.onProgress === undefined
      ? {}
      : { onProgress: (files, dirs) => options.onProgress?.({ phase: "walk", files, dirs }) }),
  });
  const diagnostics: Diagnostic[] = [...walked.diagnostics];
  const files: Record<string, StateEntry> = {};
  let reread = 0;
  let cached = 0;
  for (const candidate of walked.candidates) {
    const result = outcomeOf(candidate, previous.files[candidate.rel], limit);
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

  const sidecars = new Map<string, readonly TagRule[]>();
  const claims: Claim[] = [];
  let manifests = 0;
  for (const [rel, entry] of Object.entries(files)) {
    if (entry.outcome.kind === "tags") sidecars.set(dirOf(rel), entry.outcome.rules);
    else manifests++;
  }
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
  const resolved = resolveClaims(claims);
  diagnostics.push(...resolved.diagnostics);
  diagnostics.sort(compareDiagnostics);

  // The catalog is a function of the files read, panel.yaml and what the walk reported. When
  // none of them changed, neither did it: skip building and hashing its text (a warm scan's
  // largest cost after the walk itself).
  const fileList = Object.keys(files).join("\n");
  const walkReport = JSON.stringify(walked.diagnostics);
  // The catalog as the last scan left it: one edited, damaged or deleted since is rewritten.
  const catalogStamp = stampOf(paths.catalog);
  const catalogIntact =
    catalogStamp !== undefined &&
    previous.catalog !== undefined &&
    sameStamp(previous.catalog, catalogStamp);
  const inputsUnchanged =
    reread === 0 &&
    configUnchanged &&
    fileList === Object.keys(previous.files).join("\n") &&
    walkReport === previous.walk_report &&
    catalogIntact;
  let catalogHash = previous.catalog_hash;
  let catalogWritten = false;
  if (!inputsUnchanged) {
    const catalog: Catalog = {
      format: CATALOG_FORMAT,
      symbols: resolved.symbols,
      conflicts: resolved.conflicts,
      diagnostics,
    };
    const catalogText = `${JSON.stringify(catalog, null, 2)}\n`;
    catalogHash = createHash("sha256").update(catalogText).digest("hex");
    catalogWritten = catalogHash !== previous.catalog_hash || !catalogIntact;
    if (catalogWritten) writeCatalog(paths.catalog, catalogText);
    const written = stampOf(paths.catalog);
    writeScanState(paths.scanState, {
      format: SCAN_STATE_FORMAT,
      catalog_hash: catalogHash,
      ...(written === undefined ? {} : { catalog: written }),
      ...(configStamp === undefined ? {} : { config: { ...configStamp, raw: config.raw } }),
      walk_report: walkReport,
      files,
    });
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    root: paths.root,
    files: walked.files,
    dirs: walked.dirs,
    manifests,
    sidecars: sidecars.size,
    reread,
    cached,
    symbols: resolved.symbols,
    conflicts: resolved.conflicts,
    diagnostics,
    catalogWritten,
    stopped: false,
    errors,
    warnings: diagnostics.length - errors,
  };
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

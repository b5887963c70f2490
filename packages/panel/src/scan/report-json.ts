/**
 * A scan's report as `rtt scan --json` prints it, and as a watching panel's Scan call carries it
 * (proto ScanResult.report_json): the same object either way, so the CLI prints one like the other.
 */
import type { Diagnostic } from "@rtt/core";
import type { Conflict } from "../catalog.ts";
import type { ScanReport } from "./scanner.ts";

export interface ScanReportJson {
  readonly root: string;
  readonly files: number;
  readonly dirs: number;
  readonly manifests: number;
  readonly sidecars: number;
  readonly symbols: number;
  /** Symbols no manifest declares: indexers and drivers' Probe found them (ADR 0026). */
  readonly discovered: number;
  readonly reread: number;
  readonly cached: number;
  readonly conflicts: readonly Conflict[];
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly catalog: string;
  readonly catalog_written: boolean;
  readonly stopped: boolean;
  readonly duration_ms: number;
}

export function scanReportJson(
  report: ScanReport,
  catalog: string,
  durationMs: number,
): ScanReportJson {
  return {
    root: report.root,
    files: report.files,
    dirs: report.dirs,
    manifests: report.manifests,
    sidecars: report.sidecars,
    symbols: report.symbols.length,
    discovered: report.symbols.filter((s) => s.source.scanner !== "manifest").length,
    reread: report.reread,
    cached: report.cached,
    conflicts: report.conflicts,
    errors: report.errors,
    warnings: report.warnings,
    diagnostics: report.diagnostics,
    catalog,
    catalog_written: report.catalogWritten,
    stopped: report.stopped,
    duration_ms: durationMs,
  };
}

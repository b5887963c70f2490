import { formatDiagnostic } from "@rtt/core";
import { type ScanReport, scanWorkspace, type WorkspacePaths } from "@rtt/panel";
import { count, paint, progressLine } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

export interface ScanFlags {
  readonly json?: boolean;
  /** Rescan on each change and print what appeared, changed and vanished (scan-watch.ts). */
  readonly watch?: boolean;
}

export async function scanCommand(ctx: CommandContext, opts: ScanFlags): Promise<number> {
  if (opts.watch) {
    const { scanWatchCommand } = await import("./scan-watch.ts");
    return scanWatchCommand(ctx, opts);
  }
  const paths = workspaceOf(ctx);
  const started = performance.now();
  const progress = progressLine(ctx.term);
  // Awaited either way: the scanner may be synchronous or not.
  const report = await scanWorkspace(paths, {
    onProgress: (p) =>
      progress.update(() => `scanning… ${count(p.files, "file")} in ${count(p.dirs, "folder")}`),
  });
  progress.done();
  return printScan(ctx, paths, report, Math.round(performance.now() - started), opts.json);
}

/** Prints a scan's report (as JSON, or its diagnostics and a summary line); its exit code. */
export function printScan(
  ctx: CommandContext,
  paths: WorkspacePaths,
  report: ScanReport,
  durationMs: number,
  json: boolean | undefined,
): number {
  if (json) {
    writeJson(ctx, {
      root: report.root,
      files: report.files,
      dirs: report.dirs,
      manifests: report.manifests,
      sidecars: report.sidecars,
      symbols: report.symbols.length,
      reread: report.reread,
      cached: report.cached,
      conflicts: report.conflicts,
      errors: report.errors,
      warnings: report.warnings,
      diagnostics: report.diagnostics,
      catalog: paths.catalog,
      catalog_written: report.catalogWritten,
      stopped: report.stopped,
      duration_ms: durationMs,
    });
    return report.errors > 0 ? 1 : 0;
  }
  const { term } = ctx;
  for (const d of report.diagnostics) {
    const text = formatDiagnostic(d);
    term.err.write(`${paint(term.err, d.severity === "error" ? "red" : "yellow", text)}\n`);
  }
  if (report.stopped) {
    // panel.yaml, a scan root, a trust file or a linked cache: the diagnostics above say which.
    term.out.write(
      "scan stopped: fix what is reported above first; the catalog was left as it was\n",
    );
    return 1;
  }
  const problems =
    report.errors + report.warnings === 0
      ? "no problems"
      : `${count(report.errors, "error")}, ${count(report.warnings, "warning")}`;
  term.out.write(
    `scanned ${count(report.files, "file")} in ${count(report.dirs, "folder")}: ` +
      `${count(report.manifests, "manifest")} → ${count(report.symbols.length, "symbol")}; ${problems} ` +
      `(${report.reread} read, ${report.cached} unchanged) in ${durationMs} ms\n`,
  );
  return report.errors > 0 ? 1 : 0;
}

import { formatDiagnostic } from "@rtt/core";
import { type ScanReport, scanWorkspace } from "@rtt/panel";
import { count, paint, progressLine } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { explainedAddress, explainScan } from "./scan-explain.ts";

export async function scanCommand(
  ctx: CommandContext,
  opts: { json?: boolean; explain?: string },
): Promise<number> {
  const paths = workspaceOf(ctx);
  // A bad address is a usage error before any work.
  const explained = opts.explain === undefined ? undefined : explainedAddress(opts.explain);
  const started = performance.now();
  const progress = progressLine(ctx.term);
  const report = await scanWorkspace(paths, {
    onProgress: (p) =>
      progress.update(() => `scanning… ${count(p.files, "file")} in ${count(p.dirs, "folder")}`),
  });
  progress.done();
  if (explained !== undefined && !report.stopped)
    return explainScan(ctx, report, explained, opts.json === true);
  const durationMs = Math.round(performance.now() - started);
  if (opts.json) {
    writeJson(ctx, {
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
      `${count(report.manifests, "manifest")} → ${count(report.symbols.length, "symbol")}${discoveredNote(report.symbols)}; ${problems} ` +
      `(${report.reread} read, ${report.cached} unchanged) in ${durationMs} ms\n`,
  );
  return report.errors > 0 ? 1 : 0;
}

/** ", N discovered" when indexers found some of the symbols; empty otherwise. */
function discoveredNote(symbols: ScanReport["symbols"]): string {
  const found = symbols.filter((s) => s.source.scanner !== "manifest").length;
  return found === 0 ? "" : ` (${found} discovered)`;
}

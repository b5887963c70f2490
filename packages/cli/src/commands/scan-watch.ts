/**
 * `rtt scan --watch`: scans, then rescans on each change under the scan roots (the panel's own
 * watcher, scan/watch.ts) and prints what appeared, changed and vanished — `+ saddr`,
 * `~ saddr`, `- saddr`, or with `--json` one JSON object a line — until Ctrl-C (exit 0, the
 * watcher unsubscribed). A rescan's new problems are printed as `rtt scan` prints them.
 */
import { type CatalogSymbol, type Diagnostic, formatDiagnostic } from "@rtt/core";
import {
  catalogChanges,
  loadPanelConfig,
  ScanWatcher,
  scanReportJson,
  scanWorkspace,
  WalkMemo,
} from "@rtt/panel";
import { untilInterrupted } from "../interrupted.ts";
import { paint } from "../output.ts";
import { type CommandContext, workspaceOf } from "./context.ts";
import { printScan } from "./scan.ts";

export async function scanWatchCommand(
  ctx: CommandContext,
  opts: { readonly json?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const { term } = ctx;
  const line = (value: Record<string, unknown>, text: string) =>
    term.out.write(opts.json ? `${JSON.stringify(value)}\n` : `${text}\n`);

  const started = performance.now();
  // The last walk, reused by a rescan for edits of the files it found (walk-memo.ts).
  const walks = new WalkMemo();
  const first = await scanWorkspace(paths, { watched: { memo: walks, changed: [] } });
  const firstMs = Math.round(performance.now() - started);
  if (first.stopped)
    return printScan(ctx, scanReportJson(first, paths.catalog, firstMs), opts.json);
  if (opts.json) {
    line({ event: "scanned", symbols: first.symbols.length, errors: first.errors }, "");
    for (const d of first.diagnostics) line({ event: "diagnostic", ...d }, "");
  } else printScan(ctx, scanReportJson(first, paths.catalog, firstMs), false);

  let symbols: readonly CatalogSymbol[] = first.symbols;
  let seen = new Set(first.diagnostics.map(formatDiagnostic));
  const problem = (d: Diagnostic) => {
    if (opts.json) line({ event: "diagnostic", ...d }, "");
    else {
      const color = d.severity === "error" ? "red" : "yellow";
      term.err.write(`${paint(term.err, color, formatDiagnostic(d))}\n`);
    }
  };
  const { config } = loadPanelConfig(paths);
  const watcher = await ScanWatcher.start(
    paths,
    config.scan,
    async (changed) => {
      const report = await scanWorkspace(paths, { watched: { memo: walks, changed } });
      const now = new Set(report.diagnostics.map(formatDiagnostic));
      for (const d of report.diagnostics) if (!seen.has(formatDiagnostic(d))) problem(d);
      seen = now;
      if (report.stopped) return;
      for (const c of catalogChanges(symbols, report.symbols))
        line({ event: c.change, saddr: c.saddr }, `${c.change} ${c.saddr}`);
      symbols = report.symbols;
    },
    { onError: (error) => term.err.write(`rtt: watching: ${error.message}\n`) },
  );
  line(
    { event: "watching", roots: config.scan.roots },
    `watching ${config.scan.roots.join(", ")} for changes (Ctrl-C to stop)`,
  );
  await untilInterrupted();
  await watcher.close();
  return 0;
}

/**
 * `rtt scan`: answered by the running panel when it watches the scan roots (its catalog is kept
 * current: a warm scan costs a socket round trip), else — or with `--local` — scanned here.
 */
import { existsSync } from "node:fs";
import { formatDiagnostic, RttError } from "@rtt/core/errors.ts";
import type { FolderLister } from "@rtt/fabric/folder-lister.ts";
import { socketPathOf } from "@rtt/panel/daemon/socket-path.ts";
import { type ScanReportJson, scanReportJson } from "@rtt/panel/scan/report-json.ts";
import { loadPanelConfig, type WorkspacePaths } from "@rtt/panel/workspace/workspace.ts";
import { count, paint, progressLine } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

/** panel.yaml as read once for the whole command: which panel may answer, which roots to list. */
type PanelConfigRead = ReturnType<typeof loadPanelConfig>;

export interface ScanFlags {
  readonly json?: boolean;
  /** Rescan on each change and print what appeared, changed and vanished (scan-watch.ts). */
  readonly watch?: boolean;
  /** Scan here even when a watching panel could answer. */
  readonly local?: boolean;
  /** After scanning, show every claim on this address and why the winner won (scan-explain.ts). */
  readonly explain?: string;
}

/** How long a watching panel may take to answer (it finishes the rescan under way first). */
const PANEL_SCAN_TIMEOUT_MS = 30_000;

export async function scanCommand(ctx: CommandContext, opts: ScanFlags): Promise<number> {
  if (opts.watch) {
    if (opts.explain !== undefined)
      throw new RttError("RTT_ERR_USAGE", "--explain explains one scan; --watch scans on and on", {
        hint: "run `rtt scan --explain SADDR` on its own",
      });
    const { scanWatchCommand } = await import("./scan-watch.ts");
    return scanWatchCommand(ctx, opts);
  }
  const paths = workspaceOf(ctx);
  // A bad address is a usage error before any work.
  const explain = opts.explain === undefined ? undefined : await explanation(opts.explain);
  const started = performance.now();
  const panelConfig = loadPanelConfig(paths);
  // The panel's report carries no claims: an explanation needs a scan here.
  const warm =
    opts.local || explain !== undefined ? undefined : await fromWatchingPanel(paths, panelConfig);
  if (warm !== undefined) {
    const durationMs = Math.round(performance.now() - started);
    return printScan(
      ctx,
      { ...warm, duration_ms: durationMs },
      opts.json,
      "from the watching panel",
    );
  }
  // Folders are listed on the native addon's threads while the scanner loads (ADR 0038).
  const lister = await earlyLister(paths, panelConfig.config);
  // The scanner (its indexers, parsers and validators) loads only for a scan here: a warm scan
  // answered by the watching panel is mostly this process's start.
  const { scanWorkspace } = await import("@rtt/panel/scan/scanner.ts").catch((error) => {
    lister?.close();
    throw error;
  });
  const progress = progressLine(ctx.term);
  const report = await scanWorkspace(paths, {
    onProgress: (p) =>
      progress.update(() => `scanning… ${count(p.files, "file")} in ${count(p.dirs, "folder")}`),
    ...(lister === undefined ? {} : { lister }),
  });
  progress.done();
  if (explain !== undefined && !report.stopped)
    return explain.print(ctx, report, explain.saddr, opts.json === true);
  const durationMs = Math.round(performance.now() - started);
  return printScan(ctx, scanReportJson(report, paths.catalog, durationMs), opts.json);
}

/**
 * `--explain`'s address in normal form, and what prints the explanation. Loaded only when asked:
 * it loads @rtt/core's whole index, which a plain scan loads only once its folders are being
 * listed.
 */
async function explanation(text: string) {
  const { explainedAddress, explainScan } = await import("./scan-explain.ts");
  return { saddr: explainedAddress(text), print: explainScan };
}

/**
 * A folder lister for the roots panel.yaml names. A panel.yaml with a problem still gives roots
 * (its defaults): the scan then refuses to walk, and closes the lister.
 */
async function earlyLister(
  paths: WorkspacePaths,
  { scan }: PanelConfigRead["config"],
): Promise<FolderLister | undefined> {
  const { startWalkLister } = await import("@rtt/panel/scan/walk-listing.ts");
  return startWalkLister({ root: paths.root, roots: scan.roots, ignore: scan.ignore });
}

/**
 * The report of the panel serving this workspace when it watches the scan roots; undefined when
 * none runs, it does not watch, or it does not answer (an older panel): the caller scans.
 */
async function fromWatchingPanel(
  paths: WorkspacePaths,
  { config, diagnostics }: PanelConfigRead,
): Promise<ScanReportJson | undefined> {
  // A broken panel.yaml is the local scan's to report, with its line and column.
  if (diagnostics.length > 0 || !existsSync(socketPathOf(config.listen))) return undefined;
  // The gRPC client loads only when a panel may answer: a scan here never needs it.
  const [{ PanelConnection }, { cliTokenSource }, { checkPanelSocketFolder }] = await Promise.all([
    import("@rtt/panel/daemon/client.ts"),
    import("@rtt/panel/trust/client-tokens.ts"),
    import("@rtt/panel/workspace/panel-socket.ts"),
  ]);
  let conn: InstanceType<typeof PanelConnection> | undefined;
  try {
    checkPanelSocketFolder(config.listen);
    conn = new PanelConnection(config.listen, cliTokenSource(paths.rttDir));
    const answer = await conn.scan(PANEL_SCAN_TIMEOUT_MS);
    return answer.watching ? (JSON.parse(answer.report_json) as ScanReportJson) : undefined;
  } catch {
    return undefined;
  } finally {
    conn?.close();
  }
}

/** Prints a scan's report (as JSON, or its diagnostics and a summary line); its exit code. */
export function printScan(
  ctx: CommandContext,
  report: ScanReportJson,
  json: boolean | undefined,
  from?: string,
): number {
  if (json) {
    writeJson(ctx, from === undefined ? report : { ...report, from_panel: true });
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
      `${count(report.manifests, "manifest")} → ${count(report.symbols, "symbol")}${report.discovered === 0 ? "" : ` (${report.discovered} discovered)`}; ${problems} ` +
      `(${report.reread} read, ${report.cached} unchanged) in ${report.duration_ms} ms` +
      `${from === undefined ? "" : ` (${from})`}\n`,
  );
  return report.errors > 0 ? 1 : 0;
}

/**
 * The panel watches its scan roots (panel.yaml `scan.watch`, default on; issue 17 §Watch): it
 * scans once at start, then again on each change (scan/watch.ts), so its catalog follows the
 * files. When a wired route's end changed (its contract or launch) or vanished, it plans the
 * way `rtt plan` does; with `routing.reroute: auto` it applies that plan through ApplyPlan's
 * path — journaled, audited as `reroute` — when the plan touches only those routes and can be
 * wired whole; otherwise (and always under `plan-only`, the default) it logs
 * `reroute pending: …; run rtt plan`. A vanished target moves to the next target of its failover
 * list because the plan's router picks it from there; with none left the plan says so, and that
 * is what is logged.
 */
import {
  type CatalogSymbol,
  errorMessage,
  launchHash,
  launchOf,
  type RerouteSetting,
} from "@rtt/core";
import { planProblems } from "../plan/plan.ts";
import { type Edge, type EdgeEnd, STUB_DRIVER, type Topology } from "../plan/topology.ts";
import type { Actor } from "../reconcile/actor.ts";
import type { ApplyResult } from "../reconcile/reconciler.ts";
import { type ScanReport, scanWorkspace } from "../scan/scanner.ts";
import { ScanWatcher } from "../scan/watch.ts";
import { loadPanelConfig, type WorkspacePaths } from "../workspace/workspace.ts";
import { cachedByFile } from "./file-cache.ts";
import { type PanelPlan, panelPlan } from "./plan-check.ts";

/** What watching needs of the daemon. */
export interface ScanWatchContext {
  readonly paths: WorkspacePaths;
  /** The live topology and its WAL seq, as ApplyPlan plans against them. */
  live(): { readonly topology: Topology; readonly seq: number };
  /** ApplyPlan's path: the reconciler's apply, then compaction and prebinding. */
  apply(panel: PanelPlan, actor: Actor): Promise<ApplyResult>;
  log(line: string): void;
}

const PANEL_ACTOR = "panel";

export class ScanWatch {
  readonly #ctx: ScanWatchContext;
  readonly #reroute: () => RerouteSetting;
  #watcher: ScanWatcher | undefined;
  #report: ScanReport | undefined;
  /** The plan last reported pending (inputs and base), so one change is logged once. */
  #reported = "";

  private constructor(ctx: ScanWatchContext) {
    this.#ctx = ctx;
    this.#reroute = cachedByFile(
      ctx.paths.panelConfig,
      () => loadPanelConfig(ctx.paths).config.raw.routing?.reroute ?? "plan-only",
    );
  }

  /** Starts watching when panel.yaml says so (scan.watch); undefined when it does not. */
  static async start(ctx: ScanWatchContext): Promise<ScanWatch | undefined> {
    const { config } = loadPanelConfig(ctx.paths);
    if (!config.scan.watch) return undefined;
    const watch = new ScanWatch(ctx);
    // Subscribed before the first scan: a change made while it runs is seen after it.
    watch.#watcher = await ScanWatcher.start(ctx.paths, config.scan, () => watch.#rescan(), {
      onError: (error) => ctx.log(`watching the scan roots: ${errorMessage(error)}`),
    });
    await watch.#rescan();
    ctx.log(`watching ${config.scan.roots.join(", ")} for changes`);
    return watch;
  }

  /** The last scan's report, once every change seen so far is scanned. */
  async report(): Promise<ScanReport | undefined> {
    await this.#watcher?.settled();
    return this.#report;
  }

  async close(): Promise<void> {
    await this.#watcher?.close();
  }

  async #rescan(): Promise<void> {
    // Awaited either way: the scanner may be synchronous or not.
    const report = await scanWorkspace(this.#ctx.paths);
    this.#report = report;
    if (report.stopped) {
      this.#ctx.log(
        `rescan stopped: ${report.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join("; ")}`,
      );
      return;
    }
    await this.#replan(report.symbols);
  }

  /** Re-plans when a wired route's end changed or vanished; applies it when allowed. */
  async #replan(catalog: readonly CatalogSymbol[]): Promise<void> {
    const { topology, seq } = this.#ctx.live();
    const changed = changedRoutes(Object.values(topology.edges), catalog);
    if (changed.size === 0) {
      this.#reported = "";
      return;
    }
    let panel: PanelPlan;
    try {
      panel = panelPlan(this.#ctx.paths, topology, seq);
    } catch (error) {
      this.#ctx.log(`reroute pending: ${errorMessage(error)}; run rtt plan`);
      return;
    }
    const { plan } = panel;
    const key = `${plan.inputs_hash}:${plan.base_hash}`;
    if (plan.edits.length === 0 || key === this.#reported) return;
    const problems = planProblems(plan).map((p) => `${p.route}: ${p.problem}`);
    const others = plan.edits.filter((e) => !changed.has(e.route)).map((e) => e.route);
    const what = [...changed].map(([route, why]) => `${route} (${why})`).join(", ");
    const blockers = [
      ...(this.#reroute() === "auto" ? [] : ["routing.reroute is plan-only"]),
      ...problems,
      ...(others.length > 0 ? [`the plan also changes ${others.join(", ")}`] : []),
    ];
    if (blockers.length > 0) {
      this.#reported = key;
      this.#ctx.log(`reroute pending: ${what}: ${blockers.join("; ")}; run rtt plan`);
      return;
    }
    const actor: Actor = { who: PANEL_ACTOR, why: `reroute: ${what}`, auditAs: "reroute" };
    try {
      const result = await this.#ctx.apply(panel, actor);
      const failed = result.batches.filter((b) => b.outcome !== "committed");
      this.#ctx.log(
        failed.length === 0
          ? `reroute: ${what}: applied (commit ${result.seq})`
          : `reroute: ${what}: ${failed.map((b) => `${b.routes.join(", ")} ${b.outcome}${b.error === undefined ? "" : `: ${b.error.message}`}`).join("; ")}`,
      );
    } catch (error) {
      this.#reported = key;
      this.#ctx.log(`reroute pending: ${what}: ${errorMessage(error)}; run rtt plan`);
    }
  }
}

/** The wired routes an end of which vanished from the catalog or changed there, with why. */
export function changedRoutes(
  edges: readonly Edge[],
  catalog: readonly CatalogSymbol[],
): Map<string, string> {
  const bySaddr = new Map(catalog.map((s) => [s.saddr, s]));
  const out = new Map<string, string>();
  for (const edge of edges) {
    const why = endChange(edge.from, bySaddr) ?? endChange(edge.to, bySaddr);
    if (why !== undefined) out.set(edge.route, why);
  }
  return out;
}

function endChange(end: EdgeEnd, bySaddr: ReadonlyMap<string, CatalogSymbol>): string | undefined {
  const symbol = bySaddr.get(end.saddr);
  if (symbol === undefined) return `${end.saddr} vanished`;
  if (symbol.contract_hash !== end.contract_hash) return `${end.saddr} changed its contract`;
  // A stub stands in for a degraded target: its launch is not the symbol's.
  if (end.driver !== STUB_DRIVER && end.launch_hash !== undefined)
    if (launchHash(launchOf(symbol)) !== end.launch_hash) return `${end.saddr} changed its launch`;
  return undefined;
}

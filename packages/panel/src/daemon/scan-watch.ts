/**
 * The panel watches its scan roots (panel.yaml `scan.watch`, default on; issue 17 §Watch): it
 * scans once at start, then again on each change (scan/watch.ts), so its catalog follows the
 * files. When a wired route's end changed (its contract or launch) or vanished, it plans the
 * way `rtt plan` does; with `routing.reroute: auto` it applies that plan through ApplyPlan's
 * path — journaled, audited as `reroute` — when the plan touches only those routes and can be
 * wired whole. A route the plan cannot wire any more (its target vanished, nothing else in
 * routes.json matches) is moved as a breaker's failover moves it, to the next target of the
 * policy's failover set, also audited as `reroute`. Anything else (and everything under
 * `plan-only`, the default) is logged: `reroute pending: …; run rtt plan`.
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
import { WalkMemo } from "../scan/walk-memo.ts";
import { ScanWatcher } from "../scan/watch.ts";
import {
  loadPanelConfig,
  type ResolvedConfig,
  relativeToRoot,
  type WorkspacePaths,
} from "../workspace/workspace.ts";
import { cachedByFile } from "./file-cache.ts";
import { type PanelPlan, panelPlan } from "./plan-check.ts";

/** What watching needs of the daemon. */
export interface ScanWatchContext {
  readonly paths: WorkspacePaths;
  /** The live topology and its WAL seq, as ApplyPlan plans against them. */
  live(): { readonly topology: Topology; readonly seq: number };
  /** ApplyPlan's path: the reconciler's apply, then compaction and prebinding. */
  apply(panel: PanelPlan, actor: Actor): Promise<ApplyResult>;
  /** Moves a route to the next target of its failover set; its address, or undefined: none. */
  failover(routeId: string, actor: Actor): Promise<string | undefined>;
  log(line: string): void;
}

const PANEL_ACTOR = "panel";

/** What a watcher subscribes with: the roots and the ignore rules. */
function watchKey(scan: ResolvedConfig["scan"]): string {
  return JSON.stringify([scan.roots, scan.ignore]);
}

/** The panel's last scan: its report and how long it took. */
export interface LastScan {
  readonly report: ScanReport;
  readonly durationMs: number;
}

export class ScanWatch {
  readonly #ctx: ScanWatchContext;
  readonly #reroute: () => RerouteSetting;
  #watcher: ScanWatcher | undefined;
  #last: LastScan | undefined;
  /** The last walk, reused by a rescan for edits of the files it found. */
  readonly #walks = new WalkMemo();
  /** The plan last reported pending (inputs and base), so one change is logged once. */
  #reported = "";
  /** The scan roots and ignore rules the watcher was started with (`watchKey`). */
  #watching = "";
  #closed = false;

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
    watch.#watcher = await watch.#subscribe(config.scan);
    try {
      await watch.#rescan([]);
    } catch (error) {
      await watch.close();
      throw error;
    }
    ctx.log(`watching ${config.scan.roots.join(", ")} for changes`);
    return watch;
  }

  /** The last scan, once every change seen so far is scanned. */
  async lastScan(): Promise<LastScan | undefined> {
    await this.#watcher?.settled();
    return this.#last;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#watcher?.close();
  }

  #subscribe(scan: ResolvedConfig["scan"]): Promise<ScanWatcher> {
    this.#watching = watchKey(scan);
    return ScanWatcher.start(this.#ctx.paths, scan, (c) => this.#rescan(c), {
      onError: (error) => this.#ctx.log(`watching the scan roots: ${errorMessage(error)}`),
    });
  }

  /**
   * panel.yaml changed: the watcher follows new scan roots or ignore rules, and stops with
   * `scan.watch: false` (a warm `rtt scan` then scans itself; a restart watches again). Not
   * from within the watcher's own call: closing it waits for that call to end.
   */
  #followConfig(): void {
    const { config, diagnostics } = loadPanelConfig(this.#ctx.paths);
    if (diagnostics.length > 0) return;
    const off = !config.scan.watch;
    if (!off && watchKey(config.scan) === this.#watching) return;
    setImmediate(() => void this.#rewatch(off ? undefined : config.scan));
  }

  async #rewatch(scan: ResolvedConfig["scan"] | undefined): Promise<void> {
    if (this.#closed) return;
    const old = this.#watcher;
    try {
      this.#watcher = scan === undefined ? undefined : await this.#subscribe(scan);
    } catch (error) {
      this.#ctx.log(`watching the new scan roots: ${errorMessage(error)}; still the old ones`);
      return;
    }
    await old?.close();
    if (this.#closed) await this.#watcher?.close();
    if (scan === undefined) this.#last = undefined;
    this.#ctx.log(
      scan === undefined
        ? "not watching any more (scan.watch: false)"
        : `watching ${scan.roots.join(", ")} for changes (panel.yaml changed)`,
    );
  }

  /** A rescan for `changed` (workspace-relative; none: the first scan). */
  async #rescan(changed: readonly string[]): Promise<void> {
    const started = performance.now();
    // Awaited either way: the scanner may be synchronous or not.
    const report = await scanWorkspace(this.#ctx.paths, {
      watched: { memo: this.#walks, changed },
    });
    this.#last = { report, durationMs: Math.round(performance.now() - started) };
    if (changed.includes(relativeToRoot(this.#ctx.paths, this.#ctx.paths.panelConfig)))
      this.#followConfig();
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
    const auto = this.#reroute() === "auto";
    const actor: Actor = { who: PANEL_ACTOR, why: `reroute: ${what}`, auditAs: "reroute" };
    const stuck = planProblems(plan).filter((p) => changed.has(p.route));
    if (auto && others.length === 0 && stuck.length > 0) {
      this.#reported = key;
      await this.#failOver(stuck, changed, actor);
      return;
    }
    const blockers = [
      ...(auto ? [] : ["routing.reroute is plan-only"]),
      ...problems,
      ...(others.length > 0 ? [`the plan also changes ${others.join(", ")}`] : []),
    ];
    if (blockers.length > 0) {
      this.#reported = key;
      this.#ctx.log(`reroute pending: ${what}: ${blockers.join("; ")}; run rtt plan`);
      return;
    }
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

  /** Each route the plan cannot wire, moved along its failover set; logged either way. */
  async #failOver(
    stuck: readonly { route: string; problem: string }[],
    changed: ReadonlyMap<string, string>,
    actor: Actor,
  ): Promise<void> {
    for (const { route, problem } of stuck) {
      const what = `${route} (${changed.get(route)})`;
      try {
        const to = await this.#ctx.failover(route, { ...actor, why: `reroute: ${what}` });
        this.#ctx.log(
          to === undefined
            ? `reroute pending: ${what}: ${problem}, and no failover target is usable; run rtt plan`
            : `reroute: ${what}: failed over to ${to}`,
        );
      } catch (error) {
        this.#ctx.log(
          `reroute pending: ${what}: failover failed: ${errorMessage(error)}; run rtt plan`,
        );
      }
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

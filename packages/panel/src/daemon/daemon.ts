/**
 * The panel daemon (docs/design.md §Processes and sockets: the panel daemon): one per `.rtt/` — the
 * WAL's lock is the panel's lock — serving rtt.panel.v1.Panel on the workspace's Unix socket. It
 * owns the driver processes and the links.
 *
 * Start-up is crash recovery, whatever ended the last panel:
 *   1. open the WAL: replay to the last commit, cut a torn tail, abort a partial transaction;
 *   2. re-attach the drivers the last commit names (pid + start time + nonce checked);
 *   3. the committed routes whose links live on re-attached drivers are live again;
 *   4. close every journaled link no committed route uses (a cut-short transaction's strays);
 *   5. rewire what is missing (drivers gone: stopped panel, crash past the grace period), so the
 *      panel keeps exactly the last committed topology.
 */

import { setTimeout as sleep } from "node:timers/promises";
import type { DriverRecord } from "@rtt/connector-sdk";
import {
  addressOf,
  type CatalogSymbol,
  type JsonValue,
  type PanelConfig,
  RttError,
} from "@rtt/core";
import { AuditLedger } from "../audit/ledger.ts";
import { readCatalog } from "../catalog.ts";
import { type BreakerConfig, type BreakerTransition, breakerConfig } from "../health/breaker.ts";
import { loadPolicy } from "../plan/inputs.ts";
import { asTopology, type Topology } from "../plan/topology.ts";
import { compilePolicy, type PolicyEngine } from "../policy/policy-engine.ts";
import type { Actor } from "../reconcile/actor.ts";
import { failedOverOf, type WiredRoute, wiredRoutesOf } from "../reconcile/graph.ts";
import { type ApplyResult, Reconciler } from "../reconcile/reconciler.ts";
import { pruneRouteJournals, stopUnownedPrograms } from "../reconcile/route-journals.ts";
import { Wal } from "../wal/wal.ts";
import { loadPanelConfig, type WorkspacePaths } from "../workspace/workspace.ts";
import { RouteFallback } from "./fallback.ts";
import { cachedByFile } from "./file-cache.ts";
import { HostPool } from "./host-pool.ts";
import { routeProblems } from "./panel-messages.ts";
import { PanelServer } from "./panel-server.ts";
import { panelService } from "./panel-service.ts";
import { RouteHealth } from "./route-health.ts";

/** The WAL is compacted after an apply once it is this big, keeping this many rollback targets. */
const COMPACT_AT_BYTES = 32 * 1024 * 1024;
const KEEP_COMMITS = 50;
/** How often the stability sweep compares the registry with the drivers' actual links. */
const SWEEP_EVERY_MS = 5000;
/** How long a stop waits for the panel's work in flight before it stops the drivers anyway. */
const STOP_WAIT_MS = 10_000;

export interface PanelDaemonOptions {
  readonly version: string;
  /** The daemon's log (default: stderr). */
  readonly log?: (line: string) => void;
  /** How long drivers outlive a vanished panel (default: the SDK's 10 s). */
  readonly driverGraceMs?: number;
}

/** The breaker states a journaled graph carries, by route. */
function breakersOf(graph: JsonValue | undefined): Record<string, unknown> {
  if (graph === null || typeof graph !== "object" || Array.isArray(graph)) return {};
  const b = (graph as { readonly [k: string]: JsonValue }).breakers;
  return b !== null && typeof b === "object" && !Array.isArray(b) ? { ...b } : {};
}

function driverRecordsOf(graph: JsonValue | undefined): DriverRecord[] {
  if (graph === null || typeof graph !== "object" || Array.isArray(graph)) return [];
  const drivers = (graph as { readonly [k: string]: JsonValue }).drivers;
  if (drivers === null || typeof drivers !== "object" || Array.isArray(drivers)) return [];
  return Object.values(drivers) as unknown as DriverRecord[];
}

export class PanelDaemon {
  readonly paths: WorkspacePaths;
  readonly listen: string;
  readonly startedAt = Date.now();
  readonly #o: PanelDaemonOptions;
  readonly #wal: Wal;
  readonly #pool: HostPool;
  readonly #audit: AuditLedger;
  readonly #reconciler: Reconciler;
  /** Failover, degrade, hold and prebind: what a breaker's moves do to a route. */
  readonly #fallback: RouteFallback;
  readonly #server: PanelServer;
  readonly #heartbeatMs: number;
  /** Route health and breakers; made once recovery knows the live routes. */
  #health: RouteHealth | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** A stability sweep is running (see #sweep). */
  #sweeping = false;
  /** The stability sweep under way, if any: a stop waits for it. */
  #sweepRun: Promise<void> | undefined;
  readonly #healthConfig: PanelConfig["health"];
  /** Aborted when the panel stops: ends the open Health and Audit streams. */
  readonly #closing = new AbortController();
  #stopping: Promise<void> | undefined;
  /** Resolves once the daemon has stopped (Shutdown, or stop()). */
  readonly stopped: Promise<void>;
  #markStopped: () => void = () => {};

  private constructor(
    paths: WorkspacePaths,
    listen: string,
    wal: Wal,
    options: PanelDaemonOptions,
  ) {
    this.paths = paths;
    this.listen = listen;
    this.#server = new PanelServer(listen);
    this.#o = options;
    this.#wal = wal;
    const config = loadPanelConfig(paths).config.raw;
    this.#heartbeatMs = config.health?.heartbeat_ms ?? 250;
    this.#policy = cachedByFile(paths.policy, () => compilePolicy(loadPolicy(paths).policy));
    this.#catalog = cachedByFile(paths.catalog, () => readCatalog(paths.catalog).symbols);
    this.#healthConfig = config.health;
    this.#pool = new HostPool(paths.drivers, {
      heartbeatMs: this.#heartbeatMs,
      ...(options.driverGraceMs === undefined ? {} : { graceMs: options.driverGraceMs }),
      log: (l) => this.#log(`[${l.driver}${l.stream === "host" ? "" : ` ${l.stream}`}] ${l.line}`),
    });
    this.#audit = new AuditLedger(paths.audit, {
      onHeadError: (error) => this.#log(`writing the audit head failed: ${String(error)}`),
    });
    this.#reconciler = new Reconciler({
      wal,
      audit: this.#audit,
      pool: this.#pool,
      root: paths.root,
      progress: (line) => this.#log(line),
      driverRecords: () => this.#pool.records() as unknown as Record<string, JsonValue>,
      breakerStates: () => (this.#health?.states() ?? {}) as unknown as Record<string, JsonValue>,
      failedOver: () => this.#fallback.onFailover,
      verify: (route) => this.#verify(route),
    });
    this.#fallback = new RouteFallback({
      reconciler: this.#reconciler,
      breaker: (route) => this.#health?.view(route)?.breaker,
      catalog: () => this.#catalogOrNone(),
      policy: () => this.#policy(),
      trialBudget: (route) => {
        const config = this.#breakerConfig(route);
        return { perWindow: config.probeMax, windowMs: config.probeWindowMs };
      },
      log: (line) => this.#log(line),
    });
    this.#pool.onRestart = (name) => void this.#driverLost(name);
    this.stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
  }

  #log(line: string): void {
    (this.#o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  /** Recovers (see the module doc) and starts serving. RTT_ERR_WAL_LOCKED when a panel runs. */
  static async start(paths: WorkspacePaths, options: PanelDaemonOptions): Promise<PanelDaemon> {
    const { config, diagnostics } = loadPanelConfig(paths);
    if (diagnostics.length > 0)
      throw new RttError(
        "RTT_ERR_DOC_SCHEMA",
        `${diagnostics[0]?.file ?? "panel.yaml"} is invalid`,
        {
          hint: "run `rtt scan` to see every problem with its line and column",
        },
      );
    const wal = Wal.open({ dir: paths.wal });
    let daemon: PanelDaemon;
    try {
      daemon = new PanelDaemon(paths, config.listen, wal, options);
    } catch (error) {
      wal.close();
      throw error;
    }
    try {
      await daemon.#recover();
      await daemon.#serve();
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  async #recover(): Promise<void> {
    const report = this.#wal.report;
    if (report.tookOverLockFrom !== undefined)
      this.#log(`took over the lock of a dead panel (pid ${report.tookOverLockFrom.pid})`);
    if (report.discarded.length > 0)
      this.#log(`discarded the partial transaction(s) ${report.discarded.join(", ")}`);
    const post = this.#wal.committed?.post;
    for (const record of driverRecordsOf(post)) {
      try {
        await this.#pool.attach(record);
        this.#log(`re-attached driver ${record.name} (pid ${record.pid})`);
      } catch (error) {
        this.#log(`driver ${record.name} (pid ${record.pid}) is gone: ${(error as Error).message}`);
      }
    }
    const live = wiredRoutesOf(post).filter(
      (r) =>
        this.#pool.running(r.from.driver) !== undefined &&
        this.#pool.running(r.to.driver) !== undefined,
    );
    this.#reconciler.adopt(live);
    const { orphans, broken } = await this.#reconciler.sweepOrphans();
    if (orphans.length > 0)
      this.#log(`closed ${orphans.length} orphaned link(s): ${orphans.join(", ")}`);
    if (broken.length > 0) this.#log(`route(s) ${broken.join(", ")} lost a link; rewiring`);
    const pruned = pruneRouteJournals(
      this.paths.root,
      new Set(Object.keys(asTopology(post).edges)),
    );
    if (pruned.length > 0)
      this.#log(
        `forgot the journals and programs of route(s) no longer committed: ${pruned.join(", ")}`,
      );
    await this.#restore("restore the committed topology after a panel start");
    this.#health = new RouteHealth(
      {
        intervalMs: this.#heartbeatMs,
        routes: () => this.#reconciler.live.values(),
        keep: () => Object.keys(asTopology(this.#wal.committed?.post).edges),
        sample: (driver, link) => this.#pool.sample(driver, link),
        configFor: (route) => this.#breakerConfig(route),
        onTransition: (route, t, _state, actor) => this.#onBreaker(route, t, actor),
      },
      breakersOf(post),
    );
    this.#health.start();
    await this.#fallback.recovered(failedOverOf(post));
    this.#sweepTimer = setInterval(() => {
      this.#sweepRun = this.#sweep();
    }, SWEEP_EVERY_MS);
    this.#sweepTimer.unref();
  }

  /**
   * The periodic stability sweep: links no route uses are closed, routes whose links are gone
   * are rewired to the committed topology, the fallback settles tripped routes, and a WAL past
   * COMPACT_AT_BYTES is compacted.
   */
  async #sweep(): Promise<void> {
    // One at a time: a slow one (a handshake that times out) must not pile up behind itself.
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const { orphans, broken } = await this.#reconciler.sweep();
      if (orphans.length > 0) this.#log(`sweep: closed orphaned link(s) ${orphans.join(", ")}`);
      if (broken.length > 0)
        this.#log(`sweep: route(s) ${broken.join(", ")} lost a link; rewiring`);
      // Also what an earlier rewire failed to restore — once its drivers run again.
      if (broken.length > 0 || this.#restorable())
        await this.#restore(`stability sweep: committed route(s) not wired`);
    } catch (error) {
      this.#log(`sweep failed: ${String(error)}`);
    }
    try {
      await this.#fallback.sweep();
      // qc, failover, degrade and restore each commit too, with no apply to compact after them:
      // a route that flaps for a day must not grow the WAL (and the commits kept in memory)
      // without bound. Not once the panel is stopping: the WAL closes under it.
      if (this.#stopping === undefined) await this.#compact();
    } catch (error) {
      this.#log(`sweep failed: ${String(error)}`);
    } finally {
      this.#sweeping = false;
    }
  }

  /** Committed routes that are not live, all of whose drivers run (none is restarting). */
  #restorable(): boolean {
    const missing = wiredRoutesOf(this.#wal.committed?.post).filter(
      (r) => !this.#reconciler.live.has(r.edge.route),
    );
    return (
      missing.length > 0 &&
      missing.every(
        (r) =>
          this.#pool.running(r.edge.from.driver) !== undefined &&
          this.#pool.running(r.edge.to.driver) !== undefined,
      )
    );
  }

  /** panel.yaml's trip threshold and the route's failover health bounds from the policy. */
  #breakerConfig(route: WiredRoute): BreakerConfig {
    const source = this.#catalogOrNone().find((s) => s.saddr === route.edge.from.saddr);
    const bounds =
      source === undefined ? [] : (this.#policy().failoverFor(addressOf(source))?.health ?? []);
    return breakerConfig(this.#healthConfig, bounds);
  }

  /** The policy, compiled again only when policy.json changes. */
  readonly #policy: () => PolicyEngine;
  /** The catalog, read again only when `rtt scan` rewrote it. */
  readonly #catalog: () => readonly CatalogSymbol[];

  /** The catalog, or none when there is none yet (health checks must not throw for that). */
  #catalogOrNone(): readonly CatalogSymbol[] {
    try {
      return this.#catalog();
    } catch {
      return [];
    }
  }

  /**
   * A breaker moved: log, audit (by `actor`, who asked for a manual trip or heal, else by the
   * panel), journal; on open fail over when the policy says where, else degrade; out of open, a
   * degraded route goes back to its real target.
   */
  #onBreaker(route: string, t: BreakerTransition, actor?: Actor): void {
    this.#log(`route ${route}: breaker ${t.from} → ${t.to}: ${t.reason}`);
    this.#reconciler.appendAudit({
      action: t.to === "open" ? "trip" : "heal",
      route,
      who: actor?.who ?? "panel",
      why: actor?.why ?? t.reason,
      before: { breaker: t.from },
      after: { breaker: t.to, reason: t.reason },
    });
    void this.#reconciler
      .journal()
      .catch((error: unknown) => this.#log(`journaling the breaker failed: ${String(error)}`));
    // Into open, a trial's bound is lifted before the route fails over (its source link goes
    // with it). Out of open, the route goes back to its real target with the trial's bound set
    // first — the unpark of a held route releases its backlog, which must meet the bound — and
    // again after, for a restore that gave the route a new source link.
    if (t.to === "open")
      void this.#fallback.trial(route).then(() => this.#fallback.opened(route, t.reason));
    else if (t.from === "open")
      void this.#fallback
        .trial(route)
        .then(() => this.#fallback.settle(route))
        .then(() => this.#fallback.trial(route));
    else void this.#fallback.trial(route);
  }

  /** Rewires whatever of the last committed topology is not live. */
  async #restore(why: string): Promise<ApplyResult | undefined> {
    const committed = asTopology(this.#wal.committed?.post);
    const missing = Object.keys(committed.edges).filter((id) => !this.#reconciler.live.has(id));
    if (missing.length === 0) return undefined;
    this.#log(`rewiring ${missing.length} committed route(s): ${missing.join(", ")}`);
    return this.#reconcileTo(committed, why, "panel");
  }

  async #reconcileTo(target: Topology, why: string, who: string): Promise<ApplyResult> {
    const catalog = this.#catalog();
    const result = await this.#reconciler.reconcileTo(target, catalog, { who, why });
    for (const b of result.batches)
      if (b.outcome !== "committed")
        this.#log(
          `batch ${b.routes.join(", ")} ${b.outcome}${b.error ? `: ${b.error.message}` : ""}`,
        );
    return result;
  }

  /** A driver restarted after a crash: its links died with it; rewire the routes it carried. */
  async #driverLost(name: string): Promise<void> {
    this.#log(`driver ${name} restarted: its links are gone, rewiring its routes`);
    await this.#reconciler.dropDriver(name);
    await this.#restore(`driver ${name} restarted`).catch((error: unknown) =>
      this.#log(`rewiring after driver ${name} restarted failed: ${(error as Error).message}`),
    );
  }

  async #serve(): Promise<void> {
    await this.#server.serve(
      panelService({
        paths: this.paths,
        listen: this.listen,
        version: this.#o.version,
        startedAt: this.startedAt,
        heartbeatMs: this.#heartbeatMs,
        closing: this.#closing.signal,
        wal: this.#wal,
        reconciler: this.#reconciler,
        pool: this.#pool,
        health: () => this.#health,
        catalog: () => this.#catalog(),
        policy: () => this.#policy(),
        reconcileTo: (target, actor) => this.#reconcileTo(target, actor.why, actor.who),
        compact: () => this.#compact(),
        prebind: () => void this.#fallback.prebind(),
        log: (line) => this.#log(line),
        stop: () => this.stop(),
      }),
    );
    this.#log(
      `panel ${this.#o.version} (pid ${process.pid}) serving ${this.paths.root} on ${this.listen}`,
    );
  }

  /** Post-commit check: both ends' links answer a health sample and say ok. */
  async #verify(r: WiredRoute): Promise<string | undefined> {
    const [from, to] = await Promise.all([
      this.#pool.sample(r.from.driver, r.from.link),
      this.#pool.sample(r.to.driver, r.to.link),
    ]);
    const problems = routeProblems(r, from, to);
    return problems.length === 0 ? undefined : problems.join("; ");
  }

  async #compact(): Promise<void> {
    const removed = await this.#reconciler.compactWal(COMPACT_AT_BYTES, KEEP_COMMITS);
    if (removed > 0) this.#log(`compacted the WAL: ${removed} bytes of old segments removed`);
  }

  /** Stops every driver (closing the links, lanes and children), the server, the WAL. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#health?.stop();
      if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
      this.#server.notServing();
      this.#closing.abort();
      await this.#server.shutdown();
      // Work already under way on the drivers (a sweep, a failover, a swap's follow-up) ends
      // before they stop: a driver stopped mid-Open or mid-Offer leaves what it was making.
      await Promise.race([
        (async () => {
          await this.#sweepRun;
          await this.#reconciler.idle();
        })(),
        sleep(STOP_WAIT_MS, undefined, { ref: false }),
      ]);
      await this.#pool.stopAll();
      const stray = stopUnownedPrograms(this.paths.root);
      if (stray.length > 0)
        this.#log(`ended program(s) no driver ran any more: pid ${stray.join(", ")}`);
      this.#reconciler.releaseAll();
      await this.#audit.settle();
      this.#wal.close();
      this.#server.removeSocket();
      this.#log("panel stopped");
      this.#markStopped();
    })();
    return this.#stopping;
  }
}

/**
 * The panel daemon (docs/design.md §Processes and sockets: the panel daemon): one per `.rtt/` — the
 * WAL's lock is the panel's lock — serving rtt.panel.v1.Panel on the workspace's Unix socket. It
 * owns the driver processes and the links.
 *
 * This is the composition root: it makes the parts, hands each what it needs of the others, and
 * starts and stops them in order. Start-up is crash recovery (recovery.ts); then the Panel service
 * (panel-service.ts) is served (panel-server.ts), the health loop (route-health.ts) feeds the
 * breakers, whose transitions act on routes (breaker-actions.ts, fallback.ts), and the stability
 * sweep (stability-sweep.ts) keeps the wiring at the last commit (committed-wiring.ts).
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  addressOf,
  type CatalogSymbol,
  errorMessage,
  escapeControl,
  type JsonValue,
  type LaneKind,
  type PanelConfig,
} from "@rtt/core";
import { checkWorkspaceLedger } from "../audit/anchor.ts";
import { AuditLedger } from "../audit/ledger.ts";
import { readCatalog } from "../catalog.ts";
import { type BreakerConfig, breakerConfig } from "../health/breaker.ts";
import { DEFAULT_PREFER, loadAllowPaths, loadPolicy, loadTrust } from "../plan/inputs.ts";
import { asTopology } from "../plan/topology.ts";
import { compilePolicy, type PolicyEngine } from "../policy/policy-engine.ts";
import type { Actor } from "../reconcile/actor.ts";
import { STOP_DRAIN_CAP_MS, stopDrains } from "../reconcile/close-deadlines.ts";
import { linkResourceName } from "../reconcile/drivers.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import { HANDSHAKE_TIMEOUT_MS } from "../reconcile/handshake-ask.ts";
import { Reconciler } from "../reconcile/reconciler.ts";
import { stopUnownedPrograms } from "../reconcile/route-journals.ts";
import type { ManifestTrust } from "../router/router.ts";
import { DriverSandbox } from "../sandbox/driver-sandbox.ts";
import { TokenGate } from "../trust/authorize.ts";
import { panelKey, type SigningKey } from "../trust/keys.ts";
import { RouteTokens } from "../trust/route-tokens.ts";
import { Wal } from "../wal/wal.ts";
import {
  loadValidPanelConfig,
  type ResolvedConfig,
  type WorkspacePaths,
} from "../workspace/workspace.ts";
import { breakerActions } from "./breaker-actions.ts";
import { CommittedWiring } from "./committed-wiring.ts";
import { RouteFallback } from "./fallback.ts";
import { cachedByFile } from "./file-cache.ts";
import { HostPool } from "./host-pool.ts";
import { limitedLog } from "./limited-log.ts";
import { failoverTarget } from "./live-ops.ts";
import { routeProblems, samplesOf } from "./panel-messages.ts";
import { PanelServer } from "./panel-server.ts";
import { liveTopologyOf, panelService } from "./panel-service.ts";
import type { PanelPlan } from "./plan-check.ts";
import { recover } from "./recovery.ts";
import { RouteHealth } from "./route-health.ts";
import { ScanWatch } from "./scan-watch.ts";
import { compactWal, StabilitySweep } from "./stability-sweep.ts";
import { watchWorkspace } from "./workspace-gone.ts";

/** How long a stop waits for the panel's work in flight before it stops the drivers anyway. */
const STOP_WAIT_MS = 10_000;

export interface PanelDaemonOptions {
  readonly version: string;
  /** The daemon's log (default: stderr). */
  readonly log?: (line: string) => void;
  /** How long drivers outlive a vanished panel (default: the SDK's 10 s). */
  readonly driverGraceMs?: number;
}

export class PanelDaemon {
  readonly paths: WorkspacePaths;
  readonly listen: string;
  readonly startedAt = Date.now();
  /** The sandbox the drivers run in (ADR 0023), as `rtt panel status` reports it. */
  readonly sandbox: DriverSandbox;
  readonly #o: PanelDaemonOptions;
  readonly #wal: Wal;
  readonly #pool: HostPool;
  /** Signs route tokens and the audit head; its public half checks API tokens. */
  readonly #key: SigningKey;
  readonly #audit: AuditLedger;
  readonly #reconciler: Reconciler;
  /** Failover, degrade, hold and prebind: what a breaker's moves do to a route. */
  readonly #fallback: RouteFallback;
  readonly #wiring: CommittedWiring;
  readonly #sweep: StabilitySweep;
  readonly #server: PanelServer;
  readonly #heartbeatMs: number;
  readonly #healthConfig: PanelConfig["health"];
  /** The policy, compiled again only when policy.json changes. */
  readonly #policy: () => PolicyEngine;
  /** panel.yaml's strict mode, read again only when panel.yaml changes. */
  readonly #trust: () => ManifestTrust;
  /** panel.yaml's security.allow_paths, read again only when panel.yaml changes. */
  readonly #allowPaths: () => readonly string[];
  /** panel.yaml's routing.prefer as `start` loaded it: the lane kinds a route falls back on. */
  readonly #prefer: readonly LaneKind[];
  /** The catalog, read again only when `rtt scan` rewrote it. */
  readonly #catalog: () => readonly CatalogSymbol[];
  /** Route health and breakers; made once recovery knows the live routes. */
  #health: RouteHealth | undefined;
  /** Watching the scan roots (panel.yaml scan.watch); undefined when not. */
  #watch: ScanWatch | undefined;
  /** Watching that the workspace is still there (workspace-gone.ts). */
  #workspace: { stop(): void } | undefined;
  /** panel.yaml's security.require_tokens: every mutating call needs a token. */
  readonly #requireTokens: boolean;
  /** Aborted when the panel stops: ends the open Health and Audit streams. */
  readonly #closing = new AbortController();
  #stopping: Promise<void> | undefined;
  /** Resolves once the daemon has stopped (Shutdown, or stop()). */
  readonly stopped: Promise<void>;
  #markStopped: () => void = () => {};
  /**
   * The daemon's log line: to `options.log`, else stderr. Every line is escaped here, once for
   * all its writers: a client's text or a driver's output in it cannot end the line and forge
   * the next one, nor drive the terminal that shows the log (issue 15).
   */
  readonly #log = (line: string): void => {
    (this.#o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(escapeControl(line));
  };

  /** `resolved`: panel.yaml as `start` loaded it. */
  private constructor(
    paths: WorkspacePaths,
    resolved: ResolvedConfig,
    wal: Wal,
    options: PanelDaemonOptions,
  ) {
    this.paths = paths;
    this.listen = resolved.listen;
    this.#server = new PanelServer(resolved.listen, {
      caps: resolved.streams,
      allowUids: resolved.raw.security?.allow_uids ?? [],
      log: limitedLog(this.#log),
    });
    this.#o = options;
    this.#wal = wal;
    const config = resolved.raw;
    this.#heartbeatMs = config.health?.heartbeat_ms ?? 250;
    this.#requireTokens = config.security?.require_tokens ?? false;
    this.#policy = cachedByFile(paths.policy, () => compilePolicy(loadPolicy(paths).policy));
    this.#catalog = cachedByFile(paths.catalog, () => readCatalog(paths.catalog).symbols);
    this.#trust = cachedByFile(paths.panelConfig, () => loadTrust(paths));
    this.#allowPaths = cachedByFile(paths.panelConfig, () => loadAllowPaths(paths));
    this.#healthConfig = config.health;
    this.#prefer = config.routing?.prefer ?? DEFAULT_PREFER;
    this.sandbox = new DriverSandbox(paths, config.security?.sandbox ?? "auto", {
      prefer: this.#prefer,
      catalog: () => this.#catalogOrNone(),
      allowPaths: () => this.#allowPaths(),
    });
    this.#pool = new HostPool(
      paths.drivers,
      {
        heartbeatMs: this.#heartbeatMs,
        allowUids: config.security?.allow_uids ?? [],
        ...(options.driverGraceMs === undefined ? {} : { graceMs: options.driverGraceMs }),
        log: (l) =>
          this.#log(`[${l.driver}${l.stream === "host" ? "" : ` ${l.stream}`}] ${l.line}`),
      },
      (launch) => this.sandbox.wrap(launch),
    );
    this.#key = panelKey(paths.rttDir);
    this.#audit = new AuditLedger(paths.audit, {
      signer: this.#key,
      onHeadError: (error) => this.#log(`writing the audit head failed: ${String(error)}`),
    });
    this.#reconciler = this.#makeReconciler();
    this.#fallback = this.#makeFallback();
    this.#wiring = new CommittedWiring({
      wal,
      reconciler: this.#reconciler,
      pool: this.#pool,
      catalog: () => this.#catalog(),
      log: this.#log,
    });
    this.#sweep = new StabilitySweep({
      reconciler: this.#reconciler,
      wiring: this.#wiring,
      fallback: this.#fallback,
      log: this.#log,
    });
    this.#pool.onRestart = (name) => void this.#wiring.driverLost(name);
    this.stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
  }

  #makeReconciler(): Reconciler {
    return new Reconciler({
      wal: this.#wal,
      audit: this.#audit,
      pool: this.#pool,
      root: this.paths.root,
      allowPaths: () => this.#allowPaths(),
      prefer: () => this.#prefer,
      progress: this.#log,
      driverRecords: () => this.#pool.records() as unknown as Record<string, JsonValue>,
      breakerStates: () => (this.#health?.states() ?? {}) as unknown as Record<string, JsonValue>,
      failedOver: () => this.#fallback.onFailover,
      verify: (route) => this.#verify(route),
      routeTokens: new RouteTokens(this.#key, HANDSHAKE_TIMEOUT_MS),
    });
  }

  #makeFallback(): RouteFallback {
    return new RouteFallback({
      reconciler: this.#reconciler,
      breaker: (route) => this.#health?.view(route)?.breaker,
      catalog: () => this.#catalogOrNone(),
      policy: () => this.#policy(),
      trust: () => this.#trust(),
      trialBudget: (route) => {
        const config = this.#breakerConfig(route);
        return { perWindow: config.probeMax, windowMs: config.probeWindowMs };
      },
      log: this.#log,
    });
  }

  /** Recovers (recovery.ts) and starts serving. RTT_ERR_WAL_LOCKED when a panel runs. */
  static async start(paths: WorkspacePaths, options: PanelDaemonOptions): Promise<PanelDaemon> {
    const config = loadValidPanelConfig(paths);
    const wal = Wal.open({ dir: paths.wal });
    let daemon: PanelDaemon;
    try {
      daemon = new PanelDaemon(paths, config, wal, options);
    } catch (error) {
      wal.close();
      throw error;
    }
    try {
      daemon.#checkLedger();
      await daemon.#recover();
      await daemon.#startWatching();
      await daemon.#serve();
      daemon.#workspace = watchWorkspace(paths.rttDir, (why) => {
        daemon.#log(`stopping: ${why}`);
        void daemon.stop();
      });
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /** Recovery, then the parts that run on what it found: the health loop, fallback, sweep. */
  async #recover(): Promise<void> {
    const recovered = await recover({
      root: this.paths.root,
      wal: this.#wal,
      pool: this.#pool,
      reconciler: this.#reconciler,
      wiring: this.#wiring,
      audit: this.#audit,
      catalog: () => this.#catalog(),
      log: this.#log,
    });
    const onBreaker = breakerActions({
      reconciler: this.#reconciler,
      ledger: this.#audit,
      fallback: this.#fallback,
      log: this.#log,
    });
    this.#health = new RouteHealth(
      {
        intervalMs: this.#heartbeatMs,
        routes: () => this.#reconciler.live.values(),
        keep: () => Object.keys(asTopology(this.#wal.committed?.post).edges),
        sample: (driver, link) => this.#pool.sample(driver, link),
        configFor: (route) => this.#breakerConfig(route),
        onTransition: onBreaker,
      },
      recovered.breakers,
    );
    this.#health.start();
    await this.#fallback.recovered(recovered.failedOver);
    this.#sweep.start();
  }

  /** After recovery (a re-plan needs the live routes): scans, then rescans on each change. */
  async #startWatching(): Promise<void> {
    // A watcher that cannot start (inotify's limit reached) leaves a panel that works as before.
    this.#watch = await ScanWatch.start({
      paths: this.paths,
      live: () => ({
        topology: liveTopologyOf(this.#reconciler),
        seq: this.#wal.committed?.seq ?? 0,
      }),
      apply: (panel, actor) => this.#applyOwn(panel, actor),
      failover: (routeId, actor) => this.#failOverOwn(routeId, actor),
      log: this.#log,
    }).catch((error: unknown) => {
      this.#log(`not watching the scan roots: ${errorMessage(error)}`);
      return undefined;
    });
  }

  /** ApplyPlan's path for the panel's own plan: the apply, then compaction and prebinding. */
  async #applyOwn(panel: PanelPlan, actor: Actor) {
    const result = await this.#reconciler.apply(panel.plan, panel.catalog, actor);
    await compactWal(this.#reconciler, this.#log);
    void this.#fallback.prebind();
    return result;
  }

  /**
   * A route whose target vanished, moved along its failover set as a breaker's failover moves
   * it (a QuickConnect). Returns the new target's address; undefined when there is none.
   */
  async #failOverOwn(routeId: string, actor: Actor): Promise<string | undefined> {
    const route = this.#reconciler.live.get(routeId);
    const target =
      route === undefined
        ? undefined
        : failoverTarget(route, this.#catalogOrNone(), this.#policy(), this.#trust());
    if (target === undefined) return undefined;
    await this.#reconciler.quickConnect(routeId, target.target, target.driver, actor);
    void this.#fallback.prebind();
    return target.target.saddr;
  }

  /** panel.yaml's trip threshold and the route's failover health bounds from the policy. */
  #breakerConfig(route: WiredRoute): BreakerConfig {
    const source = this.#catalogOrNone().find((s) => s.saddr === route.edge.from.saddr);
    const bounds =
      source === undefined ? [] : (this.#policy().failoverFor(addressOf(source))?.health ?? []);
    return breakerConfig(this.#healthConfig, bounds);
  }

  /** The catalog, or none when there is none yet (health checks must not throw for that). */
  #catalogOrNone(): readonly CatalogSymbol[] {
    try {
      return this.#catalog();
    } catch {
      return [];
    }
  }

  /** Post-commit check: both ends' links answer a health sample and say ok. */
  async #verify(r: WiredRoute): Promise<string | undefined> {
    const { from, to } = await samplesOf(this.#pool, r);
    const problems = routeProblems(r, from, to);
    return problems.length === 0 ? undefined : problems.join("; ");
  }

  /** What #checkLedger found at start ("" when nothing): `rtt panel status` shows it. */
  #auditProblem = "";

  /** At start: a ledger that fails its chain or the WAL's anchors is logged (ADR 0019). */
  #checkLedger(): void {
    try {
      const { verdict, anchor } = checkWorkspaceLedger(this.paths);
      const problem = !verdict.ok
        ? `${verdict.problem}: ${verdict.message}`
        : anchor === undefined
          ? undefined
          : `${anchor.problem}: ${anchor.message}`;
      if (problem === undefined) return;
      this.#auditProblem = problem;
      this.#log(`WARNING: audit ledger tampered: ${problem} (run \`rtt audit --verify\`)`);
    } catch (error) {
      this.#auditProblem = `the ledger could not be checked: ${String(error)}`;
      this.#log(`WARNING: audit ledger could not be checked: ${String(error)}`);
    }
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
        tokens: new TokenGate({
          requireTokens: this.#requireTokens,
          publicKey: this.#key.publicKey,
          log: this.#log,
        }),
        callers: this.#server.callers,
        auditProblem: this.#auditProblem,
        sandbox: this.sandbox.status,
        writesStopped: () => (this.#wal.stopped ?? this.#audit.stopped)?.message ?? "",
        health: () => this.#health,
        catalog: () => this.#catalog(),
        policy: () => this.#policy(),
        trust: () => this.#trust(),
        reconcileTo: (target, actor) => this.#wiring.reconcileTo(target, actor),
        compact: () => compactWal(this.#reconciler, this.#log),
        prebind: () => void this.#fallback.prebind(),
        log: this.#log,
        lastScan: async () => this.#watch?.lastScan(),
        stop: () => this.stop(),
      }),
    );
    this.#log(
      `panel ${this.#o.version} (pid ${process.pid}) serving ${this.paths.root} on ${this.listen}`,
    );
    const { level, note } = this.sandbox.status;
    this.#log(`drivers run in sandbox "${level}"${note === "" ? "" : `: ${note}`}`);
  }

  /** Stops every driver (closing the links, lanes and children), the server, the WAL. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#workspace?.stop();
      // First: a rescan's reroute finishes, and no other starts, before the drivers stop.
      await this.#watch?.close();
      this.#health?.stop();
      this.#sweep.stop();
      this.#server.notServing();
      this.#closing.abort();
      await this.#server.shutdown();
      // Work already under way on the drivers (a sweep, a failover, a swap's follow-up) ends
      // before they stop: a driver stopped mid-Open or mid-Offer leaves what it was making.
      await Promise.race([
        (async () => {
          await this.#sweep.settled();
          await this.#reconciler.idle();
          // A moved-off target still draining (ADR 0024) finishes and is reported first.
          await this.#reconciler.retired();
        })(),
        sleep(STOP_WAIT_MS, undefined, { ref: false }),
      ]);
      // Each driver's Shutdown drains its targets' programs: it gets the longest drain it runs.
      const drains = stopDrains(this.#reconciler.heldLinks());
      for (const ref of drains.cut)
        this.#log(
          `${linkResourceName(ref)}: x-drain-ms ${ref.drain_ms} is more than a stop waits (${STOP_DRAIN_CAP_MS} ms): its program's drain may be cut short`,
        );
      await this.#pool.stopAll(drains.byDriver);
      const stray = stopUnownedPrograms(this.paths.root);
      if (stray.length > 0)
        this.#log(`ended program(s) no driver ran any more: pid ${stray.join(", ")}`);
      this.#reconciler.releaseAll();
      // The hot swaps' records only written so far are made durable before the files close.
      await this.#reconciler.settleWrites();
      // On a full or failing disk the panel still stops: the head lags (which verifies) and
      // the WAL's lock is released whatever its last fsync said.
      await this.#audit
        .settle()
        .catch((error) => this.#log(`could not write the audit head: ${errorMessage(error)}`));
      try {
        this.#wal.close();
      } catch (error) {
        this.#log(`could not flush the WAL on close: ${errorMessage(error)}`);
      }
      this.#server.removeSocket();
      this.#log("panel stopped");
      this.#markStopped();
    })();
    return this.#stopping;
  }
}

/**
 * The reconciler: the panel's one way to change the wiring (docs/design.md §The life of a route:
 * apply, hot swap, trip, recover). Every call waits its turn on one serial queue — batches,
 * moves and sweeps must not interleave — and is carried out by the part that owns it:
 *
 *   live-routes.ts        the wired routes and their parked sources (the only one changing them)
 *   plan-apply.ts         a plan, a rollback or a retarget, batch by batch
 *   batch-transaction.ts  one batch: prepare, flip, commit, retire, or roll back
 *   target-moves.ts       a hot swap: acquire the new target, agree, flip, retire the old one
 *   hold.ts               a breaker's hold on a source: throttle, park, unpark
 *   spare-keeping.ts      warm spares: retired targets, prebound failover targets
 *   sweeper.ts            the live routes against the drivers' links and the WAL's ledger
 *   route-links.ts        opening, journaling and closing route ends' links
 *   retire-target.ts      closing a moved route's old target: its program drained, reported
 *   reconcile-parts.ts    what the parts above share, built once here
 *   wal-compaction.ts     compacting the WAL between applies
 */
import type { CatalogSymbol } from "@rtt/core";
import type { Plan } from "../plan/plan.ts";
import type { Topology } from "../plan/topology.ts";
import { GroupCommit } from "../wal/group-commit.ts";
import type { Actor } from "./actor.ts";
import { type BatchOutcome, BatchTransaction } from "./batch-transaction.ts";
import type { LinkRef } from "./drivers.ts";
import { graphJson, type PanelGraph, type WiredRoute } from "./graph.ts";
import { always, Hold, type StillWanted } from "./hold.ts";
import { LiveRoutes } from "./live-routes.ts";
import { type ApplyResult, PlanApply, type Retarget } from "./plan-apply.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { beginUnlessStopped, type ReconcilerOptions } from "./reconciler-options.ts";
import { type RetiredTarget, TargetRetirement } from "./retire-target.ts";
import { RouteLinks } from "./route-links.ts";
import { SerialQueue } from "./serial-queue.ts";
import { SpareKeeper } from "./spare-keeping.ts";
import type { Spare } from "./spares.ts";
import { Sweeper, type Swept } from "./sweeper.ts";
import { type QuickConnectResult, TargetMoves } from "./target-moves.ts";
import { WalCompaction } from "./wal-compaction.ts";

export type { ApplyResult, Retarget } from "./plan-apply.ts";
export { APPLY_STEPS, type ApplyStep, type ReconcilerOptions } from "./reconciler-options.ts";

export class Reconciler {
  readonly #o: ReconcilerOptions;
  /** One apply (or swap, or sweep) at a time. */
  readonly #queue = new SerialQueue();
  readonly #routes: LiveRoutes;
  readonly #spares: SpareKeeper;
  readonly #retirement: TargetRetirement;
  readonly #moves: TargetMoves;
  readonly #hold: Hold;
  readonly #applies: PlanApply;
  readonly #sweeper: Sweeper;
  readonly #compaction: WalCompaction;
  readonly #groupCommit: GroupCommit;

  constructor(options: ReconcilerOptions, live: Iterable<WiredRoute> = []) {
    this.#o = options;
    this.#routes = new LiveRoutes(options, live);
    const links = new RouteLinks(options);
    this.#retirement = new TargetRetirement(options, links);
    this.#groupCommit = new GroupCommit([options.audit, options.wal], (line) =>
      options.progress?.(line),
    );
    const shared = {
      options,
      routes: this.#routes,
      links,
      retirement: this.#retirement,
      groupCommit: this.#groupCommit,
    };
    this.#spares = new SpareKeeper(shared, this.#queue);
    const parts: ReconcileParts = { ...shared, spares: this.#spares };
    this.#moves = new TargetMoves(parts);
    this.#hold = new Hold(parts, this.#moves);
    this.#applies = new PlanApply(parts, new BatchTransaction(parts), this.#moves);
    this.#sweeper = new Sweeper(parts);
    this.#compaction = new WalCompaction(options.wal);
  }

  get graph(): PanelGraph {
    return this.#routes.graph();
  }

  get live(): ReadonlyMap<string, WiredRoute> {
    return this.#routes.view;
  }

  /** The spares kept now (status, tests). */
  get spares(): readonly Spare[] {
    return this.#spares.values;
  }

  /**
   * Every link the panel holds open: both ends of each wired route, the warm spares and the
   * targets still draining after a move.
   */
  heldLinks(): LinkRef[] {
    return [...this.#routes.links(), ...this.#spares.heldLinks()];
  }

  /** The route's last retired targets and how their programs ended (ADR 0024). */
  retiredTargets(routeId: string): readonly RetiredTarget[] {
    return this.#retirement.of(routeId);
  }

  /** Whether `park` holds the route's frames at its source now. */
  isParked(routeId: string): boolean {
    return this.#routes.isParked(routeId);
  }

  /** Applies a plan made against the live topology (plan-apply.ts). */
  apply(plan: Plan, catalog: readonly CatalogSymbol[], actor: Actor): Promise<ApplyResult> {
    return this.#queue.run(() => this.#applies.apply(plan, catalog, actor));
  }

  /**
   * Rewires to `target` (a journaled topology: rollback, or restoring the committed topology
   * after a restart found some of its links gone).
   */
  reconcileTo(
    target: Topology,
    catalog: readonly CatalogSymbol[],
    actor: Actor,
  ): Promise<ApplyResult> {
    return this.#queue.run(() => this.#applies.reconcileTo(target, catalog, actor));
  }

  /** Moves a route's target end to another driver of its symbol (PlanApply.retarget). */
  retarget(
    routeId: string,
    choose: (route: WiredRoute) => Retarget | undefined,
    catalog: readonly CatalogSymbol[],
    who: string,
  ): Promise<{ readonly move: Retarget; readonly outcome: BatchOutcome } | undefined> {
    return this.#queue.run(() => this.#applies.retarget(routeId, choose, catalog, who));
  }

  /**
   * Journals state that changed without a rewiring (a breaker transition): a transaction whose
   * post-graph has the same topology. Returns its commit seq.
   */
  journal(): Promise<number> {
    return this.#queue.run(async () => {
      const graph = graphJson(this.graph);
      const txid = beginUnlessStopped(this.#o, graph);
      return this.#o.wal.commit(txid, graph, this.#o.audit.head);
    });
  }

  /**
   * QuickConnect (ADR 0013, `rtt qc`): moves a wired one-way route to another target without
   * stopping its source (target-moves.ts). Asking for the target the route already has changes
   * nothing.
   */
  quickConnect(
    routeId: string,
    target: CatalogSymbol,
    targetDriver: string,
    actor: Actor,
  ): Promise<QuickConnectResult> {
    return this.#queue.run(() => this.#moves.move(routeId, target, targetDriver, actor, "swap"));
  }

  /** Bounds a route's source for a half-open trial (Hold.throttle). */
  throttle(
    routeId: string,
    perWindow: number,
    windowMs: number,
    still: StillWanted = always,
  ): Promise<string | undefined> {
    return this.#queue.run(() => this.#hold.throttle(routeId, perWindow, windowMs, still));
  }

  /** Holds a one-way route's frames at its source (Hold.park). */
  park(routeId: string, actor: Actor | "re-assert", still: StillWanted = always): Promise<boolean> {
    return this.#queue.run(() => this.#hold.park(routeId, actor, still));
  }

  /** Ends a park onto a fresh link of the route's target (Hold.unpark). */
  unpark(
    routeId: string,
    target: CatalogSymbol,
    actor: Actor,
    still: StillWanted = always,
  ): Promise<boolean> {
    return this.#queue.run(() => this.#hold.unpark(routeId, target, actor, still));
  }

  /**
   * After a restart: the drivers kept their links' state, the panel's memory of it is gone.
   * Routes whose source may have been parked by the previous panel (its breaker was half-open
   * or held open when journaled) are taken as parked, so the fallback's settle unparks (a fresh
   * target link) or re-asserts them.
   */
  assumeParked(routeIds: Iterable<string>): void {
    this.#routes.assumeParked(routeIds);
  }

  /** Opens and arms a warm spare for a route's failover (SpareKeeper.prebind). */
  prebind(routeId: string, target: CatalogSymbol, targetDriver: string): Promise<boolean> {
    return this.#queue.run(() => this.#spares.prebind(routeId, target, targetDriver));
  }

  /** Resolves once no retired link is still draining (tests, shutdown). */
  retired(): Promise<void> {
    return this.#spares.retired();
  }

  /** Takes routes found live at start-up (their drivers re-attached) as the current wiring. */
  adopt(routes: Iterable<WiredRoute>): void {
    this.#routes.adopt(routes);
  }

  /**
   * At start-up: closes every link the WAL's ledger journaled that no committed route uses,
   * then runs the stability sweep for what the drivers hold.
   */
  async sweepOrphans(): Promise<Swept> {
    const journaled = await this.#queue.run(() => this.#sweeper.closeJournaledStrays());
    const swept = await this.sweep();
    return { orphans: [...journaled, ...swept.orphans], broken: swept.broken };
  }

  /** The stability sweep (Sweeper.sweep): orphaned links closed, broken routes given back. */
  sweep(): Promise<Swept> {
    return this.#queue.run(() => this.#sweeper.sweep());
  }

  /** A driver died: its routes are unwired, their other ends closed (Sweeper.dropDriver). */
  dropDriver(name: string): Promise<string[]> {
    return this.#queue.run(() => this.#sweeper.dropDriver(name));
  }

  /** The panel stopped its drivers, and every link with them: they leave the ledger. */
  releaseAll(): void {
    this.#sweeper.releaseAll();
  }

  /** Compacts the WAL between applies (WalCompaction.compact). Returns the bytes removed. */
  compactWal(atBytes: number, keepCommits: number): Promise<number> {
    return this.#queue.run(async () => this.#compaction.compact(atBytes, keepCommits));
  }

  /**
   * Before the WAL and the audit ledger close: the hot swaps' records only written so far are
   * fsynced (GroupCommit.settle).
   */
  settleWrites(): Promise<void> {
    return this.#groupCommit.settle();
  }

  /** Resolves once the work queued so far (applies, swaps, sweeps) has finished. */
  idle(): Promise<void> {
    return this.#queue.idle();
  }
}

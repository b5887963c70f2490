/**
 * What the panel does with a route when its breaker moves
 * (docs/design.md §The life of a route: trip, failover, degrade, hold), in order of
 * preference: fail over along the policy's failover set (onto a prebound warm spare when there
 * is one); degrade a request/response route to a stub of its target's examples (degrade.ts);
 * hold a tripped one-way route (its source parks). Once the breaker leaves open, a degraded or
 * held route goes back to its real target, so the half-open trial judges the real one. And
 * each route's next failover target is kept prebound (`prebind`). The daemon calls `opened`
 * and `settle` on breaker transitions and `sweep` with every stability sweep.
 */
import { type BackoffPolicy, backoffDelay, type CatalogSymbol } from "@rtt/core";
import type { BreakerState } from "../health/breaker.ts";
import type { PolicyEngine } from "../policy/policy-engine.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import type { Reconciler, Retarget } from "../reconcile/reconciler.ts";
import type { ManifestTrust } from "../router/router.ts";
import { isDegraded, realEnd, stubEnd } from "./degrade.ts";
import { failoverTarget } from "./live-ops.ts";

export interface RouteFallbackOptions {
  readonly reconciler: Reconciler;
  /** A route's breaker now (undefined before the health loop watched it). */
  readonly breaker: (routeId: string) => BreakerState | undefined;
  /** The catalog, or none yet. */
  readonly catalog: () => readonly CatalogSymbol[];
  readonly policy: () => PolicyEngine;
  /** panel.yaml's strict mode: a failover never picks a target the plan would refuse. */
  readonly trust: () => ManifestTrust;
  /** The half-open trial's budget of a route: its breaker's probe budget. */
  readonly trialBudget: (route: WiredRoute) => { perWindow: number; windowMs: number };
  readonly log: (line: string) => void;
  /** Monotonic milliseconds (default performance.now): when a failed failover is tried again. */
  readonly now?: () => number;
}

/** A failed failover's next try: after 5 s, doubling up to a minute. */
const FAILOVER_RETRY: BackoffPolicy = { baseMs: 5_000, maxMs: 60_000, jitter: "none" };

export class RouteFallback {
  readonly #o: RouteFallbackOptions;
  /**
   * Routes whose failover failed (the target would not open, the handshake was refused): why
   * the breaker opened, and when the sweep may try again while it stays open (backing off, so a
   * target that keeps failing is not reopened every sweep of a held breaker).
   */
  readonly #failedOver = new Map<string, { why: string; failures: number; retryAt: number }>();
  /**
   * Routes a failover moved while their breaker stays open: they run on the target they failed
   * over to, and are not held for want of a next one (the breaker judged the target they left).
   */
  readonly #onFailover = new Set<string>();

  /** What the graph journals of `#onFailover` (a restarted panel gives it back: `recovered`). */
  get onFailover(): ReadonlySet<string> {
    return this.#onFailover;
  }

  constructor(options: RouteFallbackOptions) {
    this.#o = options;
  }

  #now(): number {
    return (this.#o.now ?? performance.now)();
  }

  /**
   * The stability sweep's part: a stub left answering with no open breaker behind it (a
   * rollback to a degraded commit) hands the route back; a parked route follows its breaker (a
   * restarted panel parks a tripped one again); a failover that failed is tried again while
   * the breaker stays open; next failover targets are prebound.
   */
  async sweep(): Promise<void> {
    for (const route of [...this.#o.reconciler.live.values()]) {
      const id = route.edge.route;
      const breaker = this.#o.breaker(id);
      const open = breaker?.state === "open";
      const retry = this.#failedOver.get(id);
      if (!open) this.#onFailover.delete(id);
      if (retry === undefined || !open) this.#failedOver.delete(id);
      else if (this.#now() >= retry.retryAt) await this.opened(id, retry.why);
      const tripped = open && breaker?.held === true;
      const holdDrift =
        route.edge.pattern === "oneway" && this.#o.reconciler.isParked(id) !== tripped;
      // Degraded with the breaker no longer open, or open and answerable by a stub but wired to
      // the real target (an apply that changed the route rewired it there).
      const degradeDrift =
        route.edge.pattern === "reqrep" &&
        isDegraded(route) !== open &&
        !this.#onFailover.has(id) &&
        (!open || "to" in stubEnd(route, this.#o.catalog()));
      if (degradeDrift || holdDrift) await this.settle(id);
      await this.trial(id);
    }
    const sources = new Set(
      [...this.#o.reconciler.live.values()].map((r) => `${r.from.driver}/${r.from.link}`),
    );
    for (const source of this.#trials) if (!sources.has(source)) this.#trials.delete(source);
    for (const id of this.#failedOver.keys())
      if (!this.#o.reconciler.live.has(id)) this.#failedOver.delete(id);
    for (const id of this.#onFailover)
      if (!this.#o.reconciler.live.has(id)) this.#onFailover.delete(id);
    await this.prebind();
  }

  /**
   * After a panel restart: the drivers kept their links' state (a parked outbound, a trial's
   * bound), the panel's memory of it went with the old panel. Every bound is lifted; a route
   * held when journaled is parked again (no second audit record); one journaled half-open may
   * still be parked, so it is taken as parked and the next settle unparks it. The sweep then
   * brings each route in line with its breaker.
   */
  async recovered(journaledOnFailover: Iterable<string> = []): Promise<void> {
    for (const id of journaledOnFailover) this.#onFailover.add(id);
    const maybeParked: string[] = [];
    for (const route of [...this.#o.reconciler.live.values()]) {
      const id = route.edge.route;
      const breaker = this.#o.breaker(id);
      try {
        await this.#o.reconciler.throttle(id, 0, 0);
        if (breaker?.state === "open" && breaker.held) {
          if (
            !this.#onFailover.has(id) &&
            failoverTarget(route, this.#o.catalog(), this.#o.policy(), this.#o.trust()) ===
              undefined
          )
            await this.#o.reconciler.park(id, "re-assert");
        } else if (breaker?.state === "half-open") maybeParked.push(id);
      } catch (error) {
        this.#o.log(`route ${id}: restoring its hold or trial failed: ${String(error)}`);
      }
    }
    this.#o.reconciler.assumeParked(maybeParked);
    await this.sweep();
  }

  /** Source links bounded by a half-open trial now, by resource name ("driver/link"). */
  readonly #trials = new Set<string>();

  /**
   * The half-open trial's bounded sample (ADR 0013: neither everyone nor one probe): while a
   * route's breaker is half-open its source sends at most the breaker's probe budget per window
   * and the rest waits at the source under the route's QoS; the bound is lifted once the
   * breaker leaves half-open. Idempotent: call it after every transition (and each sweep).
   */
  async trial(routeId: string): Promise<void> {
    const route = this.#o.reconciler.live.get(routeId);
    if (route === undefined) return;
    const halfOpen = this.#o.breaker(routeId)?.state === "half-open";
    const source = `${route.from.driver}/${route.from.link}`;
    if (halfOpen === this.#trials.has(source)) return;
    const { perWindow, windowMs } = halfOpen
      ? this.#o.trialBudget(route)
      : { perWindow: 0, windowMs: 0 };
    try {
      const bounded = await this.#o.reconciler.throttle(
        routeId,
        perWindow,
        windowMs,
        () => (this.#o.breaker(routeId)?.state === "half-open") === halfOpen,
      );
      if (bounded === undefined) return;
      if (halfOpen) this.#trials.add(bounded);
      else this.#trials.delete(bounded);
      this.#o.log(
        halfOpen
          ? `route ${routeId}: half-open trial: at most ${perWindow} messages every ${windowMs} ms reach ${route.edge.to.saddr}`
          : `route ${routeId}: trial over: the source sends freely again`,
      );
    } catch (error) {
      this.#o.log(`route ${routeId}: bounding the half-open trial failed: ${String(error)}`);
    }
  }

  /** A breaker opened: fail over along the policy's failover set, else settle (degrade or hold). */
  async opened(routeId: string, why: string): Promise<void> {
    const route = this.#o.reconciler.live.get(routeId);
    if (route === undefined) return;
    const target = failoverTarget(route, this.#o.catalog(), this.#o.policy(), this.#o.trust());
    if (target === undefined) {
      this.#failedOver.delete(routeId);
      this.#onFailover.delete(routeId); // the target it failed over to failed too
      await this.settle(routeId);
      return;
    }
    // Marked first: the failover's own commit journals it (a restart right after keeps it).
    this.#onFailover.add(routeId);
    try {
      const r = await this.#o.reconciler.quickConnect(routeId, target.target, target.driver, {
        who: "panel",
        why: `failover: ${why}`,
      });
      this.#failedOver.delete(routeId);
      this.#o.log(
        r.changed
          ? `route ${routeId}: failed over to ${target.target.saddr} (commit ${r.seq}${r.warm ? ", a warm spare" : ""})`
          : `route ${routeId}: already on ${target.target.saddr}; nothing to fail over`,
      );
    } catch (error) {
      this.#onFailover.delete(routeId);
      const failures = (this.#failedOver.get(routeId)?.failures ?? 0) + 1;
      const waitMs = backoffDelay(failures - 1, FAILOVER_RETRY);
      this.#failedOver.set(routeId, { why, failures, retryAt: this.#now() + waitMs });
      this.#o.log(
        `route ${routeId}: failover to ${target.target.saddr} failed (tried again in ${Math.round(waitMs / 1000)} s while the breaker is open): ${String(error)}`,
      );
    }
  }

  /**
   * Brings a route's target in line with its breaker (degrade.ts): while it is open, a stub
   * answers from the target's examples (or the route is held, and the log says why); once it
   * is not, the real target is back — the half-open trial judges it, not the stub. Decided
   * when the reconciler is free, on the breaker as it is then.
   */
  async settle(routeId: string): Promise<void> {
    const catalog = this.#o.catalog();
    if (this.#o.reconciler.live.get(routeId)?.edge.pattern === "oneway")
      return this.#settleHold(routeId, catalog);
    try {
      const moved = await this.#o.reconciler.retarget(
        routeId,
        (route) => this.#degradeMove(route, catalog),
        catalog,
        "panel",
      );
      if (moved === undefined) return;
      const {
        move: { action, to },
        outcome,
      } = moved;
      this.#o.log(
        outcome.outcome !== "committed"
          ? `route ${routeId}: ${action} ${outcome.outcome}: ${outcome.error?.message ?? ""}`
          : action === "degrade"
            ? `route ${routeId}: degraded: the stub answers for ${to.saddr} from its examples (commit ${outcome.seq})`
            : `route ${routeId}: restored: ${to.saddr} answers again (commit ${outcome.seq})`,
      );
    } catch (error) {
      this.#o.log(`route ${routeId}: degrade or restore failed: ${String(error)}`);
    }
  }

  /**
   * A one-way route's degrade mode is holding: while `rtt trip` holds its breaker open and it
   * has no failover target, its source is parked (Reconciler.park: frames wait there under the
   * route's QoS, the target gets nothing); once the breaker leaves open, the source moves to a
   * fresh lane of the target, so the half-open trial judges the real target. A breaker the
   * health loop opened (errors, an SLO) with nowhere else to go does not park the route: like
   * Envoy's panic routing, a slow or flaky only target beats none.
   */
  async #settleHold(routeId: string, catalog: readonly CatalogSymbol[]): Promise<void> {
    const route = this.#o.reconciler.live.get(routeId);
    const breaker = this.#o.breaker(routeId);
    if (route === undefined || breaker === undefined) return;
    const meta = { who: "panel", why: `breaker ${breaker.state}: ${breaker.reason}` };
    const isTripped = () => {
      const now = this.#o.breaker(routeId);
      return now?.state === "open" && now.held;
    };
    const tripped = isTripped();
    const parked = this.#o.reconciler.isParked(routeId);
    try {
      if (!tripped && parked) {
        const target = catalog.find((s) => s.saddr === route.edge.to.saddr);
        if (target === undefined)
          return this.#o.log(
            `route ${routeId}: stays held: ${route.edge.to.saddr} left the catalog`,
          );
        if (await this.#o.reconciler.unpark(routeId, target, meta, () => !isTripped()))
          this.#o.log(`route ${routeId}: resumed on ${target.saddr}`);
      } else if (breaker.state !== "open" || parked || this.#onFailover.has(routeId)) return;
      else if (failoverTarget(route, catalog, this.#o.policy(), this.#o.trust()) !== undefined)
        return; // opened()'s
      else if (!tripped)
        this.#o.log(
          `route ${routeId}: breaker open, no failover target: it stays on its only target (\`rtt trip\` holds it)`,
        );
      else if (await this.#o.reconciler.park(routeId, meta, isTripped))
        this.#o.log(
          `route ${routeId}: held — tripped, no failover target: its source is parked (frames wait there under its QoS) until \`rtt heal\``,
        );
    } catch (error) {
      this.#o.log(`route ${routeId}: holding or resuming failed: ${String(error)}`);
    }
  }

  /** The degrade or restore the route needs now, if any (logs why a route is held). */
  #degradeMove(route: WiredRoute, catalog: readonly CatalogSymbol[]): Retarget | undefined {
    const id = route.edge.route;
    const breaker = this.#o.breaker(id);
    const open = breaker?.state === "open";
    // Failed over: it runs on the next target of its failover set, not a stub (the last resort).
    if (open && this.#onFailover.has(id)) return undefined;
    if (open && !isDegraded(route)) {
      const stub = stubEnd(route, catalog);
      if ("to" in stub)
        return { to: stub.to, action: "degrade", why: `breaker open: ${breaker.reason}` };
      this.#o.log(
        `route ${id}: held — breaker open, no failover target, no degrade mode (${stub.held}); it stays wired to ${route.edge.to.saddr}`,
      );
      return undefined;
    }
    if (!open && isDegraded(route)) {
      const real = realEnd(route, catalog);
      if (real !== undefined)
        return {
          to: real,
          action: "restore",
          why: `breaker ${breaker?.state ?? "closed"}: back to the real target`,
        };
      this.#o.log(`route ${id}: stays degraded: no driver opens ${route.edge.to.saddr}`);
    }
    return undefined;
  }

  /**
   * Warm spare pre-bind (ADR 0013): each wired route with a failover set keeps its next target
   * open and armed, so a failover (or a `rtt qc` to it) is the Switch and the commit only. Run
   * after each apply and with each stability sweep (which also re-arms after a failover).
   */
  async prebind(): Promise<void> {
    const catalog = this.#o.catalog();
    for (const route of [...this.#o.reconciler.live.values()]) {
      if (this.#o.breaker(route.edge.route)?.state === "open") continue;
      const next = failoverTarget(route, catalog, this.#o.policy(), this.#o.trust());
      if (next === undefined) continue;
      try {
        if (await this.#o.reconciler.prebind(route.edge.route, next.target, next.driver))
          this.#o.log(`route ${route.edge.route}: ${next.target.saddr} prebound as its warm spare`);
      } catch (error) {
        this.#o.log(
          `route ${route.edge.route}: prebinding ${next.target.saddr} failed: ${String(error)}`,
        );
      }
    }
  }
}

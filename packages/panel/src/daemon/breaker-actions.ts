/**
 * What a route's breaker transition does (docs/design.md §The life of a route: trip, failover,
 * degrade, hold; ADR 0013): it is logged, audited (by who asked for it — `rtt trip` / `rtt heal`
 * — or else by the panel, with the breaker's reason) and journaled; then into open the route
 * fails over, degrades or is held (fallback.ts), and out of open it goes back to its real target
 * for the half-open trial.
 */
import type { AuditLedger } from "../audit/ledger.ts";
import type { BreakerTransition } from "../health/breaker.ts";
import { type Actor, actorFields } from "../reconcile/actor.ts";
import type { Reconciler } from "../reconcile/reconciler.ts";
import type { RouteFallback } from "./fallback.ts";

export interface BreakerActionsOptions {
  readonly reconciler: Pick<Reconciler, "journal">;
  /** Where the transitions are audited. */
  readonly ledger: Pick<AuditLedger, "appendAll">;
  readonly fallback: Pick<RouteFallback, "trial" | "opened" | "settle">;
  readonly log: (line: string) => void;
}

/** What RouteHealth calls with each transition; `actor` is set for a manual trip or heal. */
export type OnBreakerTransition = (route: string, t: BreakerTransition, actor?: Actor) => void;

export function breakerActions(o: BreakerActionsOptions): OnBreakerTransition {
  return (route, t, actor) => {
    o.log(`route ${route}: breaker ${t.from} → ${t.to}: ${t.reason}`);
    o.ledger.appendAll([
      {
        action: t.to === "open" ? "trip" : "heal",
        route,
        ...(actor === undefined ? { who: "panel" } : actorFields(actor)),
        why: actor?.why ?? t.reason,
        before: { breaker: t.from },
        after: { breaker: t.to, reason: t.reason },
      },
    ]);
    void o.reconciler
      .journal()
      .catch((error: unknown) => o.log(`journaling the breaker failed: ${String(error)}`));
    // Into open, a trial's bound is lifted before the route fails over (its source link goes
    // with it). Out of open, the route goes back to its real target with the trial's bound set
    // first — the unpark of a held route releases its backlog, which must meet the bound — and
    // again after, for a restore that gave the route a new source link.
    if (t.to === "open")
      void o.fallback.trial(route).then(() => o.fallback.opened(route, t.reason));
    else if (t.from === "open")
      void o.fallback
        .trial(route)
        .then(() => o.fallback.settle(route))
        .then(() => o.fallback.trial(route));
    else void o.fallback.trial(route);
  };
}

/**
 * What a breaker does to a wired route's source (ADR 0013; docs/design.md §The life of a route:
 * trip, failover, degrade, hold): bound it to a trial's sample (throttle), hold its frames
 * (park), and let them go on to a fresh link of its target (unpark).
 */
import type { CatalogSymbol } from "@rtt/core";
import { type Actor, actorFields } from "./actor.ts";
import { linkResourceName, switchOutbound } from "./drivers.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import type { TargetMoves } from "./target-moves.ts";

/**
 * A move decided outside the reconciler's queue (on a breaker's state) asks again once its
 * turn comes: a trip or heal queued ahead of it may have changed the answer.
 */
export type StillWanted = () => boolean;
export const always: StillWanted = () => true;

export class Hold {
  readonly #parts: ReconcileParts;
  readonly #moves: TargetMoves;

  constructor(parts: ReconcileParts, moves: TargetMoves) {
    this.#parts = parts;
    this.#moves = moves;
  }

  /**
   * Bounds a route's source to `perWindow` chunks every `windowMs` (0 lifts it): the half-open
   * trial's bounded sample (ADR 0013). Returns the source link it applies to, or undefined when
   * the route is not wired.
   */
  async throttle(
    routeId: string,
    perWindow: number,
    windowMs: number,
    still: StillWanted,
  ): Promise<string | undefined> {
    if (!still()) return undefined;
    const route = this.#parts.routes.get(routeId);
    const source =
      route === undefined ? undefined : this.#parts.options.pool.running(route.from.driver);
    if (route === undefined || source === undefined) return undefined;
    await source.throttle(route.from.link, perWindow, windowMs);
    return linkResourceName(route.from);
  }

  /**
   * Holds a one-way route whose breaker opened with nowhere to go (no failover target, no degrade
   * mode): the source's outbound is parked — EOS on the target's lane and no new lane — so the
   * failing target gets nothing more and frames wait at the source under the route's QoS
   * (`buffer`: queued up to its bound, then the producer is paused; `taildrop`: dropped and
   * counted). Both links stay open, the graph unchanged; `unpark` moves the source to a fresh
   * lane of the same target. Not journaled: holding follows the breaker, which is (a restarted
   * panel parks an open route again). False when there is nothing to do.
   */
  async park(routeId: string, actor: Actor | "re-assert", still: StillWanted): Promise<boolean> {
    if (!still()) return false;
    const route = this.#parts.routes.get(routeId);
    if (route === undefined || route.edge.pattern !== "oneway") return false;
    if (this.#parts.routes.isParked(routeId) && actor !== "re-assert") return false;
    const source = await this.#parts.options.pool.get(route.from.driver);
    await switchOutbound(source, route.from.link, undefined);
    this.#parts.routes.park(routeId);
    // A restarted panel re-asserting a hold its predecessor audited: no second record.
    if (actor === "re-assert") return true;
    this.#parts.options.audit.appendAll([
      {
        action: "degrade",
        route: routeId,
        ...actorFields(actor),
        why: actor.why,
        before: { to: route.edge.to.saddr },
        after: { to: route.edge.to.saddr, parked: true },
      },
    ]);
    return true;
  }

  /**
   * Ends a `park`: a fresh link to the route's own target (its old one took an EOS), the
   * handshake, the Switch of the parked source onto it, one WAL commit; the old target link is
   * closed. Audited `restore`. False when the route is not parked.
   */
  async unpark(
    routeId: string,
    target: CatalogSymbol,
    actor: Actor,
    still: StillWanted,
  ): Promise<boolean> {
    if (!still()) return false;
    const route = this.#parts.routes.get(routeId);
    if (route === undefined || !this.#parts.routes.isParked(routeId)) return false;
    // Decided on the route as it was: an apply since may have moved its target (a held
    // route stays held); the next settle unparks it onto the new one.
    if (route.edge.to.saddr !== target.saddr) return false;
    await this.#moves.move(routeId, target, route.edge.to.driver, actor, "unpark");
    return true;
  }
}

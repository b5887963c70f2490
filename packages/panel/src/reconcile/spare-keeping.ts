/**
 * Keeping warm spares (ADR 0013, the book of them is spares.ts): a target a swap moved away from
 * drains its lane, then stays open armed for the route it left; a route's next failover target
 * is opened and armed ahead of any failure (prebind). A move takes a spare from here; the sweep
 * and a driver's loss drop the spares whose links are gone.
 */
import { randomBytes } from "node:crypto";
import { type CatalogSymbol, errorMessage, RttError } from "@rtt/core";
import { type EdgeEnd, endOf } from "../plan/topology.ts";
import { type LinkRef, linkResourceName } from "./drivers.ts";
import type { WiredRoute } from "./graph.ts";
import { agree, laneOptions } from "./handshake-ask.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { openParams } from "./route-journals.ts";
import type { SerialQueue } from "./serial-queue.ts";
import { type Armed, isArmedFor, type Spare, WarmSpares } from "./spares.ts";

/** How long a target a swap moved away from stays open as a warm spare for a swap back. */
const SPARE_TTL_MS = 60_000;

/**
 * How long a swap's follow-up work (watching the retired target drain, arming it as a spare)
 * waits: grpc-js sends a unary answer over several event-loop turns (the message, its write
 * callback, then the trailers), and a driver call started in between delays the trailers —
 * the client's call ends only with them.
 */
const AFTER_ANSWER_MS = 5;

export class SpareKeeper {
  readonly #parts: Omit<ReconcileParts, "spares">;
  readonly #queue: SerialQueue;
  /** Links being drained after a swap (or a spare's expiry), by resource name. */
  readonly #retiring = new Map<string, LinkRef>();
  /** Targets kept open with no route on them: retired by a swap, or prebound for failover. */
  readonly #spares: WarmSpares;

  constructor(parts: Omit<ReconcileParts, "spares">, queue: SerialQueue) {
    this.#parts = parts;
    this.#queue = queue;
    this.#spares = new WarmSpares(SPARE_TTL_MS, (ref) => this.#closeAside(ref));
  }

  /**
   * Closes an expired spare off the queue — its program's drain may take its `x-drain-ms`, and
   * the link is no route's — tracked as retiring, so the sweep leaves it alone and the panel's
   * stop waits for it.
   */
  #closeAside(ref: LinkRef): void {
    const name = linkResourceName(ref);
    this.#retiring.set(name, ref);
    // RouteLinks.close is best effort: it reports a failure and never rejects.
    void this.#parts.links.close([ref]).finally(() => this.#retiring.delete(name));
  }

  /** The spares kept now (status, tests). */
  get values(): readonly Spare[] {
    return this.#spares.values();
  }

  /**
   * Takes the spare for `saddr` if it is of `driver` and that driver runs. One a newer link of
   * its target superseded (an apply opened one since) is closed instead: it may run no program.
   */
  take(saddr: string, driver: string): Spare | undefined {
    const spare = this.#spares.get(saddr);
    if (spare === undefined || spare.ref.driver !== driver) return undefined;
    if (this.#parts.options.pool.running(driver) === undefined) return undefined;
    this.#spares.take(saddr);
    if (!this.#parts.links.superseded(spare.ref, saddr)) return spare;
    this.#closeAside(spare.ref);
    return undefined;
  }

  /**
   * A swap moved `routeId` off `ref` (its target `end`): once the link has taken the `frames`
   * its lane carried, it is kept as a spare armed for the route when `keep` (its program can be
   * re-attached mid-stream), else retired: its program drained to its exit (ADR 0024). Runs
   * in the background; the link counts as held (the sweep leaves it alone) until done.
   */
  retire(ref: LinkRef, frames: number, end: EdgeEnd, routeId: string, keep: boolean): void {
    const name = linkResourceName(ref);
    this.#retiring.set(name, ref);
    // The swap's answer goes out first (AFTER_ANSWER_MS).
    void new Promise((r) => setTimeout(r, AFTER_ANSWER_MS))
      .then(() => this.#parts.links.drained(ref, frames))
      .then(async () => {
        const kept = keep && (await this.#queue.run(() => this.#keepAsSpare(ref, end, routeId)));
        // Not on the queue: a drain may take x-drain-ms, and the link is no route's any more.
        if (!kept) await this.#parts.retirement.retire(ref, end, routeId, "moved off by a swap");
      })
      .catch((error: unknown) =>
        this.#parts.options.progress?.(`  retiring ${name} failed: ${errorMessage(error)}`),
      )
      .finally(() => this.#retiring.delete(name));
  }

  /** Resolves once no retired link is still draining (tests, shutdown). */
  async retired(): Promise<void> {
    while (this.#retiring.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** The links `held()` names: what the panel's stop must give time to drain. */
  heldLinks(): LinkRef[] {
    return [...this.#retiring.values(), ...this.#spares.values().map((s) => s.ref)];
  }

  /** Links the panel holds open that no route uses now: draining, or warm spares. */
  held(): string[] {
    return this.heldLinks().map(linkResourceName);
  }

  /**
   * Warm spare pre-bind (ADR 0013): opens `target` for the one-way route `routeId` ahead of any
   * swap and arms it for the route's source, so a failover (or `rtt qc`) to it is the Switch
   * and the commit only. It stays open while the route is wired from the same source link (the
   * stability sweep closes it after that). True when it opened a link; false when an armed spare
   * was there already or the route cannot use one (not wired, not one-way, already on target).
   * The link is not journaled: it is in no graph, and after a crash the start-up sweep finds it
   * among the drivers' links and closes it.
   */
  async prebind(routeId: string, target: CatalogSymbol, targetDriver: string): Promise<boolean> {
    const route = this.#parts.routes.get(routeId);
    if (route === undefined || route.edge.pattern !== "oneway") return false;
    if (route.edge.to.saddr === target.saddr) return false;
    if (await this.#standingBy(route, target.saddr, targetDriver)) return false;
    const end = endOf(target, targetDriver);
    const ref = await this.#parts.links.open(
      undefined,
      routeId,
      end,
      openParams(this.#parts.options.root, route.edge),
      target,
    );
    const armed = await this.#arm(ref, end, route);
    if (typeof armed !== "object") {
      await this.#parts.links.close([ref]);
      throw new RttError(
        "RTT_ERR_APPLY_FAILED",
        `could not prebind ${target.saddr} for route ${routeId}: the handshake failed`,
      );
    }
    await this.#keep(target.saddr, { ref, armed, prebound: routeId });
    return true;
  }

  /**
   * Whether `saddr` has a spare that serves `route` already, or stands by for another route —
   * either way, prebind opens nothing. An armed one is marked as the route's.
   */
  async #standingBy(route: WiredRoute, saddr: string, targetDriver: string): Promise<boolean> {
    const routeId = route.edge.route;
    const existing = this.#spares.get(saddr);
    if (
      existing !== undefined &&
      existing.ref.driver === targetDriver &&
      isArmedFor(existing, linkResourceName(route.from), route.edge.lane)
    ) {
      if (existing.prebound !== routeId)
        await this.#keep(saddr, { ...existing, prebound: routeId });
      return true;
    }
    // One spare per target: another route's prebound one that still stands by stays (two
    // routes sharing a failover target would otherwise take it from each other every sweep).
    return (
      existing?.prebound !== undefined && existing.prebound !== routeId && this.standsBy(existing)
    );
  }

  /** A prebound spare's route is still wired from the source link it was armed for. */
  standsBy(spare: Spare): boolean {
    const route = spare.prebound === undefined ? undefined : this.#parts.routes.get(spare.prebound);
    return route !== undefined && isArmedFor(spare, linkResourceName(route.from), route.edge.lane);
  }

  /** Forgets the spares whose links are gone (`holds` says no), releasing them. */
  forgetGone(holds: (ref: LinkRef) => boolean): void {
    this.#parts.links.release(this.#spares.remove((s) => !holds(s.ref)).map((s) => s.ref));
  }

  /** Forgets the spares of a driver that died: its links went with it. */
  forgetDriver(name: string): void {
    this.#parts.links.release(this.#spares.remove((s) => s.ref.driver === name).map((s) => s.ref));
  }

  /** Forgets every spare (the panel stopped its drivers). */
  forgetAll(): void {
    this.#parts.links.release(this.#spares.remove(() => true).map((s) => s.ref));
  }

  /**
   * Closes the prebound spares that stand by no more: a prebound spare stands by for one route
   * from one source link, and once that is gone, so is it. Returns their links.
   */
  async closeStale(): Promise<LinkRef[]> {
    const stale = this.#spares
      .remove((s) => s.prebound !== undefined && !this.standsBy(s))
      .map((s) => s.ref);
    await this.#parts.links.close(stale);
    return stale;
  }

  /**
   * Keeps a drained target open as a warm spare for SPARE_TTL_MS, armed for the route it left,
   * so a swap back is only the Switch. Arming that fails leaves a plain spare. False when a
   * newer link of the target was opened while it drained (back-to-back swaps): that one may
   * have taken its program, and keeping it would close that one as the spare it displaced.
   */
  async #keepAsSpare(ref: LinkRef, end: EdgeEnd, routeId: string): Promise<boolean> {
    if (this.#parts.links.superseded(ref, end.saddr)) return false;
    const route = this.#parts.routes.get(routeId);
    const armed = route === undefined ? undefined : await this.#arm(ref, end, route);
    await this.#keep(end.saddr, { ref, armed });
    return true;
  }

  async #keep(saddr: string, spare: Spare): Promise<void> {
    const displaced = this.#spares.keep(saddr, spare);
    if (displaced !== undefined) await this.#parts.links.close([displaced.ref]);
  }

  /**
   * Arms a target link for a route: the target offers a lane (with control lanes) and the
   * route's source link runs the handshake with it now. "spent" when that fails (an offer may
   * be left pending: the link must not be reused for another source).
   */
  async #arm(ref: LinkRef, end: EdgeEnd, route: WiredRoute): Promise<Armed | "spent" | undefined> {
    const target = this.#parts.options.pool.running(ref.driver);
    const source = this.#parts.options.pool.running(route.from.driver);
    if (target === undefined || source === undefined) return undefined;
    try {
      const offered = await agree({
        source: { driver: source, link: route.from.link },
        target: { driver: target, link: ref.link },
        lane: route.edge.lane,
        ...laneOptions(this.#parts.options),
        route: route.edge.route,
        from: route.edge.from.saddr,
        to: end,
        tokens: this.#parts.options.routeTokens,
        // Not in a transaction: a nonce of its own.
        nonce: randomBytes(16).toString("hex"),
      });
      return {
        source: linkResourceName(route.from),
        lane: route.edge.lane,
        address: offered.address,
      };
    } catch (error) {
      this.#parts.options.progress?.(
        `  spare ${linkResourceName(ref)} not armed: ${errorMessage(error)}`,
      );
      return "spent";
    }
  }
}

/**
 * The live-route registry: which routes are wired now, over which links, and which of them are
 * held with their source parked (docs/design.md §The life of a route: trip, failover, degrade,
 * hold). It alone changes that state, through the named operations below; the reconciler's
 * other parts ask it.
 */
import { type LinkRef, linkResourceName } from "./drivers.ts";
import { graphOf, type PanelGraph, type WiredRoute } from "./graph.ts";
import type { ReconcilerOptions } from "./reconciler-options.ts";

/**
 * How a route's source is parked: `parked` by this panel (its breaker is open and nothing can
 * stand in); `assumed` after a restart without knowing it (`assumeParked`), until a park or an
 * unpark settles it — a move must not leave such a source unswitched (it may be sending).
 */
type Parked = "parked" | "assumed";

/** What else the WAL journals with the live routes' graph. */
export type GraphRecords = Pick<
  ReconcilerOptions,
  "driverRecords" | "breakerStates" | "failedOver"
>;

/** What `LiveRoutes.snapshot` keeps. */
export interface RoutesSnapshot {
  readonly wired: ReadonlyMap<string, WiredRoute>;
  readonly parked: ReadonlyMap<string, Parked>;
}

export class LiveRoutes {
  readonly #records: GraphRecords;
  readonly #wired = new Map<string, WiredRoute>();
  readonly #parked = new Map<string, Parked>();

  constructor(records: GraphRecords, routes: Iterable<WiredRoute> = []) {
    this.#records = records;
    this.adopt(routes);
  }

  /** The wired routes by id: a read-only view that follows the registry. */
  get view(): ReadonlyMap<string, WiredRoute> {
    return this.#wired;
  }

  get(routeId: string): WiredRoute | undefined {
    return this.#wired.get(routeId);
  }

  values(): IterableIterator<WiredRoute> {
    return this.#wired.values();
  }

  /** The resource names of the links the wired routes use. */
  linkNames(): Set<string> {
    return new Set([...this.#wired.values()].flatMap((r) => [r.from, r.to].map(linkResourceName)));
  }

  /** Both links of every wired route. */
  links(): LinkRef[] {
    return [...this.#wired.values()].flatMap((r) => [r.from, r.to]);
  }

  /** The graph the WAL journals: the wired routes, the drivers' records, the breakers. */
  graph(): PanelGraph {
    const { driverRecords, breakerStates, failedOver } = this.#records;
    return graphOf(
      this.#wired.values(),
      driverRecords?.() ?? {},
      breakerStates?.() ?? {},
      failedOver?.() ?? [],
    );
  }

  /** Whether the route's source is parked (or assumed to be). */
  isParked(routeId: string): boolean {
    return this.#parked.has(routeId);
  }

  /** Whether this panel parked the route's source itself (not only assumed it after a restart). */
  isKnownParked(routeId: string): boolean {
    return this.#parked.get(routeId) === "parked";
  }

  /** Routes found live at start-up (their drivers re-attached) are wired as they are. */
  adopt(routes: Iterable<WiredRoute>): void {
    for (const r of routes) this.#wired.set(r.edge.route, r);
  }

  /**
   * The route is wired over `route`'s links, its source switched onto them: not parked. `held`:
   * it was moved while held (an apply moving a parked route's target) and stays parked.
   */
  wire(route: WiredRoute, held = false): void {
    this.#wired.set(route.edge.route, route);
    if (held) this.#parked.set(route.edge.route, "parked");
    else this.#parked.delete(route.edge.route);
  }

  /** The route is no longer wired (deleted, or its links are gone), so nothing of it is held. */
  unwire(routeId: string): void {
    this.#wired.delete(routeId);
    this.#parked.delete(routeId);
  }

  /** The route's source is parked now (a park, or a restarted panel re-asserting one). */
  park(routeId: string): void {
    this.#parked.set(routeId, "parked");
  }

  /** The wired one-way routes among `routeIds` are taken as parked, not knowing it. */
  assumeParked(routeIds: Iterable<string>): void {
    for (const id of routeIds)
      if (this.#wired.get(id)?.edge.pattern === "oneway") this.#parked.set(id, "assumed");
  }

  /** The registry as of now, for `restore` when the commit of a change could not be written. */
  snapshot(): RoutesSnapshot {
    return { wired: new Map(this.#wired), parked: new Map(this.#parked) };
  }

  restore(snapshot: RoutesSnapshot): void {
    this.clear();
    for (const [id, r] of snapshot.wired) this.#wired.set(id, r);
    for (const [id, p] of snapshot.parked) this.#parked.set(id, p);
  }

  /** No route is wired any more (the panel stopped its drivers). */
  clear(): void {
    this.#wired.clear();
    this.#parked.clear();
  }
}

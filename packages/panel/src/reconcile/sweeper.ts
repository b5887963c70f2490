/**
 * The live routes against what the drivers and the WAL's ledger hold (docs/design.md §The life
 * of a route: recover): the start-up sweep of journaled strays, the stability sweep, a driver's
 * loss, and the panel's stop.
 */
import { type LinkRef, linkResourceName, parseLinkResourceName } from "./drivers.ts";
import type { WiredRoute } from "./graph.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { isJournaled } from "./route-journals.ts";

export interface Swept {
  readonly orphans: string[];
  readonly broken: string[];
}

export class Sweeper {
  readonly #parts: ReconcileParts;

  constructor(parts: ReconcileParts) {
    this.#parts = parts;
  }

  /**
   * At start-up: closes (or, where the driver is gone, releases) every link the WAL's ledger
   * journaled that no committed route uses — strays of a transaction a crash cut short, links a
   * crash kept from being retired. Returns their names.
   */
  async closeJournaledStrays(): Promise<string[]> {
    const inUse = this.#parts.routes.linkNames();
    const strays = new Map<string, LinkRef>();
    for (const e of this.#parts.options.wal.report.replay.ledger) {
      const ref = e.kind === "link" ? parseLinkResourceName(e.name) : undefined;
      if (ref !== undefined && !inUse.has(e.name)) strays.set(e.name, ref);
    }
    await this.#parts.links.closeStrays([...strays.values()]);
    return [...strays.keys()];
  }

  /**
   * The stability sweep: the registry against the drivers' actual links. A link a driver holds
   * that no wired route uses is closed (an orphan); a wired route one of whose links its driver
   * no longer holds (closed behind the panel's back, or its driver is gone) is dropped — its
   * surviving end closed — so the caller can rewire it. Returns both lists.
   */
  async sweep(): Promise<Swept> {
    const held = await this.#driversLinks();
    const holds = (ref: LinkRef) => held.get(ref.driver)?.has(ref.link) === true;
    // A driver that is restarting lists nothing: its routes are dropDriver's, not broken.
    const listed = (ref: LinkRef) => held.has(ref.driver);
    this.#parts.spares.forgetGone(holds);
    const stale = await this.#parts.spares.closeStale();
    const broken = [...this.#parts.routes.values()].filter(
      (r) => listed(r.from) && listed(r.to) && (!holds(r.from) || !holds(r.to)),
    );
    const handled = new Set<string>(stale.map(linkResourceName));
    for (const r of broken) {
      for (const ref of [r.from, r.to]) handled.add(linkResourceName(ref));
      await this.#dropBroken(r, holds);
    }
    const inUse = new Set([
      ...handled,
      ...this.#parts.spares.held(),
      ...this.#parts.routes.linkNames(),
    ]);
    const orphans: LinkRef[] = [];
    for (const [driver, links] of held)
      for (const link of links)
        if (!inUse.has(linkResourceName({ driver, link }))) orphans.push({ driver, link });
    await this.#parts.links.closeStrays(orphans);
    return { orphans: orphans.map(linkResourceName), broken: broken.map((r) => r.edge.route) };
  }

  /** Each running driver's open links, by driver. */
  async #driversLinks(): Promise<Map<string, Set<string>>> {
    const held = new Map<string, Set<string>>();
    for (const driver of this.#parts.options.pool.names()) {
      const links = await this.#parts.options.pool.running(driver)?.listLinks();
      if (links !== undefined) held.set(driver, new Set(links.map((l) => l.linkId)));
    }
    return held;
  }

  /** A broken route is unwired; the end its driver still holds is closed, the other released. */
  async #dropBroken(route: WiredRoute, holds: (ref: LinkRef) => boolean): Promise<void> {
    this.#parts.routes.unwire(route.edge.route);
    for (const ref of [route.from, route.to]) {
      // The caller rewires it: a journaled route's surviving program is the rewire's.
      if (holds(ref)) await this.#parts.links.close([ref], isJournaled(route.edge));
      else this.#parts.links.release([ref]);
    }
  }

  /**
   * A driver died (it was restarted, or is gone): the links it held are gone, so the routes
   * using it are no longer wired. Their other ends are closed; the caller rewires.
   */
  async dropDriver(name: string): Promise<string[]> {
    const lost = [...this.#parts.routes.values()].filter(
      (r) => r.from.driver === name || r.to.driver === name,
    );
    this.#parts.spares.forgetDriver(name);
    for (const r of lost) {
      this.#parts.routes.unwire(r.edge.route);
      this.#parts.links.release([r.from, r.to].filter((ref) => ref.driver === name));
      // A journaled route's surviving end leaves its program running for the rewire to
      // adopt: what sits in its pipes is not in the journal yet.
      await this.#parts.links.close(
        [r.from, r.to].filter((ref) => ref.driver !== name),
        isJournaled(r.edge),
      );
    }
    return lost.map((r) => r.edge.route);
  }

  /** The panel stopped its drivers, and every link with them: they leave the ledger. */
  releaseAll(): void {
    this.#parts.links.release(this.#parts.routes.links());
    this.#parts.routes.clear();
    this.#parts.spares.forgetAll();
  }
}

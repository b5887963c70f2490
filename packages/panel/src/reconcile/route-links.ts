/**
 * Opening and closing the links at route ends. Every link opened in a transaction is journaled
 * as a `link` resource in the WAL's ledger, and released when it is closed, so a panel killed at
 * any point finds the strays in the ledger on restart (`Reconciler.sweepOrphans`).
 */
import { assertPathAllowed } from "@rtt/connector-sdk";
import {
  type CatalogSymbol,
  errorMessage,
  launchOf,
  launchRouteParams,
  RttError,
  resolveLaunchPath,
} from "@rtt/core";
import type { EdgeEnd } from "../plan/topology.ts";
import { closeDrainMs, linkDrainMs } from "./close-deadlines.ts";
import {
  contractForDriver,
  type LinkRef,
  linkResourceName,
  type ProgramDrain,
  sampleLink,
} from "./drivers.ts";

export type { ProgramDrain } from "./drivers.ts";

import { wiredRoutesOf } from "./graph.ts";
import type { ReconcilerOptions } from "./reconciler-options.ts";
import { isJournaled } from "./route-journals.ts";

/** How long a retired target may take to consume what its lane carried before it is closed. */
const DRAIN_TIMEOUT_MS = 10_000;

export type RouteLinksOptions = Pick<
  ReconcilerOptions,
  "wal" | "pool" | "root" | "allowPaths" | "progress"
>;

/**
 * A driver's Open failure, naming the route: `rtt apply` shows a batch's error, and a batch may
 * hold several routes (a program that did not start, issue 16).
 */
function inRoute(route: string, error: unknown): RttError {
  const message = `route ${route}: ${errorMessage(error)}`;
  if (!(error instanceof RttError))
    return new RttError("RTT_ERR_DRIVER_CALL", message, { cause: error });
  return new RttError(error.code, message, {
    cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}

function endKey(driver: string, saddr: string): string {
  return `${driver} ${saddr}`;
}

export class RouteLinks {
  readonly #o: RouteLinksOptions;
  /**
   * The newest link opened for each end (its driver and address): a process driver hands an
   * end's running program to the newest link of it (its dir-holders.ts), so an older link of
   * the same end may be left running none (`superseded`).
   */
  readonly #newest = new Map<string, string>();

  constructor(options: RouteLinksOptions) {
    this.#o = options;
  }

  /**
   * Opens one end of a route, `symbol` being the catalog's entry for it; journaled as a link
   * resource in `txid` (none: not journaled). `role`: a target's program is drained when its
   * link closes, a source's is not: the link carries how long that may take.
   */
  async open(
    txid: string | undefined,
    route: string,
    end: EdgeEnd,
    params: Readonly<Record<string, string>>,
    symbol: CatalogSymbol,
    role: "source" | "target" = "target",
  ): Promise<LinkRef> {
    // The plan refuses these; a graph from elsewhere (an older WAL, a hand-made plan) too.
    const smuggled = launchRouteParams(params);
    if (smuggled.length > 0)
      throw new RttError(
        "RTT_ERR_PLAN_INVALID",
        `route ${route}: params ${smuggled.join(", ")} would tell the ${end.driver} driver what to run or open; only the catalog says that`,
        { hint: "remove them from routes.json and run `rtt plan` again" },
      );
    // The plan refused a path that leads out; a live operation (qc, failover) did not plan, and
    // a link may have been made since: checked again before any driver is asked (ADR 0022).
    const allowPaths = this.#o.allowPaths?.() ?? [];
    const { path } = end.launch ?? launchOf(symbol);
    if (path !== undefined)
      assertPathAllowed(end.saddr, resolveLaunchPath(this.#o.root, path), [
        this.#o.root,
        ...allowPaths,
      ]);
    const driver = await this.#o.pool.get(end.driver);
    const link = await driver
      .open(end.saddr, {
        contract: contractForDriver(symbol, this.#o.root, end.launch, allowPaths),
        // What a route's SYN must expect of this link (ADR 0031): no driver computes it.
        contractHash: symbol.contract_hash,
        params,
      })
      .catch((error: unknown) => {
        throw inRoute(route, error);
      });
    const ref = { driver: end.driver, link, drain_ms: linkDrainMs(end, role) };
    this.#newest.set(endKey(end.driver, end.saddr), linkResourceName(ref));
    // The link exists now; journal it (made durable before the flip; a crash before that is
    // covered by the sweep asking the drivers for their links).
    if (txid !== undefined)
      this.#o.wal.recordResource(
        txid,
        {
          kind: "link",
          name: linkResourceName(ref),
          owner: `route:${route}`,
          lease: { pid: process.pid, startTime: "0" },
        },
        { sync: false },
      );
    return ref;
  }

  /**
   * Whether a newer link of `ref`'s end (`saddr` on its driver) was opened since: its program
   * may have gone to that one, so `ref` is no warm spare (a flow switched to it would reach no
   * program), only a link to close.
   */
  superseded(ref: LinkRef, saddr: string): boolean {
    const newest = this.#newest.get(endKey(ref.driver, saddr));
    return newest !== undefined && newest !== linkResourceName(ref);
  }

  /**
   * Closes links (best effort: a dead driver has closed them already) and releases them, each
   * Close allowed its program's drain (close-deadlines.ts). `detach`: leave the links' programs
   * adoptable (DriverCalls.close).
   */
  async close(links: readonly LinkRef[], detach = false): Promise<void> {
    for (const ref of links) await this.closeReporting(ref, closeDrainMs(ref), detach);
  }

  /**
   * Closes one link as `close` does (best effort) and says how its program ended, when its
   * driver runs one (ADR 0024); `drainMs`: how much longer than usual its driver may take.
   */
  async closeReporting(
    ref: LinkRef,
    drainMs: number,
    detach = false,
  ): Promise<ProgramDrain | undefined> {
    try {
      // A driver that is not running took its links with it: nothing to close.
      const res = await this.#o.pool.running(ref.driver)?.closeLink(ref.link, detach, drainMs);
      this.#o.wal.released("link", linkResourceName(ref));
      const drain = res?.drain;
      if (drain !== undefined)
        this.#o.progress?.(
          `  ${linkResourceName(ref)} closed: program ${drain.ended}${drain.code >= 0 ? ` ${drain.code}` : ""}${drain.signal === "" ? "" : ` (${drain.signal})`}, ${drain.frames} frames taken`,
        );
      return drain;
    } catch (error) {
      this.#o.progress?.(`  could not close ${linkResourceName(ref)}: ${errorMessage(error)}`);
      return undefined;
    }
  }

  /** Links whose driver took them with it (it died, or was stopped): they leave the ledger. */
  release(links: readonly LinkRef[]): void {
    for (const ref of links) this.#o.wal.released("link", linkResourceName(ref));
  }

  /**
   * Closes links no live route uses. One that a committed journaled route still names (its
   * other end's driver died, a panel start found it alone, a rewire was rolled back) is closed
   * detached: the committed topology is restored, and that rewire adopts its program.
   */
  async closeStrays(refs: readonly LinkRef[]): Promise<void> {
    const { links } = this.committedJournaled();
    const named = (ref: LinkRef) => links.has(linkResourceName(ref));
    await this.close(refs.filter(named), true);
    await this.close(refs.filter((ref) => !named(ref)));
  }

  /** The committed topology's journaled routes, and the links it names for them. */
  committedJournaled(): { routes: Set<string>; links: Set<string> } {
    const committed = wiredRoutesOf(this.#o.wal.committed?.post).filter((r) => isJournaled(r.edge));
    return {
      routes: new Set(committed.map((r) => r.edge.route)),
      links: new Set(committed.flatMap((r) => [r.from, r.to].map(linkResourceName))),
    };
  }

  /** Waits (bounded) until a retired target's link has taken `frames` frames: its lane's share. */
  async drained(ref: LinkRef, frames: number): Promise<void> {
    const driver = this.#o.pool.running(ref.driver);
    if (driver === undefined) return;
    const until = Date.now() + DRAIN_TIMEOUT_MS;
    while (Date.now() < until) {
      // A driver that went away meanwhile took the link with it.
      const sample = await sampleLink(driver, ref.link).catch(() => undefined);
      if (sample === undefined || sample.frames_in >= frames) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    this.#o.progress?.(
      `  ${linkResourceName(ref)} did not take its ${frames} frames in time; closing it`,
    );
  }
}

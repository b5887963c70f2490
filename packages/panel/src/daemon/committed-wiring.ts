/**
 * Keeps the panel wired as the WAL's last commit says (docs/design.md §The life of a route:
 * recover): whatever committed route is not live — its drivers were gone at start-up, one of
 * its links died, its driver crashed and restarted — is rewired through the reconciler's
 * two-phase path, so the panel converges on exactly the committed topology. A rollback reconciles
 * to an older commit's topology the same way.
 */
import { type CatalogSymbol, errorMessage } from "@rtt/core";
import { asTopology, type Edge, type Topology } from "../plan/topology.ts";
import type { Actor } from "../reconcile/actor.ts";
import { bothDriversRun } from "../reconcile/drivers.ts";
import type { ApplyResult, Reconciler } from "../reconcile/reconciler.ts";
import type { Wal } from "../wal/wal.ts";
import type { HostPool } from "./host-pool.ts";

export interface CommittedWiringOptions {
  readonly wal: Wal;
  readonly reconciler: Reconciler;
  readonly pool: HostPool;
  /** The catalog (RTT_ERR_CATALOG_MISSING before the first scan). */
  readonly catalog: () => readonly CatalogSymbol[];
  readonly log: (line: string) => void;
}

export class CommittedWiring {
  readonly #o: CommittedWiringOptions;

  constructor(options: CommittedWiringOptions) {
    this.#o = options;
  }

  /** The last committed topology, and its routes that are not live. */
  #missing(): { readonly committed: Topology; readonly missing: readonly Edge[] } {
    const committed = asTopology(this.#o.wal.committed?.post);
    const missing = Object.values(committed.edges).filter(
      (edge) => !this.#o.reconciler.live.has(edge.route),
    );
    return { committed, missing };
  }

  /** Rewires whatever of the last committed topology is not live. */
  async restore(why: string): Promise<ApplyResult | undefined> {
    const { committed, missing } = this.#missing();
    if (missing.length === 0) return undefined;
    const ids = missing.map((edge) => edge.route);
    this.#o.log(`rewiring ${missing.length} committed route(s): ${ids.join(", ")}`);
    return this.reconcileTo(committed, { who: "panel", why });
  }

  /** Committed routes that are not live, all of whose drivers run (none is restarting). */
  restorable(): boolean {
    const { missing } = this.#missing();
    return missing.length > 0 && missing.every((edge) => bothDriversRun(this.#o.pool, edge));
  }

  /** Reconciles the live wiring to `target`; each batch that did not commit is logged. */
  async reconcileTo(target: Topology, actor: Actor): Promise<ApplyResult> {
    const catalog = this.#o.catalog();
    const result = await this.#o.reconciler.reconcileTo(target, catalog, actor);
    for (const b of result.batches)
      if (b.outcome !== "committed")
        this.#o.log(
          `batch ${b.routes.join(", ")} ${b.outcome}${b.error ? `: ${b.error.message}` : ""}`,
        );
    return result;
  }

  /** A driver restarted after a crash: its links died with it; rewire the routes it carried. */
  async driverLost(name: string): Promise<void> {
    this.#o.log(`driver ${name} restarted: its links are gone, rewiring its routes`);
    await this.#o.reconciler.dropDriver(name);
    await this.restore(`driver ${name} restarted`).catch((error: unknown) =>
      this.#o.log(`rewiring after driver ${name} restarted failed: ${errorMessage(error)}`),
    );
  }
}

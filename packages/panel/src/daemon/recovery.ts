/**
 * Start-up is crash recovery, whatever ended the last panel (docs/design.md §The life of a route:
 * recover):
 *   1. open the WAL: replay to the last commit, cut a torn tail, abort a partial transaction
 *      (`Wal.open`, before the daemon is made; here its report is logged);
 *   2. re-attach the drivers the last commit names (pid + start time + nonce checked);
 *   3. the committed routes whose links live on re-attached drivers are live again — each to
 *      the target its source is writing to, as the drivers report it: where that is not the
 *      committed one (a hot swap whose commit a crash lost, driver-truth.ts), the drivers' word
 *      is adopted, audited and committed;
 *   4. close every journaled link no committed route uses (a cut-short transaction's strays),
 *      forget the route journals of routes no longer committed, and make what is left under
 *      `.rtt/run` private (ADR 0022);
 *   5. rewire what is missing (drivers gone: stopped panel, crash past the grace period), so the
 *      panel keeps exactly the last committed topology.
 */
import { type CatalogSymbol, errorMessage, type JsonValue } from "@rtt/core";
import type { AuditLedger } from "../audit/ledger.ts";
import { asTopology } from "../plan/topology.ts";
import { bothDriversRun } from "../reconcile/drivers.ts";
import {
  breakersOf,
  driverRecordsOf,
  failedOverOf,
  type WiredRoute,
  wiredRoutesOf,
} from "../reconcile/graph.ts";
import type { Reconciler } from "../reconcile/reconciler.ts";
import { pruneRouteJournals, pruneSharedSources } from "../reconcile/route-journals.ts";
import type { Wal } from "../wal/wal.ts";
import { tightenRunState } from "../workspace/run-state.ts";
import { workspacePaths } from "../workspace/workspace.ts";
import type { CommittedWiring } from "./committed-wiring.ts";
import { adoptedRoute, listDriverLinks, observedMoves } from "./driver-truth.ts";
import type { HostPool } from "./host-pool.ts";

export interface RecoveryParts {
  readonly root: string;
  readonly wal: Wal;
  readonly pool: HostPool;
  readonly reconciler: Reconciler;
  readonly wiring: CommittedWiring;
  readonly audit: AuditLedger;
  /** The catalog: an adopted target's symbol (none before the first scan: nothing adopted). */
  readonly catalog: () => readonly CatalogSymbol[];
  readonly log: (line: string) => void;
}

/** What the last commit journaled beside the topology, for the parts made after recovery. */
export interface Recovered {
  /** The breaker states, by route (the health loop restores them). */
  readonly breakers: Record<string, unknown>;
  /** The routes that ran on a failover target (the fallback takes them back). */
  readonly failedOver: readonly string[];
}

function logWalReport(p: RecoveryParts): void {
  const report = p.wal.report;
  if (report.tookOverLockFrom !== undefined)
    p.log(`took over the lock of a dead panel (pid ${report.tookOverLockFrom.pid})`);
  if (report.tail !== undefined)
    p.log(
      `cut a torn WAL tail: ${report.tail.bytes} bytes of ${report.tail.segment} from byte ${report.tail.offset} (${report.tail.reason})`,
    );
  if (report.discarded.length > 0)
    p.log(`discarded the partial transaction(s) ${report.discarded.join(", ")}`);
}

/** Steps 2 and 3: re-attach the committed drivers, adopt the routes that run on them. */
async function reattach(p: RecoveryParts, post: JsonValue | undefined): Promise<void> {
  for (const record of driverRecordsOf(post)) {
    try {
      await p.pool.attach(record);
      p.log(`re-attached driver ${record.name} (pid ${record.pid})`);
    } catch (error) {
      p.log(`driver ${record.name} (pid ${record.pid}) is gone: ${errorMessage(error)}`);
    }
  }
  const live = wiredRoutesOf(post).filter((r) => bothDriversRun(p.pool, r));
  const adopted = await driversWord(p, live);
  p.reconciler.adopt(live.map((r) => adopted.get(r.edge.route) ?? r));
  if (adopted.size === 0) return;
  // Audited, then committed: the WAL agrees with the drivers again, durably.
  p.audit.appendAll(
    [...adopted.values()].map((after) => {
      const before = live.find((r) => r.edge.route === after.edge.route)?.edge ?? after.edge;
      return {
        action: "adopt" as const,
        route: after.edge.route,
        who: "panel",
        why: "after a panel start: its source writes to this target, not the one the WAL's last commit names",
        before: { from: before.from.saddr, to: before.to.saddr, lane: before.lane },
        after: { from: after.edge.from.saddr, to: after.edge.to.saddr, lane: after.edge.lane },
      };
    }),
  );
  const seq = await p.reconciler.journal();
  p.log(`committed the adopted wiring (WAL seq ${seq})`);
}

/**
 * The one-way routes of `live` whose source the drivers say writes to another target than the
 * commit names, as wired to that target (driver-truth.ts), by route. A request/response route
 * is left as committed: its reply lane's hand-over is not something a driver reports.
 */
async function driversWord(
  p: RecoveryParts,
  live: readonly WiredRoute[],
): Promise<Map<string, WiredRoute>> {
  const oneway = live.filter((r) => r.edge.pattern === "oneway");
  if (oneway.length === 0) return new Map();
  const moves = observedMoves(oneway, await listDriverLinks(p.pool));
  if (moves.length === 0) return new Map();
  let catalog: readonly CatalogSymbol[];
  try {
    catalog = p.catalog();
  } catch (error) {
    p.log(`cannot adopt what the drivers run without a catalog: ${errorMessage(error)}`);
    return new Map();
  }
  const adopted = new Map<string, WiredRoute>();
  for (const move of moves) {
    const route = adoptedRoute(move, catalog);
    const id = move.route.edge.route;
    if (route === undefined) {
      p.log(
        `route ${id}'s source writes to ${move.to.saddr}, which is in no catalog: kept as committed`,
      );
      continue;
    }
    adopted.set(id, route);
    p.log(
      `adopted route ${id} from the drivers: its source writes to ${move.to.saddr} (${move.to.driver}/${move.to.link}); the WAL's last commit named ${move.route.edge.to.saddr} (${move.route.to.driver}/${move.route.to.link})`,
    );
  }
  return adopted;
}

/** Step 4: close the links and forget the journals no committed route uses. */
async function closeStrays(p: RecoveryParts, post: JsonValue | undefined): Promise<void> {
  const { orphans, broken } = await p.reconciler.sweepOrphans();
  if (orphans.length > 0) p.log(`closed ${orphans.length} orphaned link(s): ${orphans.join(", ")}`);
  if (broken.length > 0) p.log(`route(s) ${broken.join(", ")} lost a link; rewiring`);
  const committed = new Set(Object.keys(asTopology(post).edges));
  const pruned = pruneRouteJournals(p.root, committed);
  if (pruned.length > 0)
    p.log(`forgot the journals and programs of route(s) no longer committed: ${pruned.join(", ")}`);
  const sources = pruneSharedSources(p.root, committed);
  if (sources.length > 0)
    p.log(`forgot the shared source program(s) no committed route reads: ${sources.join(", ")}`);
  const tightened = tightenRunState(workspacePaths(p.root).run);
  if (tightened > 0) p.log(`made ${tightened} file(s) and folder(s) under .rtt/run private`);
}

/** Steps 1–5 on an open WAL; what the last commit journaled beside its topology. */
export async function recover(parts: RecoveryParts): Promise<Recovered> {
  logWalReport(parts);
  // Read before the rewire: a rewire commits anew, and that commit has no breakers yet.
  const post = parts.wal.committed?.post;
  await reattach(parts, post);
  await closeStrays(parts, post);
  await parts.wiring.restore("restore the committed topology after a panel start");
  return { breakers: breakersOf(post), failedOver: failedOverOf(post) };
}

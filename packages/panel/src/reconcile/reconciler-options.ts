/** What a reconciler is made with, and the steps of its work a test can fail. */
import type { JsonValue, LaneKind } from "@rtt/core";
import type { AuditLedger } from "../audit/ledger.ts";
import type { RouteTokenSource } from "../trust/route-tokens.ts";
import type { Wal } from "../wal/wal.ts";
import type { DriverPool } from "./drivers.ts";
import type { WiredRoute } from "./graph.ts";

/** The steps a fault can be injected at (tests) or a crash can land between. */
export const APPLY_STEPS = [
  "open-from",
  "open-to",
  "offer",
  "bind-reply",
  "handshake",
  "flip",
  "commit",
  "retire",
] as const;
export type ApplyStep = (typeof APPLY_STEPS)[number];

/**
 * Begins a WAL transaction journaling `pre` (what it starts from, Wal.begin) — unless the WAL or the audit ledger stopped
 * after a write it could not cut back (issue 15): then every commit is refused with that reason
 * (RTT_ERR_WAL_UNWRITABLE, gRPC UNAVAILABLE) before any driver is touched, until a restart.
 */
export function beginUnlessStopped(
  o: Pick<ReconcilerOptions, "wal" | "audit">,
  pre: JsonValue,
): string {
  const stopped = o.wal.stopped ?? o.audit.stopped;
  if (stopped !== undefined) throw stopped;
  return o.wal.begin(pre);
}

export interface ReconcilerOptions {
  readonly wal: Wal;
  readonly audit: AuditLedger;
  readonly pool: DriverPool;
  /** The workspace root (manifests' `x-run` runs in their folder below it). */
  readonly root: string;
  /**
   * panel.yaml's `security.allow_paths` now: where outside the workspace a driver may open a
   * file symbol's path (ADR 0022). None: nowhere.
   */
  readonly allowPaths?: () => readonly string[];
  /**
   * panel.yaml's `routing.prefer` now: the lane kinds a route falls back on, in order, when its
   * drivers cannot make the plan's (ADR 0031). None: only the plan's lane is tried.
   */
  readonly prefer?: () => readonly LaneKind[];
  /** Called before each step; throwing fails that step (fault injection in tests). */
  readonly beforeStep?: (step: ApplyStep, route: string) => void | Promise<void>;
  /** Lines of progress ("batch 1/2: prepare events-to-log"). */
  readonly progress?: (line: string) => void;
  /**
   * The post-commit check of a newly wired route (docs/design.md §The life of a route: apply): a
   * problem it returns is reported with the batch; the route stays wired (tripping it is the
   * breaker's job).
   */
  readonly verify?: (route: WiredRoute) => Promise<string | undefined>;
  /** What to journal about the running drivers with each graph (for re-attach). */
  readonly driverRecords?: () => Readonly<Record<string, JsonValue>>;
  /** The routes' breaker states, journaled with each graph. */
  readonly breakerStates?: () => Readonly<Record<string, JsonValue>>;
  /** Routes on a failover target, journaled with the graph (PanelGraph.failed_over). */
  readonly failedOver?: () => Iterable<string>;
  /**
   * Mints each handshake's route token (ADR 0018). Absent (tests without a panel key): no
   * token is sent, and a target whose contract requires one refuses the Offer.
   */
  readonly routeTokens?: RouteTokenSource;
  /**
   * How long a request/response route's moved-away target may take to answer the requests it
   * took before its link is closed (reply-handover.ts; default REPLY_DRAIN_MS).
   */
  readonly replyDrainMs?: number;
}

/** Runs the options' `beforeStep` hook for `step` of `route`: a throw from it fails the step. */
export async function beforeStep(
  options: Pick<ReconcilerOptions, "beforeStep">,
  step: ApplyStep,
  route: string,
): Promise<void> {
  await options.beforeStep?.(step, route);
}

/**
 * Applying a plan, a rollback's target topology or a degrade's retarget (docs/design.md §The
 * life of a route: apply): batch by batch, each one WAL transaction (batch-transaction.ts);
 * a failed batch skips the ones after it. A batch that only moves a one-way route's target is
 * a hot swap instead (target-moves.ts), and a replace when the swap cannot be made.
 */
import { type CatalogSymbol, errorMessage, RttError } from "@rtt/core";
import type { AuditAction } from "../audit/ledger.ts";
import { batchEdits, diffTopologies, type Edit, inPlaceMoves, type Plan } from "../plan/plan.ts";
import { type Edge, type EdgeEnd, edgeKey, type Topology, topologyHash } from "../plan/topology.ts";
import type { Actor } from "./actor.ts";
import { type BatchOutcome, type BatchTransaction, verifyWired } from "./batch-transaction.ts";
import type { WiredRoute } from "./graph.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import type { QuickConnectResult, TargetMoves } from "./target-moves.ts";

export interface ApplyResult {
  readonly batches: readonly BatchOutcome[];
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  /** The last committed WAL seq after the apply. */
  readonly seq: number;
}

/** Where `retarget` moves a route's target end, and how the move is audited. */
export interface Retarget {
  readonly to: EdgeEnd;
  readonly action: Extract<AuditAction, "degrade" | "restore">;
  readonly why: string;
}

/** The outcome with one more warning (none: as it is). */
function withWarning(outcome: BatchOutcome, warning: string | undefined): BatchOutcome {
  if (warning === undefined) return outcome;
  return { ...outcome, warnings: [...(outcome.warnings ?? []), warning] };
}

export class PlanApply {
  readonly #parts: ReconcileParts;
  readonly #batch: BatchTransaction;
  readonly #moves: TargetMoves;

  constructor(parts: ReconcileParts, batch: BatchTransaction, moves: TargetMoves) {
    this.#parts = parts;
    this.#batch = batch;
    this.#moves = moves;
  }

  /** Applies `plan`, refused when it was made against another topology than the live one. */
  async apply(plan: Plan, catalog: readonly CatalogSymbol[], actor: Actor): Promise<ApplyResult> {
    const current = topologyHash(this.#parts.routes.graph());
    if (plan.base_hash !== current)
      throw new RttError(
        "RTT_ERR_PLAN_STALE",
        `the plan was made against another topology (commit ${plan.base_seq}) than the panel keeps (commit ${this.#parts.options.wal.committed?.seq ?? 0})`,
        { hint: "run `rtt plan` again (another apply, rollback or qc happened since)" },
      );
    return this.#applyEdits(plan.edits, plan.batches, catalog, actor);
  }

  /**
   * Rewires to `target` (a journaled topology: rollback, or restoring the committed topology
   * after a restart found some of its links gone).
   */
  reconcileTo(
    target: Topology,
    catalog: readonly CatalogSymbol[],
    actor: Actor,
  ): Promise<ApplyResult> {
    const edits = diffTopologies(this.#parts.routes.graph(), target);
    return this.#applyEdits(edits, batchEdits(edits), catalog, actor);
  }

  /**
   * Moves a wired route's target end to another driver of the same symbol — a stub in its place
   * while its breaker is open (degrade), and back (restore) — as a one-route replace batch: new
   * links on both ends, prepared, flipped and committed like an apply's (request/response routes
   * cannot QuickConnect). `choose` runs once earlier work is done, on the route as it is then,
   * so a trip and a heal in quick succession settle on the last word; it returns undefined (or
   * the current end) for no change. Returns the move made and its batch, or undefined.
   */
  async retarget(
    routeId: string,
    choose: (route: WiredRoute) => Retarget | undefined,
    catalog: readonly CatalogSymbol[],
    who: string,
  ): Promise<{ readonly move: Retarget; readonly outcome: BatchOutcome } | undefined> {
    const route = this.#parts.routes.get(routeId);
    const move = route === undefined ? undefined : choose(route);
    if (route === undefined || move === undefined) return undefined;
    const after: Edge = { ...route.edge, to: move.to };
    if (edgeKey(after) === edgeKey(route.edge)) return undefined;
    const edit: Edit = {
      action: "replace",
      route: routeId,
      before: route.edge,
      after,
      changes: [`to: ${route.edge.to.driver} → ${move.to.driver}`],
    };
    const symbols = new Map(catalog.map((s) => [s.saddr, s]));
    const outcome = await this.#batch.run([edit], symbols, { who, why: move.why }, move.action);
    return { move, outcome };
  }

  async #applyEdits(
    planEdits: readonly Edit[],
    planBatches: readonly (readonly string[])[],
    catalog: readonly CatalogSymbol[],
    actor: Actor,
  ): Promise<ApplyResult> {
    const symbols = new Map(catalog.map((s) => [s.saddr, s]));
    const edits = new Map(planEdits.map((e) => [e.route, e]));
    const inPlace = inPlaceMoves(planEdits, planBatches);
    const batches: BatchOutcome[] = [];
    let failed = false;
    for (const [i, ids] of planBatches.entries()) {
      if (failed) {
        batches.push({ routes: [...ids], outcome: "skipped" });
        continue;
      }
      const inBatch = ids.flatMap((id) => {
        const e = edits.get(id);
        return e === undefined ? [] : [e];
      });
      this.#parts.options.progress?.(`batch ${i + 1}/${planBatches.length}: ${ids.join(", ")}`);
      const outcome = await this.#applyBatch(inBatch, inPlace, symbols, actor);
      batches.push(outcome);
      failed = outcome.outcome !== "committed";
    }
    const count = (a: Edit["action"]) =>
      batches
        .filter((b) => b.outcome === "committed")
        .flatMap((b) => b.routes)
        .filter((id) => edits.get(id)?.action === a).length;
    return {
      batches,
      created: count("create"),
      replaced: count("replace"),
      deleted: count("delete"),
      seq: this.#parts.options.wal.committed?.seq ?? 0,
    };
  }

  /** One batch: moved in place when it is one of `inPlace`, else (or failing that) run. */
  async #applyBatch(
    inBatch: readonly Edit[],
    inPlace: ReadonlySet<string>,
    symbols: ReadonlyMap<string, CatalogSymbol>,
    actor: Actor,
  ): Promise<BatchOutcome> {
    const [only] = inBatch;
    const move =
      only !== undefined && inPlace.has(only.route)
        ? await this.#moveInPlace(only, symbols, actor)
        : undefined;
    if (move !== undefined && "moved" in move) return move.moved;
    return withWarning(
      await this.#batch.run(inBatch, symbols, actor),
      move?.notMoved === undefined
        ? undefined
        : `${only?.route}: not moved in place (${move.notMoved})`,
    );
  }

  /**
   * One of `inPlaceMoves` (`rtt qc` and then an apply that moves it back, a rollback past a
   * qc) as a QuickConnect: the new target is switched in at a frame boundary and the source
   * keeps running — no restart of its program, every message to exactly one target. Undefined
   * when the route is not as the edit found it, or the move could not be made (it changed
   * nothing then): the caller replaces the route instead.
   */
  async #moveInPlace(
    edit: Edit,
    symbols: ReadonlyMap<string, CatalogSymbol>,
    actor: Actor,
  ): Promise<{ moved: BatchOutcome } | { notMoved?: string }> {
    const { route } = edit;
    const live = this.#parts.routes.get(route);
    const target = edit.action === "replace" ? symbols.get(edit.after.to.saddr) : undefined;
    // Not tried (a replace does it): the route is not wired as the plan found it, or the
    // catalog's contract is not the plan's (the move's edge is built from it). A held route is
    // moved and stays held (target-moves.ts): a replace would start its source again, unheld.
    if (
      edit.action !== "replace" ||
      live === undefined ||
      edgeKey(live.edge) !== edgeKey(edit.before) ||
      target?.contract_hash !== edit.after.to.contract_hash
    )
      return {};
    if (target === undefined) return {};
    let moved: QuickConnectResult;
    try {
      moved = await this.#moves.move(route, target, edit.after.to.driver, actor, "apply");
    } catch (error) {
      // Past the commit the route has moved: that failure is not one a replace can fix.
      if (edgeKey(this.#parts.routes.get(route)?.edge ?? edit.before) !== edgeKey(edit.before))
        throw error;
      const why = errorMessage(error);
      this.#parts.options.progress?.(`  could not move ${route} in place (${why}): replacing it`);
      return { notMoved: why };
    }
    if (!moved.changed) return {};
    this.#parts.options.progress?.(
      `  moved ${route} in place: → ${edit.after.to.saddr} (commit ${moved.seq})`,
    );
    const warning = await verifyWired(this.#parts, route);
    return {
      moved: {
        routes: [route],
        outcome: "committed",
        seq: moved.seq,
        ...(warning === undefined ? {} : { warnings: [warning] }),
      },
    };
  }
}

/**
 * One batch of a plan as one WAL transaction, run as a two-phase commit through real drivers
 * and lanes (docs/design.md §The life of a route: apply):
 *
 *   prepare  for each created or replaced route: open both ends, have the target listen for the
 *            route's lane and control lanes (Offer), for request/response routes wire the reply
 *            lane (the source listens, the target binds its outbound to it), then run the
 *            QuickConnect handshake (ADR 0011) between the two drivers (SYN → ACK → BIND →
 *            READY: the target checks it is the contract the plan chose). Nothing flows yet: the
 *            source's outbound is not bound.
 *   flip     bind each source's outbound to its target's lane: traffic starts.
 *   commit   one fsynced WAL record with the post-graph: the batch's new wiring is the topology.
 *   retire   close the links of replaced and deleted routes (after the commit, so a crash before
 *            it leaves the old wiring whole).
 *
 * Any failure before the commit rolls the batch back: every link it opened is closed (which
 * removes its lanes, segments and sockets in the driver), the transaction is aborted, and the
 * old links were never touched — the graph is exactly the old one. So does a commit record the
 * WAL could not write (a full disk, cut back: `wal/segment-writer.ts`). Every link is journaled as a
 * `link` resource when opened and released when closed (route-links.ts).
 */
import { type CatalogSymbol, errorMessage, type JsonValue, RttError } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import { launchOf } from "../audit/launch-summary.ts";
import type { AuditAction } from "../audit/ledger.ts";
import type { Edit } from "../plan/plan.ts";
import type { Edge, EdgeEnd } from "../plan/topology.ts";
import { type Actor, actorFields, auditNotCommitted } from "./actor.ts";
import type { LinkRef } from "./drivers.ts";
import { eachLimited } from "./each-limited.ts";
import { graphJson, type WiredRoute } from "./graph.ts";
import { agree, laneOptions, txNonce } from "./handshake-ask.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { beforeStep, beginUnlessStopped } from "./reconciler-options.ts";
import { forgetRouteJournal, isJournaled, openParams, sourceOpenParams } from "./route-journals.ts";

export interface BatchOutcome {
  readonly routes: readonly string[];
  readonly outcome: "committed" | "rolled-back" | "skipped";
  /** What the post-commit check found wrong with a committed route (it stays wired). */
  readonly warnings?: readonly string[];
  /** The WAL seq of the commit. */
  readonly seq?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Routes of one batch prepared (and flipped) at once: drivers serve calls concurrently. */
const CONCURRENCY = 16;

interface Prepared {
  readonly edit: Exclude<Edit, { action: "delete" }>;
  from?: LinkRef;
  to?: LinkRef;
  inbound?: LaneAddress;
}

/**
 * The post-commit check (`options.verify`) of `route` as it is wired now: what it found wrong,
 * as the warning `<route>: <problem>`; undefined when it found nothing or the route is not wired.
 */
export async function verifyWired(
  parts: Pick<ReconcileParts, "options" | "routes">,
  route: string,
): Promise<string | undefined> {
  const wired = parts.routes.get(route);
  const problem = wired === undefined ? undefined : await parts.options.verify?.(wired);
  return problem === undefined ? undefined : `${route}: ${problem}`;
}

/** The catalog's symbol at a route's end: RTT_ERR_PLAN_STALE when it is gone from the catalog. */
function symbolAt(symbols: ReadonlyMap<string, CatalogSymbol>, end: EdgeEnd): CatalogSymbol {
  const symbol = symbols.get(end.saddr);
  if (symbol === undefined)
    throw new RttError("RTT_ERR_PLAN_STALE", `${end.saddr} is no longer in the catalog`, {
      hint: "run `rtt scan` and `rtt plan` again",
    });
  return symbol;
}

/** A rolled-back batch's error: its RttError code, else an internal one. */
function batchError(error: unknown): { code: string; message: string } {
  return {
    code: error instanceof RttError ? error.code : "RTT_ERR_INTERNAL",
    message: errorMessage(error),
  };
}

export class BatchTransaction {
  readonly #parts: ReconcileParts;

  constructor(parts: ReconcileParts) {
    this.#parts = parts;
  }

  /**
   * Runs `edits` as one batch. `auditAs`: the ledger's action for a retarget's replace (default:
   * bind/unbind/swap).
   */
  async run(
    edits: readonly Edit[],
    symbols: ReadonlyMap<string, CatalogSymbol>,
    actor: Actor,
    auditAs?: AuditAction,
  ): Promise<BatchOutcome> {
    const routes = edits.map((e) => e.route);
    const txid = beginUnlessStopped(this.#parts.options, graphJson(this.#parts.routes.graph()));
    const prepared: Prepared[] = [];
    try {
      for (const edit of edits) if (edit.action !== "delete") prepared.push({ edit });
      await this.#prepareAndFlip(txid, prepared, symbols);
      await beforeStep(this.#parts.options, "commit", routes[0] ?? "");
      // The record first, then the commit anchored to it (ADR 0019): a ledger that cannot
      // take the record (damaged) rolls the batch back; nothing commits unaudited.
      this.#audit(edits, actor, symbols, auditAs);
    } catch (error) {
      await this.#rollBack(txid, prepared, error);
      return { routes, outcome: "rolled-back", error: batchError(error) };
    }
    let committed: { seq: number; retired: WiredRoute[] };
    try {
      committed = this.#commit(txid, edits, prepared);
    } catch (error) {
      auditNotCommitted(this.#parts.options.audit, routes, actor, error);
      await this.#rollBack(txid, prepared, error);
      return { routes, outcome: "rolled-back", error: batchError(error) };
    }
    const { seq, retired } = committed;
    for (const old of retired) {
      await beforeStep(this.#parts.options, "retire", old.edge.route).catch(() => {});
      // The source first: its lane's EOS, then the target's program drained (ADR 0024).
      await this.#parts.links.close([old.from]);
      const why = "unwired: its route was replaced, deleted or rolled back";
      await this.#parts.retirement.retire(old.to, old.edge.to, old.edge.route, why);
    }
    for (const edit of edits)
      if (edit.action === "delete") forgetRouteJournal(this.#parts.options.root, edit.route);
    const warnings = await this.#verify(prepared);
    return { routes, outcome: "committed", seq, ...(warnings.length > 0 ? { warnings } : {}) };
  }

  async #prepareAndFlip(
    txid: string,
    prepared: readonly Prepared[],
    symbols: ReadonlyMap<string, CatalogSymbol>,
  ): Promise<void> {
    await eachLimited(prepared, CONCURRENCY, (p) => this.#prepare(txid, p, symbols));
    // Every link is journaled before anything flows.
    this.#parts.options.wal.flush();
    await eachLimited(prepared, CONCURRENCY, async (p) => {
      await beforeStep(this.#parts.options, "flip", p.edit.route);
      const { from, inbound } = p;
      if (from === undefined || inbound === undefined) throw new Error("unprepared route");
      const driver = await this.#parts.options.pool.get(from.driver);
      await driver.bind(from.link, { outbound: inbound });
    });
  }

  async #prepare(
    txid: string,
    p: Prepared,
    symbols: ReadonlyMap<string, CatalogSymbol>,
  ): Promise<void> {
    const edge = p.edit.after;
    const id = edge.route;
    this.#parts.options.progress?.(
      `  prepare ${id}: ${edge.from.saddr} → ${edge.to.saddr} over ${edge.lane}`,
    );
    await beforeStep(this.#parts.options, "open-from", id);
    const params = openParams(this.#parts.options.root, edge);
    const open = (end: EdgeEnd, own: Readonly<Record<string, string>>, role: "source" | "target") =>
      this.#parts.links.open(txid, id, end, own, symbolAt(symbols, end), role);
    p.from = await open(edge.from, sourceOpenParams(edge, params), "source");
    await beforeStep(this.#parts.options, "open-to", id);
    p.to = await open(edge.to, params, "target");
    await beforeStep(this.#parts.options, "offer", id);
    const target = await this.#parts.options.pool.get(p.to.driver);
    const source = await this.#parts.options.pool.get(p.from.driver);
    const { from, to } = p;
    // The handshake (ADR 0011) between the two drivers: the target must be the plan's contract.
    const offered = await agree({
      source: { driver: source, link: from.link },
      target: { driver: target, link: to.link },
      lane: edge.lane,
      ...laneOptions(this.#parts.options),
      route: id,
      from: edge.from.saddr,
      to: edge.to,
      tokens: this.#parts.options.routeTokens,
      nonce: txNonce(txid, id),
      between: async (lane) => {
        if (edge.pattern === "reqrep") {
          await beforeStep(this.#parts.options, "bind-reply", id);
          const reply = await source.offer(from.link, "inbound", lane);
          await target.bind(to.link, { outbound: reply });
        }
        await beforeStep(this.#parts.options, "handshake", id);
      },
    });
    p.inbound = offered.address;
  }

  async #rollBack(txid: string, prepared: readonly Prepared[], error: unknown): Promise<void> {
    this.#parts.options.progress?.(`  rolling back: ${errorMessage(error)}`);
    // Rewiring a committed journaled route, its ends adopted the programs: the next try
    // adopts them again. A route new in this batch has nobody to adopt its programs.
    const rewired = this.#parts.links.committedJournaled().routes;
    const ends = (p: Prepared) => [p.from, p.to].filter((l): l is LinkRef => l !== undefined);
    const again = (p: Prepared) => rewired.has(p.edit.route) && isJournaled(p.edit.after);
    await this.#parts.links.close(prepared.filter(again).flatMap(ends), true);
    await this.#parts.links.close(prepared.filter((p) => !again(p)).flatMap(ends));
    try {
      this.#parts.options.wal.abort(txid);
    } catch (abortError) {
      // Closed all the same; a lost abort replays as partial, which is discarded.
      this.#parts.options.progress?.(`  could not journal the abort: ${errorMessage(abortError)}`);
    }
  }

  /**
   * The commit point: from here on the batch's new wiring is the topology. A commit record that
   * cannot be written leaves the live routes as they were.
   */
  #commit(
    txid: string,
    edits: readonly Edit[],
    prepared: readonly Prepared[],
  ): { seq: number; retired: WiredRoute[] } {
    const before = this.#parts.routes.snapshot();
    try {
      return this.#wireAndCommit(txid, edits, prepared);
    } catch (error) {
      this.#parts.routes.restore(before);
      throw error;
    }
  }

  #wireAndCommit(
    txid: string,
    edits: readonly Edit[],
    prepared: readonly Prepared[],
  ): { seq: number; retired: WiredRoute[] } {
    const retired: WiredRoute[] = [];
    for (const edit of edits) {
      const old = this.#parts.routes.get(edit.route);
      if (old !== undefined && edit.action !== "create") retired.push(old);
      if (edit.action === "delete") this.#parts.routes.unwire(edit.route);
    }
    // New links, or none (unwired above): not parked any more.
    for (const p of prepared) {
      if (p.from === undefined || p.to === undefined) continue;
      this.#parts.routes.wire({ edge: p.edit.after, from: p.from, to: p.to });
    }
    return {
      seq: this.#parts.options.wal.commit(
        txid,
        graphJson(this.#parts.routes.graph()),
        this.#parts.options.audit.head,
      ),
      retired,
    };
  }

  /** The post-commit check of each newly wired route: its problems, as warnings. */
  async #verify(prepared: readonly Prepared[]): Promise<string[]> {
    const warnings: string[] = [];
    for (const p of prepared) {
      const warning = await verifyWired(this.#parts, p.edit.route);
      if (warning !== undefined) warnings.push(warning);
    }
    return warnings;
  }

  #audit(
    edits: readonly Edit[],
    actor: Actor,
    symbols: ReadonlyMap<string, CatalogSymbol>,
    auditAs?: AuditAction,
  ): void {
    // What each end runs and opens (ADR 0019); a deleted route's ends may be gone already.
    const launch = (e: Edge): JsonValue => {
      const ends: Record<string, JsonValue> = {};
      const from = launchOf(symbols.get(e.from.saddr));
      const to = launchOf(symbols.get(e.to.saddr));
      if (from !== undefined) ends.from = from;
      if (to !== undefined) ends.to = to;
      return ends;
    };
    const summary = (e: Edge): JsonValue => ({
      from: e.from.saddr,
      to: e.to.saddr,
      lane: e.lane,
      pattern: e.pattern,
      // A retarget keeps the symbol and changes who answers for it.
      ...(auditAs === undefined ? {} : { to_driver: e.to.driver }),
      launch: launch(e),
    });
    this.#parts.options.audit.appendAll(
      edits.map((edit) => ({
        action:
          auditAs ??
          actor.auditAs ??
          (edit.action === "create" ? "bind" : edit.action === "delete" ? "unbind" : "swap"),
        route: edit.route,
        ...actorFields(actor),
        why: actor.why,
        before: edit.action === "create" ? null : summary(edit.before),
        after: edit.action === "delete" ? null : summary(edit.after),
      })),
    );
  }
}

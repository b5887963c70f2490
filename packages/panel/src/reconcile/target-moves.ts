/**
 * Moving a wired route's target without stopping its source (ADR 0013; docs/design.md
 * §The life of a route: hot swap), as one WAL transaction: acquire the new target (a warm spare,
 * or a link opened now), agree with it (the handshake), flip (Switch the source's outbound at a
 * frame boundary — the old lane gets EOS after every frame already written to it), commit, then
 * retire the old target once it has taken every frame the old lane carried, so each frame
 * reaches exactly one target. Anything failing before the Switch closes the new link and leaves
 * the route as it was; so does a commit the WAL cannot write (`uncommitted-move.ts`).
 * A request/response route (`rtt qc`, failover) moves the same way, with no warm spares; after
 * the commit its reply lane is handed over once the old target answered (reply-handover.ts).
 */
import { type CatalogSymbol, RttError } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import { type Edge, endOf } from "../plan/topology.ts";
import { type Actor, actorFields, auditNotCommitted } from "./actor.ts";
import { type DriverCalls, type LinkRef, linkResourceName, switchOutbound } from "./drivers.ts";
import { graphJson, moveJson, type WiredRoute } from "./graph.ts";
import { graphText } from "./graph-text.ts";
import { agree, laneOptions, txNonce } from "./handshake-ask.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { beforeStep, beginUnlessStopped } from "./reconciler-options.ts";
import { handOverReplies } from "./reply-handover.ts";
import { reattachable } from "./retire-target.ts";
import { openParams } from "./route-journals.ts";
import { isArmedFor } from "./spares.ts";
import { undoUncommittedMove } from "./uncommitted-move.ts";

export interface QuickConnectResult {
  readonly route: string;
  /** False when the route already had that target (nothing was done). */
  readonly changed: boolean;
  /** The WAL commit of the switch (the current one when nothing changed). */
  readonly seq: number;
  /** DATA frames the old target got before its EOS. */
  readonly oldFrames: number;
  /** The new target was an armed warm spare: no link opened, no handshake, the Switch only. */
  readonly warm: boolean;
}

/**
 * How a route's target is moved: `swap` for `rtt qc` and failover (the target left behind is
 * kept as a warm spare), `apply` for an apply's replace that changes only the target (the old
 * one is closed once drained, before the apply returns), `unpark` to end a hold (onto a fresh
 * link of the same target; the parked one is closed).
 */
export type MoveMode = "swap" | "apply" | "unpark";

/** The new target of a move in the making: set as soon as known, so a failure closes it. */
interface Acquired {
  opened?: LinkRef;
  /** An armed warm spare: the Switch only. */
  warm: boolean;
}

export class TargetMoves {
  readonly #parts: ReconcileParts;

  constructor(parts: ReconcileParts) {
    this.#parts = parts;
  }

  /** Moves `routeId`'s target to `target` (opened by `targetDriver`); see MoveMode. */
  async move(
    routeId: string,
    target: CatalogSymbol,
    targetDriver: string,
    actor: Actor,
    mode: MoveMode,
  ): Promise<QuickConnectResult> {
    const route = this.#movable(routeId, target, targetDriver, mode);
    if (route === "unchanged")
      return {
        route: routeId,
        changed: false,
        seq: this.#parts.options.wal.committed?.seq ?? 0,
        oldFrames: 0,
        warm: false,
      };
    const edge: Edge = { ...route.edge, to: endOf(target, targetDriver) };
    // A held route moved by an apply stays held: its new target is opened and agreed with, but
    // the source is not switched — the unpark at heal moves it on to a fresh link of the new one.
    const held = mode === "apply" && this.#parts.routes.isKnownParked(routeId);
    const base = this.#parts.options.wal.committed?.seq ?? 0;
    const txid = beginUnlessStopped(this.#parts.options, moveJson(route, base));
    const flipped = await this.#flip(txid, route, edge, target, mode, held);
    const moved = { edge, from: route.from, to: flipped.to };
    const snapshot = this.#parts.routes.snapshot();
    let seq: number;
    try {
      seq = this.#commit(txid, route, moved, held, actor, mode);
    } catch (error) {
      const undo = { txid, before: route, snapshot, to: flipped.to, mode, held };
      await undoUncommittedMove(this.#parts, undo);
      throw error;
    }
    if (route.edge.pattern === "reqrep")
      await handOverReplies(this.#parts, route, flipped.to, flipped.oldFrames);
    else await this.#retireOld(route, flipped.oldFrames, mode);
    return {
      route: routeId,
      changed: true,
      seq,
      oldFrames: flipped.oldFrames,
      warm: flipped.warm,
    };
  }

  /**
   * Acquires the new target, agrees with it and switches the route's source onto it (a held
   * route's source stays parked). Anything failing closes the new link and aborts `txid`.
   */
  async #flip(
    txid: string,
    route: WiredRoute,
    edge: Edge,
    target: CatalogSymbol,
    mode: MoveMode,
    held: boolean,
  ): Promise<{ to: LinkRef; oldFrames: number; warm: boolean }> {
    const { wal } = this.#parts.options;
    const acquired: Acquired = { warm: false };
    try {
      const { source, address, journaled } = await this.#acquire(
        txid,
        route,
        edge,
        target,
        mode,
        acquired,
      );
      // A link opened here is made durable before traffic may reach it; a spare was not
      // journaled in this transaction, so there is nothing to flush.
      if (journaled) wal.flush();
      await beforeStep(this.#parts.options, "flip", route.edge.route);
      if (acquired.opened === undefined) throw new Error("no target link");
      const switched = held
        ? { oldEosSeq: 0, oldFrames: 0 } // the park's EOS ended the old lane
        : await switchOutbound(source, route.from.link, address);
      return { to: acquired.opened, oldFrames: switched.oldFrames, warm: acquired.warm };
    } catch (error) {
      if (acquired.opened !== undefined) await this.#parts.links.close([acquired.opened]);
      wal.abort(txid);
      throw error;
    }
  }

  /**
   * The wired route a move can be made on, or "unchanged" when it has that target already (an
   * unpark moves it to a fresh link of the same target all the same). A request/response route
   * is moved by a swap only (an apply replaces it; it is never held).
   */
  #movable(
    routeId: string,
    target: CatalogSymbol,
    targetDriver: string,
    mode: MoveMode,
  ): WiredRoute | "unchanged" {
    const route = this.#parts.routes.get(routeId);
    if (route === undefined)
      throw new RttError("RTT_ERR_PLAN_INVALID", `route ${routeId} is not wired`, {
        hint: "`rtt ls routes` shows the wired routes; `rtt apply` wires routes.json",
      });
    if (
      mode !== "unpark" &&
      route.edge.to.saddr === target.saddr &&
      route.edge.to.driver === targetDriver
    )
      return "unchanged";
    if (route.edge.pattern !== "oneway" && mode !== "swap")
      throw new RttError(
        "RTT_ERR_PLAN_INVALID",
        `route ${routeId} is request/response: only \`rtt qc\` and failover move its target in place`,
        { hint: "an apply replaces a request/response route's links" },
      );
    return route;
  }

  /**
   * Acquires the new target and agrees with it: the lane address the source is to be switched
   * to. `journaled`: the target link was opened (and journaled) in `txid`, not a spare.
   */
  async #acquire(
    txid: string,
    route: WiredRoute,
    edge: Edge,
    target: CatalogSymbol,
    mode: MoveMode,
    acquired: Acquired,
  ): Promise<{ source: DriverCalls; address: LaneAddress; journaled: boolean }> {
    const routeId = route.edge.route;
    await beforeStep(this.#parts.options, "open-to", routeId);
    // A warm spare (a target a recent swap left, or one prebound for the route's failover
    // set) is a flip without starting anything; an armed one is the Switch only.
    // The source first: a spare taken out of the book is this move's to close or to use.
    const source = await this.#parts.options.pool.get(route.from.driver);
    // A request/response target is never kept as a spare: its reply lane went with it.
    const spare =
      mode !== "unpark" && edge.pattern === "oneway"
        ? this.#parts.spares.take(target.saddr, edge.to.driver)
        : undefined;
    if (spare !== undefined && isArmedFor(spare, linkResourceName(route.from), edge.lane)) {
      acquired.opened = spare.ref;
      acquired.warm = true;
      return { source, address: spare.armed.address, journaled: false };
    }
    if (spare !== undefined && spare.armed === undefined) acquired.opened = spare.ref;
    // Armed for another source, or arming failed: its pending offer cannot be taken back.
    else if (spare !== undefined) await this.#parts.links.close([spare.ref]);
    const journaled = acquired.opened === undefined;
    acquired.opened ??= await this.#parts.links.open(
      txid,
      routeId,
      edge.to,
      openParams(this.#parts.options.root, edge),
      target,
    );
    await beforeStep(this.#parts.options, "offer", routeId);
    const newTarget = await this.#parts.options.pool.get(acquired.opened.driver);
    const offered = await agree({
      source: { driver: source, link: route.from.link },
      target: { driver: newTarget, link: acquired.opened.link },
      lane: edge.lane,
      ...laneOptions(this.#parts.options),
      route: routeId,
      from: edge.from.saddr,
      to: edge.to,
      tokens: this.#parts.options.routeTokens,
      nonce: txNonce(txid, routeId),
      between: () => beforeStep(this.#parts.options, "handshake", routeId),
    });
    return { source, address: offered.address, journaled };
  }

  /**
   * The commit point: the route is wired to its new target; audited. Returns the commit seq.
   * A swap's record and commit are written, not fsynced: the source switched already, so the
   * drivers hold the truth a crash could lose, and the group commit fsyncs within a few ms
   * (docs/adr/0030-durability-contract.md). An apply's and an unpark's are durable at once.
   */
  #commit(
    txid: string,
    before: WiredRoute,
    after: WiredRoute,
    held: boolean,
    actor: Actor,
    mode: MoveMode,
  ): number {
    const sync = mode !== "swap";
    // The record first, then the commit anchored to the newest durable one (ADR 0019).
    this.#parts.options.audit.appendAll(
      [
        {
          action: mode === "unpark" ? "restore" : (actor.auditAs ?? "swap"),
          route: after.edge.route,
          ...actorFields(actor),
          why: actor.why,
          before: {
            from: before.edge.from.saddr,
            to: before.edge.to.saddr,
            lane: before.edge.lane,
          },
          after: { from: after.edge.from.saddr, to: after.edge.to.saddr, lane: after.edge.lane },
        },
      ],
      { sync },
    );
    this.#parts.routes.wire(after, held);
    const { wal, audit } = this.#parts.options;
    try {
      const graph = this.#parts.routes.graph();
      const postText = graphText(graph);
      const seq = wal.commit(txid, graphJson(graph), audit.head, { sync, postText });
      if (!sync) this.#parts.groupCommit.written();
      return seq;
    } catch (error) {
      auditNotCommitted(audit, [after.edge.route], actor, error);
      throw error;
    }
  }

  /**
   * Committed. A swapped-out target finishes its lane's frames: after a qc in the background
   * (answer now), then it stays open for a while as a warm spare if it can be re-attached
   * mid-stream, else it is retired — its program drained to its exit (ADR 0024); the sweep
   * leaves both alone. An apply retires it before it returns. The parked one's lane ended
   * with the park, and it is not kept.
   */
  async #retireOld(before: WiredRoute, oldFrames: number, mode: MoveMode): Promise<void> {
    const { edge } = before;
    if (mode === "swap")
      this.#parts.spares.retire(before.to, oldFrames, edge.to, edge.route, reattachable(edge.to));
    else if (mode === "apply") {
      await this.#parts.links.drained(before.to, oldFrames);
      await this.#parts.retirement.retire(before.to, edge.to, edge.route, "replaced by an apply");
    } else await this.#parts.links.close([before.to]);
  }
}

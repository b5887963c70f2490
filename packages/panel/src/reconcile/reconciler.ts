/**
 * The reconciler's apply (docs/design.md §The life of a route: apply): a plan's batches, each one
 * WAL transaction run as a two-phase commit through real drivers and lanes.
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
 * old links were never touched — the graph is exactly the old one. Every link is journaled as a
 * `link` resource when opened and released when closed, so a panel killed at any point finds
 * the strays in the WAL's ledger on restart (`sweepOrphans`).
 */
import { createHash, randomBytes } from "node:crypto";
import type { ControlAddresses } from "@rtt/connector-sdk";
import type { CatalogSymbol, JsonValue } from "@rtt/core";
import { errorMessage, RttError } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import type { AuditAction, AuditEntry, AuditLedger } from "../audit/ledger.ts";
import { batchEdits, diffTopologies, type Edit, inPlaceMoves, type Plan } from "../plan/plan.ts";
import {
  type Edge,
  type EdgeEnd,
  edgeKey,
  type Topology,
  topologyHash,
  topologyKey,
} from "../plan/topology.ts";
import type { Wal } from "../wal/wal.ts";
import {
  contractForDriver,
  type DriverPool,
  type LinkRef,
  linkResourceName,
  parseLinkResourceName,
  sampleLink,
  switchOutbound,
} from "./drivers.ts";
import { eachLimited } from "./each-limited.ts";
import { graphJson, graphOf, type PanelGraph, type WiredRoute, wiredRoutesOf } from "./graph.ts";
import { forgetRouteJournal, isJournaled, openParams } from "./route-journals.ts";
import { type Armed, isArmedFor, type Spare, WarmSpares } from "./spares.ts";

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

/** Routes of one batch prepared (and flipped) at once: drivers serve calls concurrently. */
const CONCURRENCY = 16;

/** How long a target a swap moved away from stays open as a warm spare for a swap back. */
const SPARE_TTL_MS = 60_000;

/** How long a retired target may take to consume what its lane carried before it is closed. */
const DRAIN_TIMEOUT_MS = 10_000;
/**
 * How long a swap's follow-up work (watching the retired target drain, arming it as a spare)
 * waits: grpc-js sends a unary answer over several event-loop turns (the message, its write
 * callback, then the trailers), and a driver call started in between delays the trailers —
 * the client's call ends only with them.
 */
const AFTER_ANSWER_MS = 5;

/** How long a route's QuickConnect handshake may take before its batch rolls back. */
const HANDSHAKE_TIMEOUT_MS = 5000;

export interface BatchOutcome {
  readonly routes: readonly string[];
  readonly outcome: "committed" | "rolled-back" | "skipped";
  /** What the post-commit check found wrong with a committed route (it stays wired). */
  readonly warnings?: readonly string[];
  /** The WAL seq of the commit. */
  readonly seq?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface ApplyResult {
  readonly batches: readonly BatchOutcome[];
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  /** The last committed WAL seq after the apply. */
  readonly seq: number;
}

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

/** Where `retarget` moves a route's target end, and how the move is audited. */
export interface Retarget {
  readonly to: EdgeEnd;
  readonly action: Extract<AuditAction, "degrade" | "restore">;
  readonly why: string;
}

export interface ReconcilerOptions {
  readonly wal: Wal;
  readonly audit: AuditLedger;
  readonly pool: DriverPool;
  /** The workspace root (manifests' `x-run` runs in their folder below it). */
  readonly root: string;
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
}

interface Prepared {
  readonly edit: Exclude<Edit, { action: "delete" }>;
  from?: LinkRef;
  to?: LinkRef;
  inbound?: LaneAddress;
}

/** What the source end asks in the QuickConnect handshake toward `to`'s offered lanes. */
function handshakeAsk(
  to: EdgeEnd,
  offered: { readonly address: LaneAddress; readonly control: ControlAddresses },
  nonce: string,
) {
  return {
    control: offered.control,
    data: offered.address,
    expectSaddr: to.saddr,
    expectContractHash: to.contract_hash,
    nonce,
    timeoutMs: HANDSHAKE_TIMEOUT_MS,
  };
}

/** A route's handshake nonce within a transaction: derived from both, unique to the pair. */
function txNonce(txid: string, routeId: string): string {
  return createHash("sha256").update(`${txid}\u0000${routeId}`).digest("hex").slice(0, 32);
}

/**
 * A move decided outside the reconciler's queue (on a breaker's state) asks again once its
 * turn comes: a trip or heal queued ahead of it may have changed the answer.
 */
export type StillWanted = () => boolean;
const always: StillWanted = () => true;

/**
 * How a route's target is moved (#moveTarget): `swap` for `rtt qc` and failover (the target
 * left behind is kept as a warm spare), `apply` for an apply's replace that changes only the
 * target (the old one is closed once drained, before the apply returns), `unpark` to end a
 * hold (onto a fresh link of the same target; the parked one is closed).
 */
type MoveMode = "swap" | "apply" | "unpark";

/** The outcome with one more warning (none: as it is). */
function withWarning(outcome: BatchOutcome, warning: string | undefined): BatchOutcome {
  if (warning === undefined) return outcome;
  return { ...outcome, warnings: [...(outcome.warnings ?? []), warning] };
}

function codeOf(error: unknown): { code: string; message: string } {
  return error instanceof RttError
    ? { code: error.code, message: error.message }
    : { code: "RTT_ERR_INTERNAL", message: errorMessage(error) };
}

export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #live = new Map<string, WiredRoute>();
  /** One apply (or sweep) at a time: batches must not interleave. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ReconcilerOptions, live: Iterable<WiredRoute> = []) {
    this.#o = options;
    for (const r of live) this.#live.set(r.edge.route, r);
  }

  get graph(): PanelGraph {
    return graphOf(
      this.#live.values(),
      this.#o.driverRecords?.() ?? {},
      this.#o.breakerStates?.() ?? {},
      this.#o.failedOver?.() ?? [],
    );
  }

  /**
   * Journals state that changed without a rewiring (a breaker transition): a transaction whose
   * post-graph has the same topology. Returns its commit seq.
   */
  journal(): Promise<number> {
    return this.#exclusive(async () => {
      const graph = graphJson(this.graph);
      const txid = this.#o.wal.begin(graph);
      return this.#o.wal.commit(txid, graph);
    });
  }

  get live(): ReadonlyMap<string, WiredRoute> {
    return this.#live;
  }

  /**
   * QuickConnect (ADR 0013, `rtt qc`): moves a wired one-way route to another target without
   * stopping its source. One WAL transaction: open the new target and have it offer its lane
   * (with control lanes), run the handshake, then Switch the source's outbound at a frame
   * boundary — the old lane gets EOS after every frame already written to it — and commit.
   * The old target is closed once it has taken every frame the old lane carried, so each frame
   * reaches exactly one target. Anything failing before the Switch closes the new link and
   * leaves the route as it was. Asking for the target the route already has changes nothing.
   */
  quickConnect(
    routeId: string,
    target: CatalogSymbol,
    targetDriver: string,
    meta: { readonly who: string; readonly why: string },
  ): Promise<QuickConnectResult> {
    return this.#exclusive(() => this.#moveTarget(routeId, target, targetDriver, meta, "swap"));
  }

  /** Routes whose source's outbound is parked: their breaker is open and nothing can stand in. */
  readonly #parked = new Set<string>();

  /**
   * Bounds a route's source to `perWindow` chunks every `windowMs` (0 lifts it): the half-open
   * trial's bounded sample (ADR 0013). Returns the source link it applies to, or undefined when
   * the route is not wired.
   */
  throttle(
    routeId: string,
    perWindow: number,
    windowMs: number,
    still: StillWanted = always,
  ): Promise<string | undefined> {
    return this.#exclusive(async () => {
      if (!still()) return undefined;
      const route = this.#live.get(routeId);
      const source = route === undefined ? undefined : this.#o.pool.running(route.from.driver);
      if (route === undefined || source === undefined) return undefined;
      await source.throttle(route.from.link, perWindow, windowMs);
      return linkResourceName(route.from);
    });
  }

  /**
   * After a restart: the drivers kept their links' state, the panel's memory of it is gone.
   * Routes whose source may have been parked by the previous panel (its breaker was half-open
   * or held open when journaled) are taken as parked, so the fallback's settle unparks (a fresh
   * target link) or re-asserts them.
   */
  assumeParked(routeIds: Iterable<string>): void {
    for (const id of routeIds)
      if (this.#live.get(id)?.edge.pattern === "oneway") {
        this.#parked.add(id);
        this.#maybeParked.add(id);
      }
  }

  /**
   * Routes taken as parked after a restart without knowing it (`assumeParked`) until a park or
   * an unpark settles them: a move must not leave such a source unswitched (it may be sending).
   */
  readonly #maybeParked = new Set<string>();

  /** Whether `park` holds the route's frames at its source now. */
  isParked(routeId: string): boolean {
    return this.#parked.has(routeId);
  }

  /**
   * Holds a one-way route whose breaker opened with nowhere to go (no failover target, no degrade
   * mode): the source's outbound is parked — EOS on the target's lane and no new lane — so the
   * failing target gets nothing more and frames wait at the source under the route's QoS
   * (`buffer`: queued up to its bound, then the producer is paused; `taildrop`: dropped and
   * counted). Both links stay open, the graph unchanged; `unpark` moves the source to a fresh
   * lane of the same target. Not journaled: holding follows the breaker, which is (a restarted
   * panel parks an open route again). False when there is nothing to do.
   */
  park(
    routeId: string,
    meta: { readonly who: string; readonly why: string } | "re-assert",
    still: StillWanted = always,
  ): Promise<boolean> {
    return this.#exclusive(async () => {
      if (!still()) return false;
      const route = this.#live.get(routeId);
      if (route === undefined || route.edge.pattern !== "oneway") return false;
      if (this.#parked.has(routeId) && meta !== "re-assert") return false;
      const source = await this.#o.pool.get(route.from.driver);
      await switchOutbound(source, route.from.link, undefined);
      this.#parked.add(routeId);
      this.#maybeParked.delete(routeId);
      // A restarted panel re-asserting a hold its predecessor audited: no second record.
      if (meta === "re-assert") return true;
      this.#o.audit.appendAll([
        {
          action: "degrade",
          route: routeId,
          who: meta.who,
          why: meta.why,
          before: { to: route.edge.to.saddr },
          after: { to: route.edge.to.saddr, parked: true },
        },
      ]);
      return true;
    });
  }

  /**
   * Ends a `park`: a fresh link to the route's own target (its old one took an EOS), the
   * handshake, the Switch of the parked source onto it, one WAL commit; the old target link is
   * closed. Audited `restore`. False when the route is not parked.
   */
  unpark(
    routeId: string,
    target: CatalogSymbol,
    meta: { readonly who: string; readonly why: string },
    still: StillWanted = always,
  ): Promise<boolean> {
    return this.#exclusive(async () => {
      if (!still()) return false;
      const route = this.#live.get(routeId);
      if (route === undefined || !this.#parked.has(routeId)) return false;
      // Decided on the route as it was: an apply since may have moved its target (a held
      // route stays held); the next settle unparks it onto the new one.
      if (route.edge.to.saddr !== target.saddr) return false;
      await this.#moveTarget(routeId, target, route.edge.to.driver, meta, "unpark");
      return true;
    });
  }

  async #moveTarget(
    routeId: string,
    target: CatalogSymbol,
    targetDriver: string,
    meta: { readonly who: string; readonly why: string },
    mode: MoveMode,
  ): Promise<QuickConnectResult> {
    const route = this.#live.get(routeId);
    if (route === undefined)
      throw new RttError("RTT_ERR_PLAN_INVALID", `route ${routeId} is not wired`, {
        hint: "`rtt ls routes` shows the wired routes; `rtt apply` wires routes.json",
      });
    if (
      mode !== "unpark" &&
      route.edge.to.saddr === target.saddr &&
      route.edge.to.driver === targetDriver
    )
      return {
        route: routeId,
        changed: false,
        seq: this.#o.wal.committed?.seq ?? 0,
        oldFrames: 0,
        warm: false,
      };
    if (route.edge.pattern !== "oneway")
      throw new RttError(
        "RTT_ERR_PLAN_INVALID",
        `route ${routeId} is request/response: QuickConnect moves one-way routes`,
        {
          hint: "change routes.json and `rtt apply` (a replace) to move a request/response route",
        },
      );
    const { wal } = this.#o;
    const edge: Edge = {
      ...route.edge,
      to: { saddr: target.saddr, driver: targetDriver, contract_hash: target.contract_hash },
    };
    // A held route moved by an apply stays held: its new target is opened and agreed with, but
    // the source is not switched — the unpark at heal moves it on to a fresh link of the new one.
    const held = mode === "apply" && this.#parked.has(routeId) && !this.#maybeParked.has(routeId);
    const txid = wal.begin(graphJson(this.graph));
    let opened: LinkRef | undefined;
    let warm = false;
    let switched: { oldEosSeq: number; oldFrames: number };
    try {
      await this.#step("open-to", routeId);
      // A warm spare (a target a recent swap left, or one prebound for the route's failover
      // set) is a flip without starting anything; an armed one is the Switch only.
      const spare = mode !== "unpark" ? this.#takeSpare(target.saddr, targetDriver) : undefined;
      const source = await this.#o.pool.get(route.from.driver);
      let address: LaneAddress | undefined;
      if (spare !== undefined && isArmedFor(spare, linkResourceName(route.from), edge.lane)) {
        opened = spare.ref;
        address = spare.armed.address;
        warm = true;
      } else if (spare !== undefined && spare.armed === undefined) opened = spare.ref;
      // Armed for another source, or arming failed: its pending offer cannot be taken back.
      else if (spare !== undefined) await this.#closeAll([spare.ref]);
      const journaled = opened === undefined;
      if (address === undefined) {
        opened ??= await this.#open(
          txid,
          routeId,
          edge.to,
          openParams(this.#o.root, edge),
          new Map([[target.saddr, target]]),
        );
        await this.#step("offer", routeId);
        const newTarget = await this.#o.pool.get(opened.driver);
        const offered = await newTarget.offerWithHandshake(opened.link, edge.lane);
        await this.#step("handshake", routeId);
        await source.handshake(
          route.from.link,
          handshakeAsk(edge.to, offered, txNonce(txid, routeId)),
        );
        address = offered.address;
      }
      // A link opened here is made durable before traffic may reach it; a spare was not
      // journaled in this transaction, so there is nothing to flush.
      if (journaled) wal.flush();
      await this.#step("flip", routeId);
      if (opened === undefined) throw new Error("no target link");
      switched = held
        ? { oldEosSeq: 0, oldFrames: 0 } // the park's EOS ended the old lane
        : await switchOutbound(source, route.from.link, address);
    } catch (error) {
      if (opened !== undefined) await this.#closeAll([opened]);
      wal.abort(txid);
      throw error;
    }
    const to: LinkRef = opened;
    this.#live.set(routeId, { edge, from: route.from, to });
    if (!held) this.#parked.delete(routeId);
    this.#maybeParked.delete(routeId);
    const seq = wal.commit(txid, graphJson(this.graph));
    this.#o.audit.appendAll([
      {
        action: mode === "unpark" ? "restore" : "swap",
        route: routeId,
        who: meta.who,
        why: meta.why,
        before: { from: route.edge.from.saddr, to: route.edge.to.saddr, lane: route.edge.lane },
        after: { from: edge.from.saddr, to: edge.to.saddr, lane: edge.lane },
      },
    ]);
    // Committed. A swapped-out target finishes its lane's frames: after a qc in the background
    // (answer now), then it stays open for a while as a warm spare — the sweep leaves both
    // alone; an apply closes it before it returns, as it does a replaced route's links. The
    // parked one's lane ended with the park, and it is not kept.
    if (mode === "swap") this.#retire(route.to, switched.oldFrames, route.edge.to, routeId);
    else {
      if (mode === "apply") await this.#drained(route.to, switched.oldFrames);
      await this.#closeAll([route.to]);
    }
    return { route: routeId, changed: true, seq, oldFrames: switched.oldFrames, warm };
  }

  /** Links being drained after a swap, by resource name. */
  readonly #retiring = new Set<string>();
  /** Targets kept open with no route on them: retired by a swap, or prebound for failover. */
  readonly #spares = new WarmSpares(SPARE_TTL_MS, (ref) => {
    void this.#exclusive(() => this.#closeAll([ref]));
  });

  #retire(ref: LinkRef, frames: number, end: EdgeEnd, routeId: string): void {
    const name = linkResourceName(ref);
    this.#retiring.add(name);
    // The swap's answer goes out first (AFTER_ANSWER_MS).
    void new Promise((r) => setTimeout(r, AFTER_ANSWER_MS))
      .then(() => this.#drained(ref, frames))
      .then(() => this.#exclusive(() => this.#keepAsSpare(ref, end, routeId)))
      .catch((error: unknown) =>
        this.#o.progress?.(`  retiring ${name} failed: ${codeOf(error).message}`),
      )
      .finally(() => this.#retiring.delete(name));
  }

  /**
   * Keeps a drained target open as a warm spare for SPARE_TTL_MS, armed for the route it left,
   * so a swap back is only the Switch. Arming that fails leaves a plain spare.
   */
  async #keepAsSpare(ref: LinkRef, end: EdgeEnd, routeId: string): Promise<void> {
    const route = this.#live.get(routeId);
    const armed = route === undefined ? undefined : await this.#arm(ref, end, route);
    await this.#keepSpare(end.saddr, { ref, armed });
  }

  async #keepSpare(saddr: string, spare: Spare): Promise<void> {
    const displaced = this.#spares.keep(saddr, spare);
    if (displaced !== undefined) await this.#closeAll([displaced.ref]);
  }

  /**
   * Arms a target link for a route: the target offers a lane (with control lanes) and the
   * route's source link runs the handshake with it now. "spent" when that fails (an offer may
   * be left pending: the link must not be reused for another source).
   */
  async #arm(ref: LinkRef, end: EdgeEnd, route: WiredRoute): Promise<Armed | "spent" | undefined> {
    const target = this.#o.pool.running(ref.driver);
    const source = this.#o.pool.running(route.from.driver);
    if (target === undefined || source === undefined) return undefined;
    try {
      const offered = await target.offerWithHandshake(ref.link, route.edge.lane);
      // Not in a transaction: a nonce of its own.
      await source.handshake(
        route.from.link,
        handshakeAsk(end, offered, randomBytes(16).toString("hex")),
      );
      return {
        source: linkResourceName(route.from),
        lane: route.edge.lane,
        address: offered.address,
      };
    } catch (error) {
      this.#o.progress?.(`  spare ${linkResourceName(ref)} not armed: ${codeOf(error).message}`);
      return "spent";
    }
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
  prebind(routeId: string, target: CatalogSymbol, targetDriver: string): Promise<boolean> {
    return this.#exclusive(async () => {
      const route = this.#live.get(routeId);
      if (route === undefined || route.edge.pattern !== "oneway") return false;
      if (route.edge.to.saddr === target.saddr) return false;
      const source = linkResourceName(route.from);
      const existing = this.#spares.get(target.saddr);
      if (
        existing !== undefined &&
        existing.ref.driver === targetDriver &&
        isArmedFor(existing, source, route.edge.lane)
      ) {
        if (existing.prebound !== routeId)
          await this.#keepSpare(target.saddr, { ...existing, prebound: routeId });
        return false;
      }
      // One spare per target: another route's prebound one that still stands by stays (two
      // routes sharing a failover target would otherwise take it from each other every sweep).
      if (
        existing?.prebound !== undefined &&
        existing.prebound !== routeId &&
        this.#standsBy(existing)
      )
        return false;
      const end: EdgeEnd = {
        saddr: target.saddr,
        driver: targetDriver,
        contract_hash: target.contract_hash,
      };
      const ref = await this.#open(
        undefined,
        routeId,
        end,
        openParams(this.#o.root, route.edge),
        new Map([[target.saddr, target]]),
      );
      const armed = await this.#arm(ref, end, route);
      if (typeof armed !== "object") {
        await this.#closeAll([ref]);
        throw new RttError(
          "RTT_ERR_APPLY_FAILED",
          `could not prebind ${target.saddr} for route ${routeId}: the handshake failed`,
        );
      }
      await this.#keepSpare(target.saddr, { ref, armed, prebound: routeId });
      return true;
    });
  }

  /** The spares kept now (status, tests). */
  get spares(): readonly Spare[] {
    return this.#spares.values();
  }

  /** A prebound spare's route is still wired from the source link it was armed for. */
  #standsBy(spare: Spare): boolean {
    const route = spare.prebound === undefined ? undefined : this.#live.get(spare.prebound);
    return route !== undefined && isArmedFor(spare, linkResourceName(route.from), route.edge.lane);
  }

  #takeSpare(saddr: string, driver: string): Spare | undefined {
    const spare = this.#spares.get(saddr);
    if (spare === undefined || spare.ref.driver !== driver) return undefined;
    if (this.#o.pool.running(driver) === undefined) return undefined;
    return this.#spares.take(saddr);
  }

  /** Links the panel holds open that no route uses now: draining, or warm spares. */
  #held(): string[] {
    return [...this.#retiring, ...this.#spares.values().map((s) => linkResourceName(s.ref))];
  }

  /** Resolves once no retired link is still draining (tests, shutdown). */
  async retired(): Promise<void> {
    while (this.#retiring.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  /** Waits (bounded) until a retired target's link has taken `frames` frames: its lane's share. */
  async #drained(ref: LinkRef, frames: number): Promise<void> {
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

  /**
   * The stability sweep (docs/design.md §The life of a route: recover): the registry against the
   * drivers' actual links. A link a driver holds that no wired route uses is closed (an orphan); a
   * wired route one of whose links its driver no longer holds (closed behind the panel's back, or
   * its driver is gone) is dropped — its surviving end closed — so the caller can rewire it.
   * Returns both lists.
   */
  sweep(): Promise<{ orphans: string[]; broken: string[] }> {
    return this.#exclusive(async () => {
      const held = new Map<string, Set<string>>();
      for (const driver of this.#o.pool.names()) {
        const links = await this.#o.pool.running(driver)?.listLinks();
        if (links !== undefined) held.set(driver, new Set(links.map((l) => l.linkId)));
      }
      const holds = (ref: LinkRef) => held.get(ref.driver)?.has(ref.link) === true;
      // A driver that is restarting lists nothing: its routes are dropDriver's, not broken.
      const listed = (ref: LinkRef) => held.has(ref.driver);
      for (const spare of this.#spares.remove((s) => !holds(s.ref)))
        this.#o.wal.released("link", linkResourceName(spare.ref));
      // A prebound spare stands by for one route from one source link: once that is gone, so is it.
      const stale = this.#spares
        .remove((s) => s.prebound !== undefined && !this.#standsBy(s))
        .map((s) => s.ref);
      await this.#closeAll(stale);
      const broken = [...this.#live.values()].filter(
        (r) => listed(r.from) && listed(r.to) && (!holds(r.from) || !holds(r.to)),
      );
      const handled = new Set<string>(stale.map(linkResourceName));
      for (const r of broken) {
        this.#live.delete(r.edge.route);
        this.#parked.delete(r.edge.route);
        for (const ref of [r.from, r.to]) {
          handled.add(linkResourceName(ref));
          // The caller rewires it: a journaled route's surviving program is the rewire's.
          if (holds(ref)) await this.#closeAll([ref], isJournaled(r.edge));
          else this.#o.wal.released("link", linkResourceName(ref));
        }
      }
      const inUse = new Set([
        ...handled,
        ...this.#held(),
        ...[...this.#live.values()].flatMap((r) => [
          linkResourceName(r.from),
          linkResourceName(r.to),
        ]),
      ]);
      const orphans: LinkRef[] = [];
      for (const [driver, links] of held)
        for (const link of links)
          if (!inUse.has(linkResourceName({ driver, link }))) orphans.push({ driver, link });
      await this.#closeStrays(orphans);
      return { orphans: orphans.map(linkResourceName), broken: broken.map((r) => r.edge.route) };
    });
  }

  /** Appends to the audit ledger (breaker trips and heals, which are not rewirings). */
  appendAudit(entry: AuditEntry): void {
    this.#o.audit.appendAll([entry]);
  }

  /** Takes routes found live at start-up (their drivers re-attached) as the current wiring. */
  adopt(routes: Iterable<WiredRoute>): void {
    for (const r of routes) this.#live.set(r.edge.route, r);
  }

  /**
   * A driver died (it was restarted, or is gone): the links it held are gone, so the routes
   * using it are no longer wired. Their other ends are closed; the caller rewires.
   */
  dropDriver(name: string): Promise<string[]> {
    return this.#exclusive(async () => {
      const lost = [...this.#live.values()].filter(
        (r) => r.from.driver === name || r.to.driver === name,
      );
      for (const spare of this.#spares.remove((s) => s.ref.driver === name))
        this.#o.wal.released("link", linkResourceName(spare.ref));
      for (const r of lost) {
        this.#live.delete(r.edge.route);
        this.#parked.delete(r.edge.route);
        for (const ref of [r.from, r.to]) {
          if (ref.driver === name) this.#o.wal.released("link", linkResourceName(ref));
        }
        // A journaled route's surviving end leaves its program running for the rewire to
        // adopt: what sits in its pipes is not in the journal yet.
        await this.#closeAll(
          [r.from, r.to].filter((ref) => ref.driver !== name),
          isJournaled(r.edge),
        );
      }
      return lost.map((r) => r.edge.route);
    });
  }

  /**
   * Compacts the WAL once it holds more than `atBytes` (between applies, never during one),
   * keeping the newest `keepCommits` commits that changed the topology as rollback targets (a
   * flapping breaker's journal commits do not push an apply out) and the newest commit.
   */
  compactWal(atBytes: number, keepCommits: number): Promise<number> {
    return this.#exclusive(async () => {
      // Past what the last compaction left, doubled: a checkpoint bigger than `atBytes` (many
      // routes, many kept commits) must not be rewritten by every sweep.
      if (this.#o.wal.totalBytes <= Math.max(atBytes, 2 * this.#compactedTo)) return 0;
      const removed = this.#o.wal.compact(keepCommits, topologyKey).removedBytes;
      this.#compactedTo = this.#o.wal.totalBytes;
      return removed;
    });
  }

  /** The WAL's size after the last compaction (0: none yet). */
  #compactedTo = 0;

  /** The panel stopped its drivers, and every link with them: they leave the ledger. */
  releaseAll(): void {
    for (const r of this.#live.values())
      for (const ref of [r.from, r.to]) this.#o.wal.released("link", linkResourceName(ref));
    this.#live.clear();
    this.#parked.clear();
    for (const { ref } of this.#spares.remove(() => true))
      this.#o.wal.released("link", linkResourceName(ref));
  }

  /** Runs `fn` after every earlier apply or sweep finished. */
  /** Resolves once the work queued so far (applies, swaps, sweeps) has finished. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  apply(
    plan: Plan,
    catalog: readonly CatalogSymbol[],
    meta: { readonly who: string; readonly why: string },
  ): Promise<ApplyResult> {
    return this.#exclusive(() => this.#apply(plan, catalog, meta));
  }

  async #apply(
    plan: Plan,
    catalog: readonly CatalogSymbol[],
    meta: { readonly who: string; readonly why: string },
  ): Promise<ApplyResult> {
    const current = topologyHash(this.graph);
    if (plan.base_hash !== current)
      throw new RttError(
        "RTT_ERR_PLAN_STALE",
        `the plan was made against another topology (commit ${plan.base_seq}) than the panel keeps (commit ${this.#o.wal.committed?.seq ?? 0})`,
        { hint: "run `rtt plan` again (another apply, rollback or qc happened since)" },
      );
    return this.#applyEdits(plan.edits, plan.batches, catalog, meta);
  }

  /**
   * Rewires to `target` (a journaled topology: rollback, or restoring the committed topology
   * after a restart found some of its links gone).
   */
  reconcileTo(
    target: Topology,
    catalog: readonly CatalogSymbol[],
    meta: { readonly who: string; readonly why: string },
  ): Promise<ApplyResult> {
    return this.#exclusive(() => {
      const edits = diffTopologies(this.graph, target);
      return this.#applyEdits(edits, batchEdits(edits), catalog, meta);
    });
  }

  /**
   * Moves a wired route's target end to another driver of the same symbol — a stub in its place
   * while its breaker is open (degrade), and back (restore) — as a one-route replace batch: new
   * links on both ends, prepared, flipped and committed like an apply's (request/response routes
   * cannot QuickConnect). `choose` runs once earlier work is done, on the route as it is then,
   * so a trip and a heal in quick succession settle on the last word; it returns undefined (or
   * the current end) for no change. Returns the move made and its batch, or undefined.
   */
  retarget(
    routeId: string,
    choose: (route: WiredRoute) => Retarget | undefined,
    catalog: readonly CatalogSymbol[],
    who: string,
  ): Promise<{ readonly move: Retarget; readonly outcome: BatchOutcome } | undefined> {
    return this.#exclusive(async () => {
      const route = this.#live.get(routeId);
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
      const outcome = await this.#runBatch([edit], symbols, { who, why: move.why }, move.action);
      return { move, outcome };
    });
  }

  async #applyEdits(
    planEdits: readonly Edit[],
    planBatches: readonly (readonly string[])[],
    catalog: readonly CatalogSymbol[],
    meta: { readonly who: string; readonly why: string },
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
      this.#o.progress?.(`batch ${i + 1}/${planBatches.length}: ${ids.join(", ")}`);
      const [only] = inBatch;
      const move =
        only !== undefined && inPlace.has(only.route)
          ? await this.#moveInPlace(only, symbols, meta)
          : undefined;
      const outcome =
        move !== undefined && "moved" in move
          ? move.moved
          : withWarning(
              await this.#runBatch(inBatch, symbols, meta),
              move?.notMoved === undefined
                ? undefined
                : `${only?.route}: not moved in place (${move.notMoved})`,
            );
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
      seq: this.#o.wal.committed?.seq ?? 0,
    };
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
    meta: { readonly who: string; readonly why: string },
  ): Promise<{ moved: BatchOutcome } | { notMoved?: string }> {
    const { route } = edit;
    const live = this.#live.get(route);
    const target = edit.action === "replace" ? symbols.get(edit.after.to.saddr) : undefined;
    // Not tried (a replace does it): the route is not wired as the plan found it, or the
    // catalog's contract is not the plan's (the move's edge is built from it). A held route is
    // moved and stays held (#moveTarget): a replace would start its source again, unheld.
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
      moved = await this.#moveTarget(route, target, edit.after.to.driver, meta, "apply");
    } catch (error) {
      // Past the commit the route has moved: that failure is not one a replace can fix.
      if (edgeKey(this.#live.get(route)?.edge ?? edit.before) !== edgeKey(edit.before)) throw error;
      const why = codeOf(error).message;
      this.#o.progress?.(`  could not move ${route} in place (${why}): replacing it`);
      return { notMoved: why };
    }
    if (!moved.changed) return {};
    this.#o.progress?.(`  moved ${route} in place: → ${edit.after.to.saddr} (commit ${moved.seq})`);
    const wired = this.#live.get(route);
    const problem = wired === undefined ? undefined : await this.#o.verify?.(wired);
    return {
      moved: {
        routes: [route],
        outcome: "committed",
        seq: moved.seq,
        ...(problem === undefined ? {} : { warnings: [`${route}: ${problem}`] }),
      },
    };
  }

  async #step(step: ApplyStep, route: string): Promise<void> {
    await this.#o.beforeStep?.(step, route);
  }

  /** `auditAs`: the ledger's action for a retarget's replace (default: bind/unbind/swap). */
  async #runBatch(
    edits: readonly Edit[],
    symbols: ReadonlyMap<string, CatalogSymbol>,
    meta: { readonly who: string; readonly why: string },
    auditAs?: AuditAction,
  ): Promise<BatchOutcome> {
    const { wal } = this.#o;
    const routes = edits.map((e) => e.route);
    const txid = wal.begin(graphJson(this.graph));
    const prepared: Prepared[] = [];
    try {
      for (const edit of edits) if (edit.action !== "delete") prepared.push({ edit });
      await eachLimited(prepared, CONCURRENCY, (p) => this.#prepare(txid, p, symbols));
      // Every link is journaled before anything flows.
      wal.flush();
      await eachLimited(prepared, CONCURRENCY, async (p) => {
        await this.#step("flip", p.edit.route);
        const { from, inbound } = p;
        if (from === undefined || inbound === undefined) throw new Error("unprepared route");
        const driver = await this.#o.pool.get(from.driver);
        await driver.bind(from.link, { outbound: inbound });
      });
      await this.#step("commit", routes[0] ?? "");
    } catch (error) {
      this.#o.progress?.(`  rolling back: ${codeOf(error).message}`);
      // Rewiring a committed journaled route, its ends adopted the programs: the next try
      // adopts them again. A route new in this batch has nobody to adopt its programs.
      const rewired = this.#committedJournaled().routes;
      const ends = (p: Prepared) => [p.from, p.to].filter((l): l is LinkRef => l !== undefined);
      const again = (p: Prepared) => rewired.has(p.edit.route) && isJournaled(p.edit.after);
      await this.#closeAll(prepared.filter(again).flatMap(ends), true);
      await this.#closeAll(prepared.filter((p) => !again(p)).flatMap(ends));
      wal.abort(txid);
      return { routes, outcome: "rolled-back", error: codeOf(error) };
    }
    // The commit point: from here on the batch's new wiring is the topology.
    const retired: WiredRoute[] = [];
    for (const edit of edits) {
      const old = this.#live.get(edit.route);
      if (old !== undefined && edit.action !== "create") retired.push(old);
      if (edit.action === "delete") this.#live.delete(edit.route);
      this.#parked.delete(edit.route); // new links, or none: not parked any more
    }
    for (const p of prepared) {
      if (p.from === undefined || p.to === undefined) continue;
      this.#live.set(p.edit.route, { edge: p.edit.after, from: p.from, to: p.to });
    }
    const seq = wal.commit(txid, graphJson(this.graph));
    this.#audit(edits, meta, auditAs);
    for (const old of retired) {
      await this.#step("retire", old.edge.route).catch(() => {});
      await this.#closeAll([old.from, old.to]);
    }
    for (const edit of edits)
      if (edit.action === "delete") forgetRouteJournal(this.#o.root, edit.route);
    const warnings: string[] = [];
    for (const p of prepared) {
      const wired = this.#live.get(p.edit.route);
      const problem = wired === undefined ? undefined : await this.#o.verify?.(wired);
      if (problem !== undefined) warnings.push(`${p.edit.route}: ${problem}`);
    }
    return { routes, outcome: "committed", seq, ...(warnings.length > 0 ? { warnings } : {}) };
  }

  async #prepare(
    txid: string,
    p: Prepared,
    symbols: ReadonlyMap<string, CatalogSymbol>,
  ): Promise<void> {
    const edge = p.edit.after;
    const id = edge.route;
    this.#o.progress?.(`  prepare ${id}: ${edge.from.saddr} → ${edge.to.saddr} over ${edge.lane}`);
    await this.#step("open-from", id);
    const params = openParams(this.#o.root, edge);
    p.from = await this.#open(txid, id, edge.from, params, symbols);
    await this.#step("open-to", id);
    p.to = await this.#open(txid, id, edge.to, params, symbols);
    await this.#step("offer", id);
    const target = await this.#o.pool.get(p.to.driver);
    const source = await this.#o.pool.get(p.from.driver);
    const offered = await target.offerWithHandshake(p.to.link, edge.lane);
    p.inbound = offered.address;
    if (edge.pattern === "reqrep") {
      await this.#step("bind-reply", id);
      const reply = await source.offer(p.from.link, "inbound", edge.lane);
      await target.bind(p.to.link, { outbound: reply });
    }
    // The handshake (ADR 0011) between the two drivers: the target must be the plan's contract.
    await this.#step("handshake", id);
    await source.handshake(p.from.link, handshakeAsk(edge.to, offered, txNonce(txid, id)));
  }

  /** Opens one end of a route; journaled as a link resource in `txid` (none: not journaled). */
  async #open(
    txid: string | undefined,
    route: string,
    end: Edge["from"],
    params: Readonly<Record<string, string>>,
    symbols: ReadonlyMap<string, CatalogSymbol>,
  ): Promise<LinkRef> {
    const symbol = symbols.get(end.saddr);
    if (symbol === undefined)
      throw new RttError("RTT_ERR_PLAN_STALE", `${end.saddr} is no longer in the catalog`, {
        hint: "run `rtt scan` and `rtt plan` again",
      });
    const driver = await this.#o.pool.get(end.driver);
    const link = await driver.open(end.saddr, {
      contract: contractForDriver(symbol, this.#o.root),
      params,
    });
    const ref = { driver: end.driver, link };
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

  /** Closes links (best effort: a dead driver has closed them already) and releases them. */
  /**
   * Closes links no live route uses. One that a committed journaled route still names (its
   * other end's driver died, a panel start found it alone, a rewire was rolled back) is closed
   * detached: the committed topology is restored, and that rewire adopts its program.
   */
  async #closeStrays(refs: readonly LinkRef[]): Promise<void> {
    const { links } = this.#committedJournaled();
    const named = (ref: LinkRef) => links.has(linkResourceName(ref));
    await this.#closeAll(refs.filter(named), true);
    await this.#closeAll(refs.filter((ref) => !named(ref)));
  }

  /** The committed topology's journaled routes, and the links it names for them. */
  #committedJournaled(): { routes: Set<string>; links: Set<string> } {
    const committed = wiredRoutesOf(this.#o.wal.committed?.post).filter((r) => isJournaled(r.edge));
    return {
      routes: new Set(committed.map((r) => r.edge.route)),
      links: new Set(committed.flatMap((r) => [r.from, r.to].map(linkResourceName))),
    };
  }

  /** `detach`: leave the links' programs adoptable (DriverCalls.close). */
  async #closeAll(links: readonly LinkRef[], detach = false): Promise<void> {
    for (const ref of links) {
      try {
        // A driver that is not running took its links with it: nothing to close.
        await this.#o.pool.running(ref.driver)?.close(ref.link, detach);
        this.#o.wal.released("link", linkResourceName(ref));
      } catch (error) {
        this.#o.progress?.(`  could not close ${linkResourceName(ref)}: ${codeOf(error).message}`);
      }
    }
  }

  #audit(
    edits: readonly Edit[],
    meta: { readonly who: string; readonly why: string },
    auditAs?: AuditAction,
  ): void {
    const summary = (e: Edge): JsonValue => ({
      from: e.from.saddr,
      to: e.to.saddr,
      lane: e.lane,
      pattern: e.pattern,
      // A retarget keeps the symbol and changes who answers for it.
      ...(auditAs === undefined ? {} : { to_driver: e.to.driver }),
    });
    this.#o.audit.appendAll(
      edits.map((edit) => ({
        action:
          auditAs ??
          (edit.action === "create" ? "bind" : edit.action === "delete" ? "unbind" : "swap"),
        route: edit.route,
        who: meta.who,
        why: meta.why,
        before: edit.action === "create" ? null : summary(edit.before),
        after: edit.action === "delete" ? null : summary(edit.after),
      })),
    );
  }

  /**
   * At start-up: closes (or, where the driver is gone, releases) every link the WAL's ledger
   * journaled that no committed route uses — strays of a transaction a crash cut short, links a
   * crash kept from being retired — then runs the stability sweep for what the drivers hold.
   */
  async sweepOrphans(): Promise<{ orphans: string[]; broken: string[] }> {
    const journaled = await this.#exclusive(async () => {
      const inUse = new Set(
        [...this.#live.values()].flatMap((r) => [linkResourceName(r.from), linkResourceName(r.to)]),
      );
      const strays = new Map<string, LinkRef>();
      for (const e of this.#o.wal.report.replay.ledger) {
        const ref = e.kind === "link" ? parseLinkResourceName(e.name) : undefined;
        if (ref !== undefined && !inUse.has(e.name)) strays.set(e.name, ref);
      }
      await this.#closeStrays([...strays.values()]);
      return [...strays.keys()];
    });
    const swept = await this.sweep();
    return { orphans: [...journaled, ...swept.orphans], broken: swept.broken };
  }
}

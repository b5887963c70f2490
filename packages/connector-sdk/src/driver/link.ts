/**
 * One open link inside a driver and the two pumps that move its bytes
 * (docs/design.md §Principles: the panel wires, lanes carry):
 *
 *   inbound lane --frame--> tx queue --> connector.tx(link, bytes)      (in order, one at a time)
 *   connector.rx(link) --chunk--> outbound lane (+ Rx taps)            (waits for 'drain')
 *
 * `Link` is the coordinator: it makes the parts, hands each call to the part it is for, and
 * owns their lifecycle. Each part keeps its own state and says what must hold for it:
 * - inbound-tx.ts: the inbound lane's reader into the bounded tx queue and on to the
 *   connector's tx, the reader paused and resumed at the queue's marks;
 * - outbound-pump.ts: the connector's rx through the route's admission, congestion and
 *   half-open trial bound to the outbound lane and Rx taps;
 * - lane-slots.ts: the lanes the link is bound to: Bind, Offer, the idempotent Switch;
 * - latency-probes.ts: HEARTBEATs out, the ages of those coming in;
 * - link-scope.ts: what they share: closed or not, the change signal, counters, lane errors.
 */
import type { Contract, RouteAdmissionQos } from "@rtt/core";
import { contractHash, errorMessage, formatSaddr, parseConcrete } from "@rtt/core";
import type { AdmissionCounters, LaneAddress, LaneKind } from "@rtt/fabric";
import { withTimeout } from "./connector-call.ts";
import {
  type CloseHow,
  type CloseReport,
  type Connector,
  describeClose,
  type LinkHealth,
  type RxMessage,
} from "./define-connector.ts";
import { InboundTx } from "./inbound-tx.ts";
import { type LaneSide, LaneSlots, type SwitchAnswer } from "./lane-slots.ts";
import { LatencyProbes } from "./latency-probes.ts";
import { type LinkCounters, type LinkLog, LinkScope } from "./link-scope.ts";
import { OutboundPump } from "./outbound-pump.ts";
import { type RouteGrant, routeAdmission } from "./route-admission.ts";
import {
  type ControlAddresses,
  type HandshakeAgreed,
  type HandshakeAsk,
  LinkHandshakes,
} from "./route-handshake.ts";
import type { DeliveredMark, RouteJournal } from "./route-journal.ts";
import type { RxTap } from "./rx-taps.ts";

/** What a link does for its route besides carrying bytes. */
export interface LinkRoute {
  /** At the source end of a route with a QoS rate: its admission. */
  readonly qos?: RouteAdmissionQos;
  /** At the source end of a journaled route: the journal (its connector writes it). */
  readonly journal?: RouteJournal;
  /** At the target end of a journaled route: where each message taken is marked. */
  readonly delivered?: DeliveredMark;
  /** At a fan-out source end (ADR 0025): how many routes share its program now. */
  readonly shared?: () => number;
}

export class Link<L> {
  readonly id: string;
  readonly saddr: string;
  readonly contract: Contract;
  readonly handle: L;
  readonly counters: LinkCounters;
  readonly #connector: Connector<L>;
  readonly #route: LinkRoute;
  readonly #scope: LinkScope;
  readonly #probes: LatencyProbes;
  readonly #inbound: InboundTx<L>;
  readonly #slots: LaneSlots;
  readonly #pump: OutboundPump<L>;
  /** QuickConnect control lanes and handshakes of this link (route-handshake.ts). */
  readonly #handshakes: LinkHandshakes;

  constructor(
    id: string,
    contract: Contract,
    handle: L,
    connector: Connector<L>,
    log: LinkLog,
    route: LinkRoute = {},
  ) {
    this.id = id;
    this.saddr = contract.saddr;
    this.contract = contract;
    this.handle = handle;
    this.#connector = connector;
    this.#route = route;
    const scope = new LinkScope(id, log);
    this.#scope = scope;
    this.counters = scope.counters;
    this.#probes = new LatencyProbes(scope.counters);
    this.#inbound = new InboundTx(scope, connector, handle, this.#probes, route.delivered);
    this.#slots = new LaneSlots(
      scope,
      this.#inbound,
      (writer) => this.#pump.laneTaken(writer),
      () => this.#pump.laneOffered(),
    );
    this.#pump = new OutboundPump(scope, connector, handle, this.#slots, route.qos);
    this.#handshakes = new LinkHandshakes(scope);
  }

  /** What the route's admission did with rx so far; undefined without one. */
  get admission(): AdmissionCounters | undefined {
    return this.#pump.admission;
  }

  get closed(): boolean {
    return this.#scope.closed;
  }

  /** Routes sharing this link's program (fan-out), 1 alone; 0 for a link that never shares. */
  get sharedBy(): number {
    return this.#route.shared?.() ?? 0;
  }

  /**
   * A chunk of a shared source this link had no room for (ADR 0025): its route's admission
   * refuses it as its policy says, without tokens.
   */
  refuseUnoffered(item: Uint8Array | RxMessage): void {
    this.#pump.refuseUnoffered(item);
  }

  /** Inbound messages received but not yet handed to tx. */
  get qdepth(): number {
    return this.#inbound.depth;
  }

  /** Control lanes and handshakes still in flight, for tests and health. */
  get handshakesActive(): number {
    return this.#handshakes.active;
  }

  // -------------------------------------------------------------------------------------------
  // Lanes (lane-slots.ts)

  bind(
    inbound: LaneAddress | undefined,
    outbound: LaneAddress | undefined,
  ): Promise<{ inbound_bound: boolean; outbound_bound: boolean }> {
    return this.#slots.bind(inbound, outbound);
  }

  /** The lanes the link writes and reads now (LaneSlots.lanes), as ListLinks reports them. */
  get lanes(): { readonly outbound?: LaneAddress; readonly inbound?: LaneAddress } {
    return this.#slots.lanes;
  }

  /** Moves the outbound to a lane, or parks it; idempotent (see LaneSlots.switchOutbound). */
  switchOutbound(address: LaneAddress | undefined): Promise<SwitchAnswer> {
    return this.#slots.switchOutbound(address);
  }

  /** Listens for one side; it is bound when the peer connects. Returns the peer's address. */
  offer(side: LaneSide, kind: LaneKind, capacity?: number): Promise<LaneAddress> {
    return this.#slots.offer(side, kind, capacity);
  }

  /**
   * Offers the inbound side (as `offer`) and answers the route's QuickConnect handshake on
   * control lanes of its own: the SYN must expect this link's contract hash, the BIND must
   * name the lane offered here, and, when the contract's auth mode is token or caps, the SYN
   * must carry a route token for `grant`'s route (route-admission.ts). A failure to listen
   * leaves the link as it was.
   */
  async offerWithHandshake(
    kind: LaneKind,
    capacity?: number,
    grant?: RouteGrant,
  ): Promise<{ address: LaneAddress; control: ControlAddresses }> {
    // Refused before listening: a link that needs a route token and has no grant admits nobody.
    const admit = routeAdmission(this.contract, formatSaddr(parseConcrete(this.saddr)), grant);
    const address = await this.#slots.offer("inbound", kind, capacity);
    try {
      const control = await this.#handshakes.answer({
        data: address,
        contractHash: contractHash(this.contract),
        caps: this.contract.capabilities ?? [],
        admit,
      });
      return { address, control };
    } catch (error) {
      this.#slots.withdrawOffer("inbound");
      throw error;
    }
  }

  /**
   * Runs the route's handshake as its initiator (this link is the source end), then connects a
   * standby writer to the agreed data lane, so the Bind or Switch that follows only swaps.
   */
  async handshake(ask: HandshakeAsk): Promise<HandshakeAgreed> {
    this.#scope.assertOpen();
    const agreed = await this.#handshakes.initiate(formatSaddr(parseConcrete(this.saddr)), ask);
    await this.#slots.connectStandby(ask.data);
    return agreed;
  }

  // -------------------------------------------------------------------------------------------
  // Bytes: inbound to tx (inbound-tx.ts), rx to outbound (outbound-pump.ts)

  /** Control-path write: queued behind the lane's frames, resolved once tx has taken it. */
  tx(bytes: Uint8Array, correlation = 0): Promise<void> {
    return this.#inbound.tx(bytes, correlation);
  }

  addTap(tap: RxTap): () => void {
    return this.#pump.addTap(tap);
  }

  /** Bounds the outbound for a half-open trial, or lifts it (see OutboundPump.throttle). */
  throttle(perWindow: number, windowMs: number): void {
    this.#pump.throttle(perWindow, windowMs);
  }

  // -------------------------------------------------------------------------------------------
  // Heartbeats, health and close

  /**
   * Called by the runtime's one shared timer once an interval: the outbound lane gets a
   * HEARTBEAT, so a reader never waits more than an interval to hear from a live writer, and
   * its send time is the reader's latency probe. A lane waiting for 'drain' is visibly alive
   * and is left alone (its backlog shows in the next probe's age).
   */
  heartbeat(): void {
    const out = this.#slots.writer;
    if (out === undefined || this.#scope.closed || this.#pump.rxDone) return;
    // A busy lane gets one too: its payload, the send time, is the reader's latency probe.
    if (this.#pump.waitingDrain) return;
    this.#probes.send(out);
  }

  async health(timeoutMs: number): Promise<{
    ok: boolean;
    lag_ms: number;
    err: string;
    errors: number;
    client_errors: number;
    unaccounted: number;
  }> {
    let own: LinkHealth;
    try {
      own = await withTimeout(
        Promise.resolve(this.#connector.health(this.handle)),
        timeoutMs,
        "health",
      );
    } catch (error) {
      own = { ok: false, lag_ms: 0, err: `health: ${errorMessage(error)}` };
    }
    const problems = [
      own.ok ? undefined : (own.err ?? "the connector reports not ok"),
      this.#scope.laneError,
      this.#pump.rxError,
      // tx errors are reported once; lane errors stay until re-bound
      this.#inbound.takeTxError(),
    ].filter((p): p is string => p !== undefined && p !== "");
    const laneLag = this.#probes.lagMs();
    return {
      ok: problems.length === 0,
      lag_ms: Math.max(Number.isFinite(own.lag_ms) ? own.lag_ms : 0, laneLag),
      err: problems.join("; "),
      errors: count(own.errors),
      client_errors: count(own.client_errors),
      unaccounted: own.unaccounted ?? 0,
    };
  }

  /**
   * EOS on the outbound lane, inbound released, the connector's close called; what the
   * connector reported of its program's end (ADR 0024), if anything.
   */
  async close(
    drainMs: number,
    how: CloseHow = { detach: false },
  ): Promise<CloseReport | undefined> {
    if (this.#scope.closed) return undefined;
    this.#scope.markClosed();
    let report: CloseReport | undefined;
    try {
      report = (await this.#connector.close(this.handle, how)) ?? undefined;
    } catch (error) {
      this.#scope.log(`link ${this.id}: close failed: ${errorMessage(error)}`);
    }
    this.#pump.close();
    // What its program took and did not acknowledge is replayed from the journal (ADR 0024).
    if (report !== undefined && report.unaccounted > 0) {
      const mark = this.#route.delivered?.rewind();
      if (mark !== undefined)
        this.#scope.log(`link ${this.id}: ${describeClose(report)}: journal mark back to ${mark}`);
    }
    // After the connector's close: it no longer appends or takes messages.
    this.#route.journal?.close();
    this.#route.delivered?.close();
    this.#handshakes.close();
    this.#inbound.close();
    await this.#slots.close(drainMs);
    return report;
  }
}

/** A connector's counter as a sample carries it: a non-negative integer (0 when absent). */
function count(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

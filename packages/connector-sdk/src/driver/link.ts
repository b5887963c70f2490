/**
 * One open link inside a driver and the two pumps that move its bytes
 * (docs/design.md §Principles: the panel wires, lanes carry):
 *
 *   inbound lane --frame--> tx queue --> connector.tx(link, bytes)      (in order, one at a time)
 *   connector.rx(link) --chunk--> outbound lane (+ Rx taps)            (waits for 'drain')
 *
 * What must hold:
 * - Frame boundaries: one rx chunk is one DATA frame, written by one synchronous `write`, so a
 *   Switch — which only swaps the writer between two writes — can never split a message.
 * - Backpressure, no silent loss: a chunk that `write` accepted with `false` is in the lane; the
 *   pump then waits for 'drain' (or a Switch, or close) before pulling the next chunk from rx —
 *   unless the route's drop policy is taildrop or nack, which refuse (and count) chunks until
 *   the drain instead. With no consumer at all (no outbound lane, no tap) the pump holds the
 *   chunk it has and waits for one.
 * - Switch: the new lane is connected before anything changes, so a failed Switch leaves the
 *   link as it was; then the old lane gets EOS after every frame already written to it.
 * - Bounded inbound: a tx slower than its lane pauses the inbound reader at the tx queue's
 *   high-water mark and resumes it below the low-water mark, so the lane fills and its writer —
 *   the upstream driver's rx pump, and through it the source — waits instead of this queue
 *   growing without bound.
 * - Admission: at the source end of a route with a QoS `rate`, rx chunks pass the route's token
 *   bucket and drop policy (admitted-rx.ts) before they become frames; without a rate, rx goes
 *   straight to the lane, as above.
 */
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Contract, RouteAdmissionQos } from "@rtt/core";
import { contractHash, errorMessage, formatSaddr, parseConcrete, RttError } from "@rtt/core";
import {
  type AdmissionCounters,
  BoundedQueue,
  connectReader,
  type Frame,
  FrameType,
  type LaneAddress,
  type LaneKind,
  type LaneListener,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
  RouteAdmission,
  TokenBucket,
  type WaterMarks,
} from "@rtt/fabric";
import { AdmittedRx } from "./admitted-rx.ts";
import { callFailed, withTimeout } from "./connector-call.ts";
import type { CloseHow, Connector, LinkHealth, RxMessage } from "./define-connector.ts";
import {
  type ControlAddresses,
  dropListener,
  type HandshakeAgreed,
  type HandshakeAsk,
  LinkHandshakes,
} from "./route-handshake.ts";
import type { DeliveredMark, RouteJournal } from "./route-journal.ts";
import { laneAddressKey, StandbyWriters } from "./standby-writers.ts";

/** Which side of a link a lane is for. */
export type LaneSide = "inbound" | "outbound";

/** What a Switch answers: the old lane's EOS sequence number and the DATA frames it carried. */
export interface SwitchAnswer {
  readonly old_eos_seq: number;
  readonly old_frames: number;
}

/** A Switch, by where it moved the outbound: a lane's key, or "parked". */
interface LastSwitch {
  readonly to: string;
  readonly answer: Promise<SwitchAnswer>;
  /** The link's outbound move count right after it moved; undefined while under way. */
  moves?: number;
}

/** How far back health looks at latency probes. */
const PROBE_WINDOW_MS = 1000;

/**
 * The inbound tx queue's marks (frames or payload bytes, whichever is reached first). At the
 * high mark the inbound lane is paused, so qdepth never exceeds it (+ control-path Tx calls,
 * which are few and awaited by their callers); below both low marks it is resumed. 1024 frames
 * matches the default route buffer (qos `buffer: 1024`); the gap between the marks keeps a
 * steady slow consumer from pausing and resuming the lane on every frame.
 */
const INBOUND_HIGH_WATER_FRAMES = 1024;
const INBOUND_LOW_WATER_FRAMES = 256;
const INBOUND_HIGH_WATER_BYTES = 16 * 1024 * 1024;
const INBOUND_LOW_WATER_BYTES = 4 * 1024 * 1024;
const INBOUND_MARKS: WaterMarks = {
  high: { items: INBOUND_HIGH_WATER_FRAMES, bytes: INBOUND_HIGH_WATER_BYTES },
  low: { items: INBOUND_LOW_WATER_FRAMES, bytes: INBOUND_LOW_WATER_BYTES },
};

/** A HEARTBEAT payload: the send time, CLOCK_MONOTONIC nanoseconds, u64 little-endian. */
/** Chunks the outbound pump delivers before it lets the event loop run (see #pump). */
const PUMP_SLICE = 256;

function probePayload(): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(process.hrtime.bigint(), 0);
  return b;
}

/**
 * "Something changed" (a Bind, Switch, tap or close) for whoever waits. Listeners are removed
 * as soon as they fire or stop waiting, so a pump that waits for 'drain' a million times does
 * not pile up a million callbacks on a promise that may never settle.
 */
class Signal {
  readonly #listeners = new Set<() => void>();
  /** Resolves at the next `fire()`, or when `other` settles, whichever is first. */
  waitOr(other?: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#listeners.delete(done);
        resolve();
      };
      this.#listeners.add(done);
      other?.then(done, done);
    });
  }
  fire(): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}

/** A consumer of a link's rx chunks besides its outbound lane: a control-path Rx stream. */
export interface RxTap {
  /** Index of the last chunk this tap received (0 before the first). */
  readonly last: number;
  /** Takes one chunk; false = its buffer is full, see `drained`. */
  push(chunk: Uint8Array, index: number, correlation: number): boolean;
  /** Resolves when the tap can take more (or is gone). */
  drained(): Promise<void>;
  /** The link closed or its rx ended: no more chunks. */
  end(): void;
}

interface TxItem {
  readonly bytes: Uint8Array;
  readonly correlation: number;
  readonly settle?: (error?: unknown) => void;
}

export interface LinkCounters {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  heartbeatsOut: number;
  txErrors: number;
}

export type LinkLog = (line: string) => void;

/** What a link does for its route besides carrying bytes. */
export interface LinkRoute {
  /** At the source end of a route with a QoS rate: its admission. */
  readonly qos?: RouteAdmissionQos;
  /** At the source end of a journaled route: the journal (its connector writes it). */
  readonly journal?: RouteJournal;
  /** At the target end of a journaled route: where each message taken is marked. */
  readonly delivered?: DeliveredMark;
}

export class Link<L> {
  readonly id: string;
  readonly saddr: string;
  readonly contract: Contract;
  readonly handle: L;
  readonly counters: LinkCounters = {
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
    heartbeatsOut: 0,
    txErrors: 0,
  };
  readonly #connector: Connector<L>;
  readonly #log: LinkLog;
  readonly #route: LinkRoute;
  readonly #changed = new Signal();

  #closed = false;
  #inbound: LaneReader | undefined;
  #inboundState: "none" | "open" | "ended" | "failed" = "none";
  #outbound: LaneWriter | undefined;
  #outboundFailed = false;
  /** DATA frames written to the current outbound lane. */
  #framesOnLane = 0;
  #waitingDrain = false;
  /**
   * The outbound lane that said it is full, until its 'drain', on a route whose policy refuses
   * rather than waits there (taildrop, nack): chunks meanwhile are refused and counted.
   */
  #congested: LaneWriter | undefined;
  /** Latency probes (HEARTBEATs) that arrived within the last PROBE_WINDOW_MS: arrival and age. */
  #probes: { at: number; ms: number }[] = [];

  readonly #tx = new BoundedQueue<TxItem>({
    sizeOf: (item) => item.bytes.length,
    marks: INBOUND_MARKS,
  });
  #txBusy = false;
  /** The inbound reader is paused because the tx queue reached its high-water mark. */
  #inboundHeld = false;

  readonly #taps = new Set<RxTap>();
  #pumping = false;
  #rxDone = false;
  #chunks = 0;
  #iterator: AsyncIterator<Uint8Array | RxMessage> | undefined;
  /** The route's admission, at its source end with a QoS rate; undefined: none. */
  readonly #admission: RouteAdmission<Uint8Array | RxMessage> | undefined;
  #admitted: AdmittedRx<Uint8Array | RxMessage> | undefined;
  /** Listeners of Offers not yet taken by a peer, by side. */
  readonly #offers = new Map<LaneSide, LaneListener<LaneReader> | LaneListener<LaneWriter>>();

  /** QuickConnect control lanes and handshakes of this link (route-handshake.ts). */
  readonly #handshakes: LinkHandshakes;
  /** The outbound is parked (Switch with no lane): chunks wait here, taps or not. */
  #parked = false;
  /** A half-open trial's bound on the outbound (see `throttle`); undefined: none. */
  #trial: TokenBucket | undefined;
  /** Writers to lanes a handshake agreed on, connected ahead of the Bind or Switch. */
  readonly #standby: StandbyWriters;
  /** Times the outbound moved (a lane taken, or parked): tells a repeated Switch from a new one. */
  #outboundMoves = 0;
  /** The last Switch: where to, its answer, and `#outboundMoves` once it moved (see switchOutbound). */
  #lastSwitch: LastSwitch | undefined;

  /** Problems to report in the next health sample; lane errors stay until a re-bind. */
  #laneError: string | undefined;
  #rxError: string | undefined;
  #txError: string | undefined;

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
    this.#log = log;
    this.#handshakes = new LinkHandshakes(id, log);
    this.#standby = new StandbyWriters(log);
    this.#route = route;
    const qos = route.qos;
    this.#admission =
      qos === undefined
        ? undefined
        : new RouteAdmission({
            policy: qos.drop,
            bucket: new TokenBucket({ rate: qos.rate, burst: qos.burst }, () => performance.now()),
            ...(qos.buffer === undefined ? {} : { bufferLimit: qos.buffer }),
          });
  }

  /** What the route's admission did with rx so far; undefined without one. */
  get admission(): AdmissionCounters | undefined {
    return this.#admission?.counters;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Inbound messages received but not yet handed to tx. */
  get qdepth(): number {
    return this.#tx.length;
  }

  // -------------------------------------------------------------------------------------------
  // Binding lanes

  async bind(
    inbound: LaneAddress | undefined,
    outbound: LaneAddress | undefined,
  ): Promise<{ inbound_bound: boolean; outbound_bound: boolean }> {
    this.#assertOpen();
    if (inbound !== undefined) this.#assertFree("inbound");
    if (outbound !== undefined) this.#assertFree("outbound");
    // Connect both before changing anything: a Bind that fails leaves the link as it was.
    const reader = inbound === undefined ? undefined : await connectReader(inbound);
    // Held until #attachReader listens: frames the reader took while the outbound connects
    // would be emitted to nobody and lost (a stream's first records, now and then).
    reader?.pause();
    let writer: LaneWriter | undefined;
    try {
      writer = outbound === undefined ? undefined : await this.#standby.take(outbound);
    } catch (error) {
      reader?.close();
      throw error;
    }
    if (this.#closed) {
      reader?.close();
      writer?.destroy();
      this.#assertOpen();
    }
    if (reader !== undefined) this.#attachReader(reader);
    if (writer !== undefined) this.#useWriter(writer);
    return {
      inbound_bound: this.#inboundState === "open",
      outbound_bound: this.#outbound !== undefined && !this.#outboundFailed,
    };
  }

  /**
   * Moves the outbound side to a new lane at a frame boundary; the old lane gets EOS after
   * what was written to it. Returns the EOS's sequence number and the DATA frames it carried.
   * With no address the outbound is *parked* (a held route): EOS on the old lane and no new
   * one, so chunks wait at this end — the route's admission buffers them, then rx is not
   * pulled and the producer is paused — until a Switch to a lane moves them on.
   *
   * Idempotent: a Switch asked again to where the last one moved (its answer was lost to a
   * timeout on the caller's side) gets the first one's answer, while the outbound has not moved
   * since, and joins it while it is under way — so the caller can tell "switched, answer lost"
   * from "not switched" without ending the lane the link now writes to.
   */
  switchOutbound(address: LaneAddress | undefined): Promise<SwitchAnswer> {
    const to = address === undefined ? "parked" : laneAddressKey(address);
    const last = this.#lastSwitch;
    if (last?.to === to && (last.moves === undefined || last.moves === this.#outboundMoves))
      return last.answer;
    const entry: LastSwitch = {
      to,
      answer: this.#switchOutbound(address).then(({ answer, moves }) => {
        entry.moves = moves;
        return answer;
      }),
    };
    this.#lastSwitch = entry;
    entry.answer.catch(() => {
      if (this.#lastSwitch === entry) this.#lastSwitch = undefined;
    });
    return entry.answer;
  }

  async #switchOutbound(
    address: LaneAddress | undefined,
  ): Promise<{ answer: SwitchAnswer; moves: number }> {
    this.#assertOpen();
    if (this.#offers.has("outbound"))
      throw this.#alreadyBound(
        "outbound",
        "an Offer for it is waiting for its peer; close the link",
      );
    const next = address === undefined ? undefined : await this.#standby.take(address);
    if (this.#closed) {
      next?.destroy();
      this.#assertOpen();
    }
    const old = this.#outbound;
    const oldFailed = this.#outboundFailed;
    const oldFrames = this.#framesOnLane;
    if (next !== undefined) this.#useWriter(next);
    else this.#park();
    const moves = this.#outboundMoves;
    let eosSeq = 0;
    if (old !== undefined && !oldFailed) {
      const ended = old.end();
      eosSeq = old.seq;
      ended.catch((error) =>
        this.#log(`link ${this.id}: old lane after switch: ${errorMessage(error)}`),
      );
    } else {
      old?.destroy();
    }
    return { answer: { old_eos_seq: eosSeq, old_frames: oldFrames }, moves };
  }

  /**
   * Listens for one side of the link and binds it when the peer connects (driver-to-driver
   * wiring: this driver offers, the other binds). Returns the address for the peer.
   */
  async offer(side: LaneSide, kind: LaneKind, capacity?: number): Promise<LaneAddress> {
    this.#assertOpen();
    this.#assertFree(side);
    const options = capacity === undefined || capacity === 0 ? {} : { capacity };
    if (side === "inbound") {
      const listener = await listenReader(kind, options);
      this.#claim(side, listener);
      listener.accepted.then(
        (reader) => {
          this.#offers.delete(side);
          if (this.#closed) reader.close();
          else this.#attachReader(reader);
        },
        (error: unknown) => this.#offerFailed(side, listener, error),
      );
      return listener.address;
    }
    const listener = await listenWriter(kind, options);
    this.#claim(side, listener);
    listener.accepted.then(
      (writer) => {
        this.#offers.delete(side);
        if (this.#closed) writer.destroy();
        else this.#useWriter(writer);
      },
      (error: unknown) => this.#offerFailed(side, listener, error),
    );
    return listener.address;
  }

  /**
   * Takes an Offer's new listener for `side`, unless the link was closed (a shutdown) or the side
   * taken (another Offer, a Bind) while the listener was being made: then it is closed here —
   * nobody else would, and its socket file would outlive the driver — and the reason thrown.
   */
  #claim(side: LaneSide, listener: LaneListener<LaneReader> | LaneListener<LaneWriter>): void {
    try {
      this.#assertOpen();
      this.#assertFree(side);
    } catch (error) {
      dropListener(listener);
      throw error;
    }
    this.#offers.set(side, listener);
  }

  /**
   * Offers the inbound side (as `offer`) and answers the route's QuickConnect handshake on
   * control lanes of its own: the SYN must expect this link's contract hash, the BIND must
   * name the lane offered here. A failure to listen leaves the link as it was.
   */

  async offerWithHandshake(
    kind: LaneKind,
    capacity?: number,
  ): Promise<{ address: LaneAddress; control: ControlAddresses }> {
    const address = await this.offer("inbound", kind, capacity);
    try {
      const control = await this.#handshakes.answer({
        data: address,
        contractHash: contractHash(this.contract),
        caps: this.contract.capabilities ?? [],
      });
      return { address, control };
    } catch (error) {
      const listener = this.#offers.get("inbound");
      this.#offers.delete("inbound");
      listener?.close();
      throw error;
    }
  }

  /**
   * Runs the route's handshake as its initiator (this link is the source end), then connects a
   * standby writer to the agreed data lane, so the Bind or Switch that follows only swaps.
   */
  async handshake(ask: HandshakeAsk): Promise<HandshakeAgreed> {
    this.#assertOpen();
    const agreed = await this.#handshakes.initiate(formatSaddr(parseConcrete(this.saddr)), ask);
    if (!this.#closed) await this.#standby.connect(ask.data);
    if (this.#closed) this.#standby.destroyAll();
    return agreed;
  }

  /** Control lanes and handshakes still in flight, for tests and health. */
  get handshakesActive(): number {
    return this.#handshakes.active;
  }

  #offerFailed(side: LaneSide, listener: { close(): void }, error: unknown): void {
    if (this.#offers.get(side) === listener) this.#offers.delete(side);
    if (!this.#closed) {
      this.#laneError = `${side} lane offer: ${errorMessage(error)}`;
      this.#log(`link ${this.id}: ${side} offer failed: ${errorMessage(error)}`);
    }
  }

  #assertFree(side: LaneSide): void {
    if (this.#offers.has(side))
      throw this.#alreadyBound(side, "an Offer for it is waiting for its peer");
    if (side === "inbound" && this.#inboundState === "open")
      throw this.#alreadyBound("inbound", "close the link and open a new one");
    if (side === "outbound" && this.#outbound !== undefined && !this.#outboundFailed)
      throw this.#alreadyBound("outbound", "use Switch to move it to another lane");
  }

  #alreadyBound(side: string, hint: string): RttError {
    return new RttError("RTT_ERR_DRIVER_LINK", `link ${this.id} already has an ${side} lane`, {
      hint,
    });
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new RttError("RTT_ERR_DRIVER_LINK", `link ${this.id} is closed`, {
        hint: "open the symbol again",
      });
  }

  #attachReader(reader: LaneReader): void {
    this.#inbound = reader;
    this.#inboundState = "open";
    reader.on("frame", (frame: Frame) => {
      if (frame.type === FrameType.HEARTBEAT) return this.#probeArrived(frame.payload);
      if (frame.type !== FrameType.DATA) return; // NACK: lane-level, not for the symbol
      this.counters.framesIn++;
      this.counters.bytesIn += frame.payload.length;
      // The payload is a view valid only during this call: copy it.
      this.#enqueue({ bytes: frame.payload.slice(), correlation: frame.correlation });
    });
    reader.on("end", () => {
      if (this.#inbound === reader) this.#inboundState = "ended";
    });
    reader.on("error", (error: unknown) => {
      if (this.#inbound !== reader) return;
      this.#inboundState = "failed";
      this.#laneError = `inbound lane: ${errorMessage(error)}`;
    });
    // Listening now: a reader Bind held (or one held at the tx queue's mark) decides here.
    if (this.#inboundHeld) reader.pause();
    else reader.resume();
  }

  /**
   * Bounds the outbound to `perWindow` chunks every `windowMs` — a route's half-open trial, so
   * a bounded sample reaches the target while the rest waits here under the route's QoS (the
   * admission buffer, then the producer paused) — or lifts the bound (`perWindow` 0).
   */
  throttle(perWindow: number, windowMs: number): void {
    this.#assertOpen();
    if (!Number.isInteger(perWindow) || perWindow < 0 || (perWindow > 0 && !(windowMs >= 1)))
      throw new RttError(
        "RTT_ERR_DRIVER_CALL",
        `Throttle of link ${this.id}: expected per_window an integer >= 0 and window_ms >= 1; got ${perWindow} per ${windowMs} ms`,
      );
    this.#trial =
      perWindow === 0
        ? undefined
        : new TokenBucket({ rate: (perWindow * 1000) / windowMs, burst: perWindow }, () =>
            performance.now(),
          );
    this.#changed.fire();
  }

  /** No outbound lane: the pump waits (see #deliver) for the next Switch, or close. */
  #park(): void {
    this.#outboundMoves++;
    this.#parked = true;
    this.#outbound = undefined;
    this.#outboundFailed = false;
    this.#framesOnLane = 0;
    if (this.#laneError?.startsWith("outbound") === true) this.#laneError = undefined;
    this.#changed.fire();
  }

  #useWriter(writer: LaneWriter): void {
    this.#outboundMoves++;
    this.#parked = false;
    this.#outbound = writer;
    this.#outboundFailed = false;
    this.#framesOnLane = 0;
    if (this.#laneError?.startsWith("outbound") === true) this.#laneError = undefined;
    writer.on("error", (error: unknown) => {
      if (this.#outbound !== writer) return; // an old lane after a switch: not this link's state
      this.#outboundFailed = true;
      // A Switch that moved here is answered no more: a new listener may get its address (a
      // TCP port used again), and a Switch to it must move.
      this.#lastSwitch = undefined;
      this.#laneError = `outbound lane: ${errorMessage(error)}`;
      this.#changed.fire();
    });
    if (this.#rxDone) {
      // Nothing more will come: the new lane only gets EOS.
      writer.end().catch(() => {});
    }
    this.#changed.fire();
    this.#startPump();
  }

  // -------------------------------------------------------------------------------------------
  // Inbound: frames (and control-path Tx) to connector.tx, in order

  /** Control-path write: queued behind the lane's frames, resolved once tx has taken it. */
  tx(bytes: Uint8Array, correlation = 0): Promise<void> {
    this.#assertOpen();
    return new Promise((resolve, reject) => {
      this.#enqueue({
        bytes,
        correlation,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  }

  #enqueue(item: TxItem): void {
    this.#tx.push(item);
    if (!this.#inboundHeld && this.#tx.full) {
      // Takes effect at once, even inside the reader's frame handler: no frame comes until
      // resume, so the queue stops here and the lane fills behind it.
      this.#inboundHeld = true;
      this.#inbound?.pause();
    }
    if (!this.#txBusy) void this.#runTx();
  }

  /** Below both low-water marks again: let the inbound lane deliver. */
  #maybeResumeInbound(): void {
    if (this.#inboundHeld && this.#tx.drained) {
      this.#inboundHeld = false;
      this.#inbound?.resume();
    }
  }

  async #runTx(): Promise<void> {
    this.#txBusy = true;
    while (!this.#closed) {
      const item = this.#tx.shift();
      if (item === undefined) break;
      this.#maybeResumeInbound();
      try {
        const pending = this.#connector.tx(this.handle, item.bytes, {
          correlation: item.correlation,
        });
        if (pending instanceof Promise) await pending;
        // The connector has the message (a program's pipe has its bytes): a successor of this
        // driver need not replay it. A control-path Tx has no journal offset.
        if (item.correlation > 0) this.#route.delivered?.record(item.correlation);
        item.settle?.();
      } catch (error) {
        this.counters.txErrors++;
        this.#txError = `tx: ${errorMessage(error)}`;
        item.settle?.(callFailed(this.#connector.name, "tx", error));
      }
    }
    this.#txBusy = false;
  }

  // -------------------------------------------------------------------------------------------
  // Outbound: connector.rx to the outbound lane and taps

  addTap(tap: RxTap): () => void {
    this.#assertOpen();
    if (this.#rxDone) {
      tap.end();
      return () => {};
    }
    this.#taps.add(tap);
    this.#changed.fire();
    this.#startPump();
    return () => {
      this.#taps.delete(tap);
      this.#changed.fire();
    };
  }

  #startPump(): void {
    if (this.#pumping || this.#rxDone || this.#closed) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      const iterator = this.#connector.rx(this.handle)[Symbol.asyncIterator]();
      this.#iterator = iterator;
      // A source with chunks ready and a lane with room never leave the microtask queue: every
      // PUMP_SLICE chunks the pump lets the event loop run, so a Switch, a health sample or a
      // heartbeat is answered within a slice, not after the whole backlog.
      let slice = 0;
      if (this.#admission === undefined) {
        for (;;) {
          const next = await iterator.next();
          if (next.done === true || this.#closed) break;
          await this.#deliver(next.value, 0);
          if (++slice === PUMP_SLICE) slice = await yieldToEventLoop(0);
        }
      } else {
        const admitted = new AdmittedRx(iterator, this.#admission, (item) =>
          this.#nacked(item, "the route is over its rate"),
        );
        this.#admitted = admitted;
        for (;;) {
          const next = await admitted.next();
          if (next.done === true || this.#closed) break;
          await this.#deliver(next.value, admitted.flags);
          if (++slice === PUMP_SLICE) slice = await yieldToEventLoop(0);
        }
      }
    } catch (error) {
      if (!this.#closed) {
        this.#rxError = `rx: ${errorMessage(error)}`;
        this.#log(`link ${this.id}: rx failed: ${errorMessage(error)}`);
      }
    }
    this.#rxDone = true;
    this.#pumping = false;
    for (const tap of this.#taps) tap.end();
    this.#taps.clear();
    if (!this.#closed && this.#outbound !== undefined && !this.#outboundFailed) {
      // The source is exhausted: the downstream learns it from EOS.
      this.#outbound.end().catch(() => {});
    }
  }

  async #deliver(item: Uint8Array | RxMessage, flags: number): Promise<void> {
    const chunk = item instanceof Uint8Array ? item : item.payload;
    const correlation = item instanceof Uint8Array ? 0 : item.correlation;
    const index = ++this.#chunks;
    for (;;) {
      if (this.#closed) return;
      for (const tap of this.#taps) if (tap.last < index) tap.push(chunk, index, correlation);
      const out = this.#outbound;
      if (out === undefined || this.#outboundFailed) {
        // Taps alone consume a link that was never bound; a parked one keeps its chunks.
        if (this.#taps.size > 0 && !this.#parked) {
          // Taps are the only consumers: their pace is the pace.
          await this.#changed.waitOr(Promise.all([...this.#taps].map((t) => t.drained())));
          return;
        }
        await this.#changed.waitOr(); // a Bind, Switch, tap or close
        continue;
      }
      const trial = this.#trial;
      if (trial !== undefined && !trial.tryTake(1)) {
        // A half-open trial: the chunk waits for the trial's next token, or the bound's end.
        await this.#changed.waitOr(sleep(trial.msUntil(1), undefined, { ref: false }));
        continue;
      }
      // A full lane is congestion too: a taildrop or nack route refuses the chunk rather than
      // pausing its producer behind a consumer that lags (ADR 0015); mark and buffer wait.
      const refused =
        this.#congested === out ? this.#admission?.refuseAdmitted(flags !== 0) : undefined;
      if (refused === "nacked") this.#nacked(item, "the route's lane is full");
      if (refused !== undefined) return;
      let room: boolean;
      try {
        room =
          correlation === 0 && flags === 0
            ? out.write(chunk)
            : out.write(chunk, { correlation, flags });
      } catch (error) {
        this.#outboundFailed = true;
        this.#laneError = `outbound lane: ${errorMessage(error)}`;
        continue;
      }
      this.counters.framesOut++;
      this.counters.bytesOut += chunk.length;
      this.#framesOnLane++;
      if (!room && this.#admission?.refusesWhenFull === true) this.#congest(out);
      else if (!room) {
        this.#waitingDrain = true;
        await this.#drainOrChange(out);
        this.#waitingDrain = false;
      }
      return;
    }
  }

  /** Tells the connector of a message the route's `nack` policy refused (its optional `refuse`). */
  #nacked(item: Uint8Array | RxMessage, why: string): void {
    const refuse = this.#connector.refuse;
    if (refuse === undefined || this.#closed) return;
    const refused = item instanceof Uint8Array ? { payload: item, correlation: 0 } : item;
    Promise.resolve()
      .then(() => (this.#closed ? undefined : refuse(this.handle, refused, why)))
      .catch((error: unknown) =>
        this.#log(`link ${this.id}: refuse failed: ${errorMessage(error)}`),
      );
  }

  /** Refuses chunks for `out` until it drains (see #congested). */
  #congest(out: LaneWriter): void {
    if (this.#congested === out) return;
    this.#congested = out;
    const clear = () => {
      if (this.#congested === out) this.#congested = undefined;
      out.off("drain", clear);
      out.off("close", clear);
    };
    out.on("drain", clear);
    out.on("close", clear);
  }

  /** Resolves at 'drain', at the lane's failure, or when a Switch or close changes things. */
  async #drainOrChange(out: LaneWriter): Promise<void> {
    let done = () => {};
    const laneEvent = new Promise<void>((resolve) => {
      done = () => resolve();
      out.once("drain", done);
      out.once("error", done);
      out.once("close", done);
    });
    await this.#changed.waitOr(laneEvent);
    out.off("drain", done);
    out.off("error", done);
    out.off("close", done);
  }

  /**
   * Called by the runtime's one shared timer once an interval: the outbound lane gets a
   * HEARTBEAT, so a reader never waits more than an interval to hear from a live writer, and
   * its send time is the reader's latency probe. A lane waiting for 'drain' is visibly alive
   * and is left alone (its backlog shows in the next probe's age).
   */
  heartbeat(): void {
    const out = this.#outbound;
    if (out === undefined || this.#outboundFailed || this.#closed || this.#rxDone) return;
    // A busy lane gets one too: its payload, the send time, is the reader's latency probe.
    if (this.#waitingDrain) return;
    try {
      out.write(probePayload(), { type: FrameType.HEARTBEAT });
      this.counters.heartbeatsOut++;
    } catch {
      // The lane is closing; its error event reports why.
    }
  }

  /**
   * A HEARTBEAT's payload is its writer's CLOCK_MONOTONIC send time (the same clock in every
   * process on the host): its age on arrival is the lane's latency, queueing behind the frames
   * written before it included. Health reports the highest age of the probes that arrived in
   * the last PROBE_WINDOW_MS — a window, not "since the last sample", because several watchers
   * (the host's liveness watch, the panel's health loop) sample the same link.
   */
  #probeArrived(payload: Uint8Array): void {
    if (payload.length !== 8) return; // an empty heartbeat (older writer): liveness only
    const now = process.hrtime.bigint();
    const sent = Buffer.from(payload.buffer, payload.byteOffset, 8).readBigUInt64LE(0);
    const ms = Number(now - sent) / 1e6;
    if (!(ms >= 0)) return;
    const at = Number(now / 1_000_000n);
    this.#probes = this.#probes.filter((p) => at - p.at < PROBE_WINDOW_MS);
    this.#probes.push({ at, ms });
  }

  #laneLagMs(): number {
    const at = Number(process.hrtime.bigint() / 1_000_000n);
    return Math.max(0, ...this.#probes.filter((p) => at - p.at < PROBE_WINDOW_MS).map((p) => p.ms));
  }

  // -------------------------------------------------------------------------------------------
  // Health and close

  async health(timeoutMs: number): Promise<{ ok: boolean; lag_ms: number; err: string }> {
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
      this.#laneError,
      this.#rxError,
      this.#txError,
    ].filter((p): p is string => p !== undefined && p !== "");
    this.#txError = undefined; // tx errors are reported once; lane errors stay until re-bound
    const laneLag = this.#laneLagMs();
    return {
      ok: problems.length === 0,
      lag_ms: Math.max(Number.isFinite(own.lag_ms) ? own.lag_ms : 0, laneLag),
      err: problems.join("; "),
    };
  }

  /** EOS on the outbound lane, inbound released, the connector's close called. */
  async close(drainMs: number, how: CloseHow = { detach: false }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#changed.fire();
    try {
      await this.#connector.close(this.handle, how);
    } catch (error) {
      this.#log(`link ${this.id}: close failed: ${errorMessage(error)}`);
    }
    this.#admitted?.close();
    this.#iterator?.return?.().catch(() => {});
    // After the connector's close: it no longer appends or takes messages.
    this.#route.journal?.close();
    this.#route.delivered?.close();
    this.#handshakes.close();
    this.#standby.destroyAll();
    for (const listener of this.#offers.values()) listener.close();
    this.#offers.clear();
    this.#inbound?.close();
    for (const tap of this.#taps) tap.end();
    this.#taps.clear();
    for (const item of this.#tx.takeAll()) {
      item.settle?.(
        new RttError("RTT_ERR_DRIVER_LINK", `link ${this.id} closed before tx took the bytes`),
      );
    }
    const out = this.#outbound;
    if (out !== undefined && !this.#outboundFailed) {
      try {
        await withTimeout(out.end(), drainMs, "EOS");
      } catch {
        out.destroy();
      }
    } else {
      out?.destroy();
    }
  }
}

/**
 * The outbound side of a link (link.ts): the connector's rx, chunk by chunk, to the outbound
 * lane the lane slots hold (lane-slots.ts) and to Rx taps.
 *
 *   connector.rx(link) --chunk--> outbound lane (+ Rx taps)            (waits for 'drain')
 *
 * What must hold:
 * - Frame boundaries: one rx chunk is one DATA frame, written by one synchronous `write`, so a
 *   Switch — which only swaps the writer between two writes — can never split a message.
 * - Batches: to a lane whose reader takes batch frames (its address says so), the chunks rx has
 *   ready at one moment go as one frame (rx-batch.ts): gathered and written in one synchronous
 *   run, so a batch goes wholly to one lane and a Switch still falls between frames. Never
 *   waited for: a chunk alone is a frame of its own. Each message is still counted, admitted
 *   (its token) and numbered (its correlation) on its own. Not while a tap, a trial or a
 *   refusing policy (taildrop, nack) needs each chunk in hand.
 * - Backpressure, no silent loss: a chunk that `write` accepted with `false` is in the lane; the
 *   pump then waits for 'drain' (or a Switch, or close) before pulling the next chunk from rx —
 *   unless the route's drop policy is taildrop or nack, which refuse (and count) chunks until
 *   the drain instead. With no consumer at all (no outbound lane, no tap) the pump holds the
 *   chunk it has and waits for one.
 * - Admission: at the source end of a route with a QoS `rate`, rx chunks pass the route's token
 *   bucket and drop policy (admitted-rx.ts) before they become frames; without a rate, rx goes
 *   straight to the lane, as above.
 */
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { RouteAdmissionQos } from "@rtt/core";
import { errorMessage, RttError } from "@rtt/core";
import { type AdmissionCounters, type LaneWriter, RouteAdmission, TokenBucket } from "@rtt/fabric";
import { AdmittedRx } from "./admitted-rx.ts";
import { type Connector, takeNowOf } from "./define-connector.ts";
import type { LaneSlots } from "./lane-slots.ts";
import type { LinkScope } from "./link-scope.ts";
import {
  BATCH_BYTES,
  BATCH_MESSAGES,
  BatchPacker,
  batchable,
  chunkOf,
  correlationOf,
  PackedBatch,
  type RxItem,
  writeBatch,
} from "./rx-batch.ts";
import { pushTaps, type RxTap } from "./rx-taps.ts";

/** Chunks the outbound pump delivers before it lets the event loop run (see #pump). */
const PUMP_SLICE = 256;

/** Where the pump takes rx chunks: ready ones without a promise, else by awaiting. */
interface RxPull {
  /** A chunk ready now, or undefined. */
  now(): RxItem | undefined;
  next(): Promise<IteratorResult<RxItem>>;
  /** The frame flags of the chunk handed out last. */
  flags(): number;
}

/** What one turn of the pump hands on: a chunk, or a batch of them. */
type Outgoing = RxItem | PackedBatch;

export class OutboundPump<L> {
  readonly #scope: LinkScope;
  readonly #connector: Connector<L>;
  readonly #handle: L;
  readonly #slots: LaneSlots;
  readonly #taps = new Set<RxTap>();
  #pumping = false;
  #rxDone = false;
  #chunks = 0;
  #iterator: AsyncIterator<RxItem> | undefined;
  /** The route's admission, at its source end with a QoS rate; undefined: none. */
  readonly #admission: RouteAdmission<RxItem> | undefined;
  #admitted: AdmittedRx<RxItem> | undefined;
  #waitingDrain = false;
  /**
   * The outbound lane that said it is full, until its 'drain', on a route whose policy refuses
   * rather than waits there (taildrop, nack): chunks meanwhile are refused and counted.
   */
  #congested: LaneWriter | undefined;
  /** A half-open trial's bound on the outbound (see `throttle`); undefined: none. */
  #trial: TokenBucket | undefined;
  /** An rx failure to report in every health sample from then on. */
  #rxError: string | undefined;
  readonly #packer = new BatchPacker();
  /** The chunks of the batch being gathered (reused). */
  readonly #gathered: RxItem[] = [];
  /** A ready chunk that did not fit the last batch: the next turn starts with it. */
  #held: { item: RxItem; flags: number } | undefined;

  constructor(
    scope: LinkScope,
    connector: Connector<L>,
    handle: L,
    slots: LaneSlots,
    qos: RouteAdmissionQos | undefined,
  ) {
    this.#scope = scope;
    this.#connector = connector;
    this.#handle = handle;
    this.#slots = slots;
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

  /** rx ended (or failed): no chunk comes any more. */
  get rxDone(): boolean {
    return this.#rxDone;
  }

  /** The pump waits for the outbound lane's 'drain': the lane is busy, visibly alive. */
  get waitingDrain(): boolean {
    return this.#waitingDrain;
  }

  get rxError(): string | undefined {
    return this.#rxError;
  }

  addTap(tap: RxTap): () => void {
    this.#scope.assertOpen();
    if (this.#rxDone) {
      tap.end();
      return () => {};
    }
    this.#taps.add(tap);
    this.#scope.changed.fire();
    this.#start();
    return () => {
      this.#taps.delete(tap);
      this.#scope.changed.fire();
    };
  }

  /**
   * Bounds the outbound to `perWindow` chunks every `windowMs` — a route's half-open trial, so
   * a bounded sample reaches the target while the rest waits here under the route's QoS (the
   * admission buffer, then the producer paused) — or lifts the bound (`perWindow` 0).
   */
  throttle(perWindow: number, windowMs: number): void {
    this.#scope.assertOpen();
    if (!Number.isInteger(perWindow) || perWindow < 0 || (perWindow > 0 && !(windowMs >= 1)))
      throw new RttError(
        "RTT_ERR_DRIVER_CALL",
        `Throttle of link ${this.#scope.id}: expected per_window an integer >= 0 and window_ms >= 1; got ${perWindow} per ${windowMs} ms`,
      );
    this.#trial =
      perWindow === 0
        ? undefined
        : new TokenBucket({ rate: (perWindow * 1000) / windowMs, burst: perWindow }, () =>
            performance.now(),
          );
    this.#scope.changed.fire();
  }

  /** The outbound took `writer` (a Bind, an Offer taken, a Switch): chunks go there now. */
  laneTaken(writer: LaneWriter): void {
    if (this.#rxDone) {
      // Nothing more will come: the new lane only gets EOS.
      writer.end().catch(() => {});
    }
    this.#scope.changed.fire();
    this.#start();
  }

  /**
   * The outbound is offered and waits for its peer to connect: rx starts now. What the
   * inbound's tx gives the connector meanwhile is then taken by the pump and waits here for the
   * lane (as on a parked link) — a connector whose rx listens only while pulled (an event
   * subscription) would otherwise emit it to nobody, when the inbound's frames are read before
   * the offered lane's peer is accepted.
   */
  laneOffered(): void {
    this.#start();
  }

  /** The link closes: rx is let go (and its admission's buffer), every tap ended. */
  close(): void {
    this.#admitted?.close();
    this.#iterator?.return?.().catch(() => {});
    for (const tap of this.#taps) tap.end();
    this.#taps.clear();
  }

  #start(): void {
    if (this.#pumping || this.#rxDone || this.#scope.closed) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      const iterator = this.#connector.rx(this.#handle)[Symbol.asyncIterator]();
      this.#iterator = iterator;
      // A source with chunks ready and a lane with room never leave the microtask queue: every
      // PUMP_SLICE chunks the pump lets the event loop run, so a Switch, a health sample or a
      // heartbeat is answered within a slice, not after the whole backlog.
      // What rx has ready now is taken without a promise per chunk (takeNow); otherwise, and
      // for its end, the pump awaits `next()`.
      const takeNow = takeNowOf(iterator);
      let pull: RxPull;
      if (this.#admission === undefined) {
        pull = {
          now: takeNow ?? (() => undefined),
          next: () => iterator.next(),
          flags: () => 0,
        };
      } else {
        const admitted = new AdmittedRx(
          iterator,
          this.#admission,
          (item) => this.#nacked(item, "the route is over its rate"),
          takeNow,
        );
        this.#admitted = admitted;
        pull = {
          now: () => admitted.nextNow(),
          next: () => admitted.next(),
          flags: () => admitted.flags,
        };
      }
      let slice = 0;
      for (;;) {
        let item: RxItem;
        let flags: number;
        const held = this.#held;
        if (held !== undefined) {
          this.#held = undefined;
          ({ item, flags } = held);
        } else {
          let ready = pull.now();
          if (ready === undefined) {
            const next = await pull.next();
            if (next.done === true) break;
            ready = next.value;
          }
          item = ready;
          flags = pull.flags();
        }
        if (this.#scope.closed) break;
        const out = this.#gather(item, flags, pull);
        const waiting = this.#deliver(out, flags);
        slice += out instanceof PackedBatch ? out.count : 1;
        if (waiting !== undefined) await waiting;
        if (slice >= PUMP_SLICE) slice = await yieldToEventLoop(0);
      }
    } catch (error) {
      if (!this.#scope.closed) {
        this.#rxError = `rx: ${errorMessage(error)}`;
        this.#scope.log(`link ${this.#scope.id}: rx failed: ${errorMessage(error)}`);
      }
    }
    this.#rxEnded();
  }

  #rxEnded(): void {
    this.#rxDone = true;
    this.#pumping = false;
    for (const tap of this.#taps) tap.end();
    this.#taps.clear();
    const out = this.#slots.writer;
    if (!this.#scope.closed && out !== undefined) {
      // The source is exhausted: the downstream learns it from EOS.
      out.end().catch(() => {});
    }
  }

  /**
   * `item` alone, or, when the lane takes batches and more chunks are ready now, a batch of
   * them (up to BATCH_MESSAGES, BATCH_BYTES, chunks of the same flags): gathered in this call,
   * without a promise, so nothing waits for a batch to fill. A ready chunk that does not fit
   * is held for the next turn.
   */
  #gather(item: RxItem, flags: number, pull: RxPull): Outgoing {
    if (!this.#batching() || !batchable(item)) return item;
    let next = pull.now();
    if (next === undefined) return item;
    const items = this.#gathered;
    items.length = 0;
    items.push(item);
    let size = BatchPacker.sizeOf(item);
    while (next !== undefined) {
      const nextFlags = pull.flags();
      const nextSize = BatchPacker.sizeOf(next);
      if (nextFlags !== flags || !batchable(next) || size + nextSize > BATCH_BYTES) {
        this.#held = { item: next, flags: nextFlags };
        break;
      }
      items.push(next);
      size += nextSize;
      if (items.length === BATCH_MESSAGES) break;
      next = pull.now();
    }
    if (items.length === 1) {
      items.length = 0;
      return item;
    }
    const batch = this.#packer.pack(items, size);
    // Packed into the batch's own bytes: the chunks themselves are no longer needed.
    for (const packed of items) this.#release(packed);
    items.length = 0;
    return batch;
  }

  /** Batches may be cut now: the lane takes them and no one needs each chunk on its own. */
  #batching(): boolean {
    const out = this.#slots.writer;
    return (
      out !== undefined &&
      this.#slots.writerTakesBatches &&
      this.#taps.size === 0 &&
      this.#trial === undefined &&
      this.#congested !== out &&
      this.#admission?.refusesWhenFull !== true
    );
  }

  /**
   * Hands one chunk (or batch) on; a promise only when the pump must wait before the next. The
   * common case — a bound lane with room, no tap, no trial, no congestion — is the first turn
   * of #deliverLoop done here without a promise: per frame, the pump's cost is its write.
   */
  #deliver(item: Outgoing, flags: number): Promise<void> | undefined {
    this.#chunks += item instanceof PackedBatch ? item.count : 1;
    const index = this.#chunks;
    const out = this.#slots.writer;
    if (
      out === undefined ||
      this.#taps.size > 0 ||
      this.#trial !== undefined ||
      this.#congested === out ||
      this.#scope.closed
    ) {
      return this.#deliverLoop(item, flags, index);
    }
    const room = this.#write(out, item, flags);
    if (room === undefined) return this.#deliverLoop(item, flags, index);
    // The lane has its own copy and no tap saw it: nobody here holds the chunk any more.
    if (out.copiesPayload && !(item instanceof PackedBatch)) this.#release(item);
    return room ? undefined : this.#full(out);
  }

  /** The connector may reuse `item`'s memory (ConnectorSpec.rxRelease). */
  #release(item: RxItem): void {
    this.#connector.rxRelease?.(this.#handle, chunkOf(item));
  }

  /** Writes a chunk as one frame, or a batch, and counts them; undefined if the lane refused. */
  #write(out: LaneWriter, item: Outgoing, flags: number): boolean | undefined {
    if (item instanceof PackedBatch) return this.#writeBatch(out, item, flags);
    const chunk = chunkOf(item);
    const correlation = correlationOf(item);
    let room: boolean;
    try {
      room =
        correlation === 0 && flags === 0
          ? out.write(chunk)
          : out.write(chunk, { correlation, flags });
    } catch (error) {
      this.#slots.writeFailed(error);
      return undefined;
    }
    this.#scope.counters.framesOut++;
    this.#scope.counters.bytesOut += chunk.length;
    this.#slots.frameWritten();
    return room;
  }

  /** A batch to the lane (rx-batch.ts's writeBatch), counted; undefined if the lane refused. */
  #writeBatch(out: LaneWriter, batch: PackedBatch, flags: number): boolean | undefined {
    try {
      return writeBatch(out, batch, flags, this.#slots.writerTakesBatches, (messages, bytes) => {
        this.#scope.counters.framesOut += messages;
        this.#scope.counters.bytesOut += bytes;
        this.#slots.frameWritten(messages);
      });
    } catch (error) {
      this.#slots.writeFailed(error);
      return undefined;
    }
  }

  /** `out` said it is full: refuse from now on (taildrop, nack), or wait for its drain. */
  #full(out: LaneWriter): Promise<void> | undefined {
    if (this.#admission?.refusesWhenFull === true) {
      this.#congest(out);
      return undefined;
    }
    return this.#awaitDrain(out);
  }

  async #awaitDrain(out: LaneWriter): Promise<void> {
    this.#waitingDrain = true;
    await this.#drainOrChange(out);
    this.#waitingDrain = false;
  }

  async #deliverLoop(item: Outgoing, flags: number, index: number): Promise<void> {
    for (;;) {
      if (this.#scope.closed) return;
      if (this.#taps.size > 0) pushTaps(this.#taps, item, index);
      const out = this.#slots.writer;
      if (out === undefined) {
        // Taps alone consume a link that was never bound; a parked one keeps its chunks.
        if (this.#taps.size > 0 && !this.#slots.parked) {
          // Taps are the only consumers: their pace is the pace.
          await this.#scope.changed.waitOr(Promise.all([...this.#taps].map((t) => t.drained())));
          return;
        }
        await this.#scope.changed.waitOr(); // a Bind, Switch, tap or close
        continue;
      }
      const trial = this.#trial;
      if (trial !== undefined && !trial.tryTake(1)) {
        // A half-open trial: the chunk waits for the trial's next token, or the bound's end.
        await this.#scope.changed.waitOr(sleep(trial.msUntil(1), undefined, { ref: false }));
        continue;
      }
      // A full lane is congestion too: a taildrop or nack route refuses the chunk rather than
      // pausing its producer behind a consumer that lags (ADR 0015); mark and buffer wait.
      // (A batch is never cut on such a route: see #batching.)
      if (this.#congested === out && !(item instanceof PackedBatch)) {
        const refused = this.#admission?.refuseAdmitted(flags !== 0);
        if (refused === "nacked") this.#nacked(item, "the route's lane is full");
        if (refused !== undefined) return;
      }
      const room = this.#write(out, item, flags);
      if (room === undefined) continue;
      if (!room) await this.#full(out);
      return;
    }
  }

  /** A shared source's chunk with no room for this link (ADR 0025): refused by the policy. */
  refuseUnoffered(item: RxItem): void {
    if (this.#admission?.refuseUnoffered() === "nacked") this.#nacked(item, "the route is full");
  }

  /** Tells the connector of a message the route's `nack` policy refused (its optional `refuse`). */
  #nacked(item: RxItem, why: string): void {
    const refuse = this.#connector.refuse;
    if (refuse === undefined || this.#scope.closed) return;
    const refused = item instanceof Uint8Array ? { payload: item, correlation: 0 } : item;
    Promise.resolve()
      .then(() => (this.#scope.closed ? undefined : refuse(this.#handle, refused, why)))
      .catch((error: unknown) =>
        this.#scope.log(`link ${this.#scope.id}: refuse failed: ${errorMessage(error)}`),
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
    await this.#scope.changed.waitOr(laneEvent);
    out.off("drain", done);
    out.off("error", done);
    out.off("close", done);
  }
}

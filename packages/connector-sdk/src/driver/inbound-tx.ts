/**
 * The inbound side of a link (link.ts): frames from its inbound lane, and control-path Tx calls,
 * go through one bounded queue to the connector's `tx`, in order, one at a time — or, for a
 * connector with `txMany`, the frames queued at one moment together (one pipe write for many),
 * except at a journaled route's target.
 *
 *   inbound lane --frame--> tx queue --> connector.tx(link, bytes)
 *
 * Bounded inbound: a tx slower than its lane pauses the inbound reader at the tx queue's
 * high-water mark and resumes it below the low-water mark, so the lane fills and its writer —
 * the upstream driver's rx pump, and through it the source — waits instead of this queue
 * growing without bound.
 */
import { errorMessage, RttError } from "@rtt/core";
import {
  BATCH_MAX_MESSAGES,
  BoundedQueue,
  decodeBatch,
  type Frame,
  FrameFlag,
  FrameType,
  type LaneReader,
  type WaterMarks,
} from "@rtt/fabric";
import { callFailed } from "./connector-call.ts";
import type { Connector } from "./define-connector.ts";
import type { LatencyProbes } from "./latency-probes.ts";
import type { LinkScope } from "./link-scope.ts";
import type { DeliveredMark } from "./route-journal.ts";

/**
 * The inbound tx queue's bound: qdepth never exceeds it (+ control-path Tx calls, which are few
 * and awaited by their callers). 1024 messages matches the default route buffer (qos
 * `buffer: 1024`). A batch frame's messages arrive in one call, so the lane is paused as soon
 * as the queue has less room than a whole batch (BATCH_MAX_MESSAGES): the high mark is the
 * bound less one batch. Below both low marks it is resumed; the gap between the marks keeps a
 * steady slow consumer from pausing and resuming the lane on every frame.
 */
const INBOUND_BOUND = 1024;
const INBOUND_MARKS: WaterMarks = {
  high: { items: INBOUND_BOUND - BATCH_MAX_MESSAGES, bytes: 16 * 1024 * 1024 },
  low: { items: 256, bytes: 4 * 1024 * 1024 },
};

/** At most this many queued frames go to one `txMany` call. */
const TX_BATCH_ITEMS = 256;

interface TxItem {
  readonly bytes: Uint8Array;
  readonly correlation: number;
  readonly settle?: (error?: unknown) => void;
}

export class InboundTx<L> {
  readonly #scope: LinkScope;
  readonly #connector: Connector<L>;
  readonly #handle: L;
  readonly #probes: LatencyProbes;
  /** At the target end of a journaled route: where each message taken is marked. */
  readonly #delivered: DeliveredMark | undefined;
  /** Lane frames go to `tx` one by one, which copies what it keeps (ConnectorSpec.txBorrows). */
  readonly #borrows: boolean;

  #reader: LaneReader | undefined;
  #state: "none" | "open" | "ended" | "failed" = "none";
  readonly #queue = new BoundedQueue<TxItem>({
    sizeOf: (item) => item.bytes.length,
    marks: INBOUND_MARKS,
  });
  #busy = false;
  /** The inbound reader is paused because the tx queue reached its high-water mark. */
  #held = false;
  /**
   * The inbound reader is paused while a borrowed frame's tx runs on past its call: on a ring
   * (shm), the frames behind it wait where they are instead of each being copied into the queue.
   */
  #waiting = false;
  /** A tx failure to report in the next health sample (once). */
  #txError: string | undefined;

  constructor(
    scope: LinkScope,
    connector: Connector<L>,
    handle: L,
    probes: LatencyProbes,
    delivered: DeliveredMark | undefined,
  ) {
    this.#scope = scope;
    this.#connector = connector;
    this.#handle = handle;
    this.#probes = probes;
    this.#delivered = delivered;
    this.#borrows =
      connector.txBorrows === true && (connector.txMany === undefined || delivered !== undefined);
  }

  /** Inbound messages received but not yet handed to tx. */
  get depth(): number {
    return this.#queue.length;
  }

  /** A reader is attached and its lane has neither ended nor failed: the side is taken. */
  get bound(): boolean {
    return this.#state === "open";
  }

  /** The tx failure since the last health sample, if any; reported once. */
  takeTxError(): string | undefined {
    const error = this.#txError;
    this.#txError = undefined;
    return error;
  }

  /** Takes `reader` as the inbound lane: its DATA frames go to tx, its HEARTBEATs are probes. */
  attach(reader: LaneReader): void {
    this.#reader = reader;
    this.#state = "open";
    reader.on("frame", (frame: Frame) => {
      if (frame.type === FrameType.HEARTBEAT) return this.#probes.arrived(frame.payload);
      if (frame.type !== FrameType.DATA) return; // NACK: lane-level, not for the symbol
      if ((frame.flags & FrameFlag.BATCH) === 0) {
        this.#scope.counters.framesIn++;
        this.#scope.counters.bytesIn += frame.payload.length;
        // The payload is a view valid only during this call. Onto an idle queue `tx` runs within
        // it (#enqueue → #run → #txOne): a connector that copies what it keeps takes the view as
        // it is; a frame that waits in the queue keeps a copy.
        const now = this.#borrows && !this.#busy && this.#queue.length === 0;
        const bytes = now ? frame.payload : frame.payload.slice();
        this.#enqueue({ bytes, correlation: frame.correlation });
        if (now && this.#busy && reader.kind === "shm") {
          // Takes effect at once (see #enqueue): the next frame stays in the ring until tx is done.
          this.#waiting = true;
          reader.pause();
        }
        return;
      }
      try {
        // A batch's messages wait in the queue behind each other: copied once, whole.
        decodeBatch(frame.payload.slice(), this.#takeMessage);
      } catch (error) {
        // Checked whole before any message is taken: a damaged batch delivers none of them.
        this.#scope.laneFailed("inbound", `inbound lane: ${errorMessage(error)}`);
      }
    });
    reader.on("end", () => {
      if (this.#reader === reader) this.#state = "ended";
    });
    reader.on("error", (error: unknown) => {
      if (this.#reader !== reader) return;
      this.#state = "failed";
      this.#scope.laneFailed("inbound", `inbound lane: ${errorMessage(error)}`);
    });
    // Listening now: a reader Bind held (or one held at the tx queue's mark) decides here.
    if (this.#held || this.#waiting) reader.pause();
    else reader.resume();
  }

  /** One message of a batch frame: counted and queued as a frame of its own would be. */
  readonly #takeMessage = (bytes: Uint8Array, correlation: number): void => {
    this.#scope.counters.framesIn++;
    this.#scope.counters.bytesIn += bytes.length;
    this.#enqueue({ bytes, correlation });
  };

  /** Control-path write: queued behind the lane's frames, resolved once tx has taken it. */
  tx(bytes: Uint8Array, correlation = 0): Promise<void> {
    this.#scope.assertOpen();
    return new Promise((resolve, reject) => {
      this.#enqueue({
        bytes,
        correlation,
        settle: (error) => (error === undefined ? resolve() : reject(error)),
      });
    });
  }

  /** The link closed: the reader is released and what tx did not take yet is refused. */
  close(): void {
    this.#reader?.close();
    for (const item of this.#queue.takeAll()) {
      item.settle?.(
        new RttError(
          "RTT_ERR_DRIVER_LINK",
          `link ${this.#scope.id} closed before tx took the bytes`,
        ),
      );
    }
  }

  #enqueue(item: TxItem): void {
    this.#queue.push(item);
    if (!this.#held && this.#queue.full) {
      // Takes effect at once, even inside the reader's frame handler: no frame comes until
      // resume, so the queue stops here and the lane fills behind it.
      this.#held = true;
      this.#reader?.pause();
    }
    if (!this.#busy) void this.#run();
  }

  /** Below both low-water marks again: let the inbound lane deliver (unless #waiting). */
  #maybeResume(): void {
    if (this.#held && this.#queue.drained) {
      this.#held = false;
      if (!this.#waiting) this.#reader?.resume();
    }
  }

  async #run(): Promise<void> {
    this.#busy = true;
    // Not at a journaled route's target: a mark follows each write, so a driver killed between
    // the two replays one message, not a batch (at most one duplicate per crash).
    const batchable = this.#connector.txMany !== undefined && this.#delivered === undefined;
    while (!this.#scope.closed) {
      const item = this.#queue.shift();
      if (item === undefined) break;
      if (!batchable || item.settle !== undefined) {
        this.#maybeResume();
        const pending = this.#txOne(item);
        if (pending !== undefined) await pending;
        continue;
      }
      // The lane's frames queued behind it go with it, up to a control-path Tx (taken after).
      const batch = [item];
      let after: TxItem | undefined;
      while (batch.length < TX_BATCH_ITEMS && after === undefined) {
        const next = this.#queue.shift();
        if (next === undefined) break;
        if (next.settle === undefined) batch.push(next);
        else after = next;
      }
      this.#maybeResume();
      await this.#txBatch(batch);
      if (after !== undefined && !this.#scope.closed) await this.#txOne(after);
    }
    this.#busy = false;
    if (this.#waiting) {
      this.#waiting = false;
      if (!this.#held) this.#reader?.resume();
    }
  }

  /**
   * One item to tx; a promise only when tx returned one (the connector took the bytes later):
   * a tx done at return costs the loop no promise and no microtask turn per message.
   */
  #txOne(item: TxItem): Promise<void> | undefined {
    let pending: unknown;
    try {
      pending = this.#connector.tx(this.#handle, item.bytes, { correlation: item.correlation });
      if (!(pending instanceof Promise)) {
        this.#txTook(item);
        return undefined;
      }
    } catch (error) {
      this.#txFailed(item, error);
      return undefined;
    }
    return pending
      .then(() => this.#txTook(item))
      .catch((error: unknown) => this.#txFailed(item, error));
  }

  #txTook(item: TxItem): void {
    // The connector has the message (a program's pipe has its bytes): a successor of this
    // driver need not replay it. A control-path Tx has no journal offset.
    if (item.correlation > 0) this.#delivered?.record(item.correlation);
    item.settle?.();
  }

  #txFailed(item: TxItem, error: unknown): void {
    this.#failed(error);
    item.settle?.(callFailed(this.#connector.name, "tx", error));
  }

  /** Lane frames through `txMany`; one it refused is dropped as a failed `tx` is, the rest go again. */
  async #txBatch(batch: readonly TxItem[]): Promise<void> {
    const txMany = this.#connector.txMany as NonNullable<Connector<L>["txMany"]>;
    let at = 0;
    while (at < batch.length && !this.#scope.closed) {
      const rest = at === 0 ? batch : batch.slice(at);
      let taken = 0;
      let error: unknown;
      try {
        ({ taken, error } = await txMany(
          this.#handle,
          rest.map((i) => i.bytes),
        ));
        if (taken < rest.length && error === undefined)
          error = new RttError(
            "RTT_ERR_DRIVER_CALL",
            `${this.#connector.name}: txMany took ${taken} of ${rest.length} messages and said no why`,
          );
      } catch (thrown) {
        error = thrown;
      }
      at += taken;
      if (error !== undefined) {
        this.#failed(error);
        at++;
      }
    }
  }

  #failed(error: unknown): void {
    this.#scope.counters.txErrors++;
    this.#txError = `tx: ${errorMessage(error)}`;
  }
}

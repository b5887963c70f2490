/**
 * Route admission: what a route does with each item offered to it, given its token bucket and
 * its drop policy (docs/design.md §Data plane: backpressure; ADR 0015). While the bucket has
 * tokens, items are sent; when it is empty, the policy decides:
 *
 *   taildrop  the item is dropped.
 *   mark      the item is sent anyway, marked: the caller sets FrameFlag.MARKED (ECN-like) so the
 *             receiver can tell the sender to slow down.
 *   nack      the item is refused: the caller answers the sender with a NACK frame.
 *   buffer    the item waits in a bounded FIFO; `pump()` lets buffered items out, in order, as
 *             tokens come back. While anything is buffered, new items queue behind it even if a
 *             token is free, so nothing overtakes. A full buffer drops the new item (tail drop).
 *
 * The route's lane is the other place congestion shows: when it is full (the consumer lags),
 * `refuseAdmitted` applies the policy to an item already let out — taildrop drops it, nack
 * refuses it, so a slow consumer does not pause the producer; mark and buffer wait for room.
 *
 * Nothing is lost silently: every offered item is counted exactly once as sent, marked, dropped
 * or nacked, or is still buffered (`sent + marked + dropped + nacked + buffered = offered`).
 *
 * This module decides; it does not send, time or block. The caller sends what `offer` says is
 * sent and what `pump` returns, and schedules the next `pump` from `msUntilPump()` (one coarse
 * timer, not one per item).
 */
import { DROP_POLICIES, type DropPolicy } from "@rtt/core";
import type { TokenBucket } from "./token-bucket.ts";

/** What `offer` did with one item. */
export type AdmissionVerdict = "sent" | "marked" | "dropped" | "nacked" | "buffered";

export interface AdmissionCounters {
  /** Items offered so far. */
  readonly offered: number;
  /** Items sent within the rate: at `offer`, or later by `pump`. */
  readonly sent: number;
  /** Items sent over the rate with the congestion mark (`mark`). */
  readonly marked: number;
  /** Items dropped (`taildrop`, a full buffer, or `discardBuffered`). */
  readonly dropped: number;
  /** Items refused with a NACK (`nack`). */
  readonly nacked: number;
  /** Items queued right now (`buffer`). */
  readonly buffered: number;
  /** The most items ever queued at once. */
  readonly maxBuffered: number;
}

export interface RouteAdmissionOptions<T> {
  readonly policy: DropPolicy;
  readonly bucket: TokenBucket;
  /** Most items the `buffer` policy may queue (QoS `buffer`); required for it, integer >= 1. */
  readonly bufferLimit?: number;
  /**
   * Tokens one item costs; 1 when absent (the rate counts frames). Must be pure: it is asked
   * again when a buffered item is released. An item costing more than the bucket's burst can
   * never be sent within the rate, so the policy acts on it at once (never buffered).
   */
  readonly cost?: (item: T) => number;
}

const unitCost = (): number => 1;

export class RouteAdmission<T> {
  readonly policy: DropPolicy;
  /** The buffer's bound; 0 unless the policy is `buffer`. */
  readonly bufferLimit: number;
  readonly #bucket: TokenBucket;
  readonly #cost: (item: T) => number;
  // The FIFO: a ring over #slots, which grows densely up to bufferLimit and is then reused.
  readonly #slots: (T | undefined)[] = [];
  #head = 0;
  #size = 0;
  #offered = 0;
  #sent = 0;
  #marked = 0;
  #dropped = 0;
  #nacked = 0;
  #maxBuffered = 0;

  constructor(opts: RouteAdmissionOptions<T>) {
    const { policy, bucket, bufferLimit, cost } = opts;
    if (!DROP_POLICIES.includes(policy)) {
      throw new RangeError(
        `drop policy must be one of ${DROP_POLICIES.join(", ")}; got ${String(policy)}`,
      );
    }
    if (policy === "buffer") {
      if (bufferLimit === undefined || !Number.isSafeInteger(bufferLimit) || bufferLimit < 1) {
        throw new RangeError(
          `the buffer drop policy needs a bufferLimit that is an integer >= 1; got ${bufferLimit}`,
        );
      }
      this.bufferLimit = bufferLimit;
    } else {
      this.bufferLimit = 0;
    }
    this.policy = policy;
    this.#bucket = bucket;
    this.#cost = cost ?? unitCost;
  }

  /** Decides what happens to `item` now. Only "sent" and "marked" items go out. */
  offer(item: T): AdmissionVerdict {
    this.#offered += 1;
    const cost = this.#costOf(item);
    if (this.#size === 0 && this.#bucket.tryTake(cost)) {
      this.#sent += 1;
      return "sent";
    }
    switch (this.policy) {
      case "taildrop":
        this.#dropped += 1;
        return "dropped";
      case "mark":
        this.#marked += 1;
        return "marked";
      case "nack":
        this.#nacked += 1;
        return "nacked";
      case "buffer":
        if (this.#size >= this.bufferLimit || cost > this.#bucket.burst) {
          this.#dropped += 1;
          return "dropped";
        }
        this.#enqueue(item);
        return "buffered";
    }
  }

  /** Whether a full lane refuses items (`refuseAdmitted`) rather than making the caller wait. */
  get refusesWhenFull(): boolean {
    return this.policy === "taildrop" || this.policy === "nack";
  }

  /**
   * An item `offer` or `pump` let out (`marked`: as marked) that cannot go after all — the
   * route's lane is full. taildrop counts it dropped, nack nacked (its tokens stay spent); mark
   * and buffer return undefined and count nothing: the caller waits for room.
   */
  refuseAdmitted(marked: boolean): "dropped" | "nacked" | undefined {
    if (!this.refusesWhenFull) return undefined;
    if (marked) this.#marked -= 1;
    else this.#sent -= 1;
    if (this.policy === "nack") {
      this.#nacked += 1;
      return "nacked";
    }
    this.#dropped += 1;
    return "dropped";
  }

  /**
   * An item that reached this route's door but found no room in front of it (a shared source's
   * queue for this route is full, ADR 0025): offered and refused by the policy without tokens —
   * nack counts it nacked, every other policy dropped.
   */
  refuseUnoffered(): "dropped" | "nacked" {
    this.#offered += 1;
    if (this.policy === "nack") {
      this.#nacked += 1;
      return "nacked";
    }
    this.#dropped += 1;
    return "dropped";
  }

  /** Lets out the buffered items the bucket now allows, oldest first. */
  pump(): T[] {
    const out: T[] = [];
    while (this.#size > 0) {
      const item = this.#slots[this.#head] as T;
      if (!this.#bucket.tryTake(this.#costOf(item))) break;
      this.#dequeue();
      this.#sent += 1;
      out.push(item);
    }
    return out;
  }

  /**
   * Milliseconds until `pump()` can let the oldest buffered item out (0: now), or `undefined`
   * when nothing is buffered.
   */
  msUntilPump(): number | undefined {
    if (this.#size === 0) return undefined;
    return this.#bucket.msUntil(this.#costOf(this.#slots[this.#head] as T));
  }

  /** Empties the buffer (e.g. the route is closing), counting every item as dropped. */
  discardBuffered(): T[] {
    const out: T[] = [];
    while (this.#size > 0) out.push(this.#dequeue());
    this.#dropped += out.length;
    return out;
  }

  /** Items queued now: `counters.buffered` without building the counters (hot path). */
  get queued(): number {
    return this.#size;
  }

  get counters(): AdmissionCounters {
    return {
      offered: this.#offered,
      sent: this.#sent,
      marked: this.#marked,
      dropped: this.#dropped,
      nacked: this.#nacked,
      buffered: this.#size,
      maxBuffered: this.#maxBuffered,
    };
  }

  #costOf(item: T): number {
    const cost = this.#cost(item);
    if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
      throw new RangeError(`an item's cost must be a finite number >= 0 tokens; got ${cost}`);
    }
    return cost;
  }

  #enqueue(item: T): void {
    this.#slots[(this.#head + this.#size) % this.bufferLimit] = item;
    this.#size += 1;
    if (this.#size > this.#maxBuffered) this.#maxBuffered = this.#size;
  }

  #dequeue(): T {
    const item = this.#slots[this.#head] as T;
    this.#slots[this.#head] = undefined; // let it be collected
    this.#head = (this.#head + 1) % this.bufferLimit;
    this.#size -= 1;
    return item;
  }
}

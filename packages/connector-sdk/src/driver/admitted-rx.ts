/**
 * A link's rx as its route's admission lets it out (docs/design.md §Data plane: backpressure): the
 * source end of a route with a QoS `rate` runs every chunk its connector produces through a
 * RouteAdmission before the chunk becomes a frame. `next()` hands out only what goes on the wire:
 *
 *   within the rate       the chunk, flags 0
 *   over it, mark         the chunk, flags FrameFlag.MARKED
 *   over it, taildrop     nothing: dropped, counted
 *   over it, nack         nothing: refused, counted. The refusal happens before the chunk is a
 *                         frame, so there is no lane peer to send a NACK frame to: the NACK
 *                         goes to the sender instead, through `onNacked` (the connector's
 *                         optional `refuse`), and the count in the health sample.
 *   over it, buffer       queued; released in order as tokens come back. When the queue is full
 *                         rx is not pulled any more: the connector's producer waits behind it (a
 *                         program's stdout is paused), so the buffer policy never loses a chunk.
 *
 * Timing: one timer per link, armed only while chunks are queued, for `msUntilPump()` (the time
 * until the oldest one may go), never one per chunk. When rx ends, what is queued still goes out
 * at the rate before `next()` says done (then the link writes EOS).
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { FrameFlag, type RouteAdmission } from "@rtt/fabric";

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Refusals (drops, nacks) in a row after which `next()` lets the event loop run. A refused chunk
 * is never written, so no lane ever says "full": an rx that always has a chunk ready would
 * otherwise keep the loop in microtasks, and heartbeats, health answers and close would wait.
 */
const REFUSALS_PER_TURN = 1024;

export class AdmittedRx<T> {
  readonly #source: AsyncIterator<T>;
  readonly #admission: RouteAdmission<T>;
  /** What the last `pump()` released and `next()` has not handed out yet: it goes first. */
  #released: T[] = [];
  #releasedAt = 0;
  /** A `source.next()` still running when a timer cut the wait short to release queued chunks. */
  #pending: Promise<IteratorResult<T>> | undefined;
  #sourceDone = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #refusedInRow = 0;
  /** The frame flags of the chunk `next()` handed out last. */
  flags = 0;

  readonly #onNacked: (item: T) => void;
  /** The source's chunk ready now, if it can say (RxTakeNow); undefined: it cannot. */
  readonly #takeNow: (() => T | undefined) | undefined;

  /** `onNacked`: told of each item the `nack` policy refused (the connector's `refuse`). */
  constructor(
    source: AsyncIterator<T>,
    admission: RouteAdmission<T>,
    onNacked: (item: T) => void = () => {},
    takeNow?: () => T | undefined,
  ) {
    this.#source = source;
    this.#admission = admission;
    this.#onNacked = onNacked;
    this.#takeNow = takeNow;
  }

  /**
   * The next chunk to write (see `flags`) when one is ready now and the route lets it go at
   * once — within the rate, or marked — with no promise; undefined: ask `next()`, which also
   * knows about queued, refused and ended ones. Never while a `next()` is pending.
   */
  nextNow(): T | undefined {
    if (this.#closed || this.#pending !== undefined || this.#sourceDone) return undefined;
    if (this.#releasedAt < this.#released.length || this.#admission.queued > 0) return undefined;
    const value = this.#takeNow?.();
    if (value === undefined) return undefined;
    switch (this.#admission.offer(value)) {
      case "sent":
        this.flags = 0;
        this.#refusedInRow = 0;
        return value;
      case "marked":
        this.flags = FrameFlag.MARKED;
        this.#refusedInRow = 0;
        return value;
      case "nacked":
        this.#onNacked(value);
        return undefined;
      default: // buffered (a later pump releases it), or dropped and counted
        return undefined;
    }
  }

  /** The next chunk to write (see `flags`); done when rx ended and the queue is empty, or at close. */
  async next(): Promise<IteratorResult<T, undefined>> {
    const admission = this.#admission;
    for (;;) {
      if (this.#closed) return DONE;
      if (this.#releasedAt < this.#released.length) {
        const value = this.#released[this.#releasedAt] as T;
        this.#released[this.#releasedAt++] = undefined as T; // let it be collected
        this.flags = 0;
        return { done: false, value };
      }
      if (admission.queued > 0) {
        const out = admission.pump();
        if (out.length > 0) {
          this.#released = out;
          this.#releasedAt = 0;
          continue;
        }
      }
      const wait = admission.msUntilPump(); // undefined: nothing queued
      if (this.#sourceDone || (wait !== undefined && admission.queued >= admission.bufferLimit)) {
        if (wait === undefined) return DONE;
        // Full, or rx has ended: pull nothing more until the oldest queued chunk may go.
        await this.#first(undefined, wait);
        continue;
      }
      this.#pending ??= this.#source.next();
      // With chunks queued, a slow rx must not hold them back: wait for it only until they are due.
      if (wait !== undefined && !(await this.#first(this.#pending, wait))) continue;
      const result = await this.#pending;
      this.#pending = undefined;
      if (result.done === true) {
        this.#sourceDone = true;
        continue;
      }
      switch (admission.offer(result.value)) {
        case "sent":
          this.flags = 0;
          this.#refusedInRow = 0;
          return result;
        case "marked":
          this.flags = FrameFlag.MARKED;
          this.#refusedInRow = 0;
          return result;
        case "buffered":
          continue; // released by a later pump
        case "nacked":
          this.#onNacked(result.value);
          if (++this.#refusedInRow >= REFUSALS_PER_TURN) {
            this.#refusedInRow = 0;
            await yieldToEventLoop();
          }
          break;
        default: // dropped, and counted
          if (++this.#refusedInRow >= REFUSALS_PER_TURN) {
            this.#refusedInRow = 0;
            await yieldToEventLoop();
          }
      }
    }
  }

  /**
   * Ends `next()` (a waiting one returns done). Chunks still queued are dropped and counted:
   * the link is closing, its lanes go with it.
   */
  close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#admission.discardBuffered();
  }

  /** True when `p` settled first, false when `ms` passed first (or at close). */
  #first(p: Promise<unknown> | undefined, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (settled: boolean) => {
        if (this.#wake !== wake) return;
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#wake = undefined;
        resolve(settled);
      };
      const wake = () => finish(false);
      this.#wake = wake;
      this.#timer = setTimeout(wake, ms);
      p?.then(
        () => finish(true),
        () => finish(true),
      );
    });
  }
}

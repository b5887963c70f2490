/**
 * A FIFO of messages that knows its length and (given `sizeOf`) payload bytes, and whether it
 * stands at its high-water mark (`full`) or back at or below its low-water mark (`drained`). It
 * refuses nothing: what keeps it bounded is its owner pausing the producer once it is `full`
 * and resuming it once it is `drained` again — the side effects stay with the owner (a lane
 * reader, a pipe, the inproc lane's writer), only the counting and the marks live here.
 *
 * Push and shift are O(1) amortised: shifting moves a head index instead of the array's
 * elements, and the array is cut down once the head has passed enough of it. An emptied queue
 * keeps its array (up to RETAIN_SLOTS) and fills it again from the start: the inproc lane
 * empties its queue on every turn, and growing a new array each time was most of its cost.
 */

/** A count of items and of payload bytes: a mark is reached by whichever comes first. */
export interface QueueMark {
  readonly items: number;
  readonly bytes: number;
}

/**
 * `high`: at or above either count the queue is full. `low`: at or below both it is drained.
 * Each low count is below its high one, so a steady consumer does not pause and resume its
 * producer on every message. Without `low` the queue is drained whenever it is not full: for a
 * consumer that empties it in batches (the inproc lane), where there is no gap to keep.
 */
export interface WaterMarks {
  readonly high: QueueMark;
  readonly low?: QueueMark;
}

/**
 * With marks, the payload bytes of each message count toward them, so `sizeOf` comes with the
 * marks. Without marks the queue is never full and always drained (nothing pauses its
 * producer), and it counts bytes only when given `sizeOf`: a queue of events nobody pauses
 * (a connector's rx) does no per-message counting that nothing reads.
 */
export type BoundedQueueOptions<T> =
  | {
      readonly marks: WaterMarks;
      /** The payload bytes a message counts for; read when it is pushed and when it is shifted. */
      readonly sizeOf: (item: T) => number;
    }
  | {
      readonly marks?: undefined;
      /** Counts payload bytes for `bytes`; without it `bytes` stays 0. */
      readonly sizeOf?: (item: T) => number;
    };

/**
 * Shifted slots are dropped once the head is past this many and past half the slots in use: the
 * copy then costs no more than the shifts that made it due.
 */
const COMPACT_AFTER = 1024;

/** An emptied queue keeps an array of up to this many slots; a larger one (a burst's) is let go. */
const RETAIN_SLOTS = 4096;

export class BoundedQueue<T> {
  /** Undefined: bytes are not counted (no marks, and no one asked for `bytes`). */
  readonly #sizeOf: ((item: T) => number) | undefined;
  /** The high marks as numbers (Infinity without marks: never reached): `full` is hot. */
  readonly #highItems: number;
  readonly #highBytes: number;
  /** Undefined: drained is "not full" (so with no marks at all, always drained). */
  readonly #low: QueueMark | undefined;
  /**
   * The messages are the slots from #head up to #tail; the others are empty (cleared when
   * shifted, so their payloads can be collected) and #tail may be short of the array's end.
   */
  #items: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;
  #bytes = 0;

  constructor(options: BoundedQueueOptions<T> = {}) {
    const { marks } = options;
    if (marks !== undefined) {
      checkMarks("items", marks.low?.items, marks.high.items);
      checkMarks("bytes", marks.low?.bytes, marks.high.bytes);
    }
    this.#sizeOf = options.sizeOf;
    this.#highItems = marks?.high.items ?? Number.POSITIVE_INFINITY;
    this.#highBytes = marks?.high.bytes ?? Number.POSITIVE_INFINITY;
    this.#low = marks?.low;
  }

  /** Messages queued. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** Payload bytes queued (0 for a queue without `sizeOf`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** At or above either high mark: time to pause the producer. */
  get full(): boolean {
    return this.length >= this.#highItems || this.#bytes >= this.#highBytes;
  }

  /** At or below both low marks (or, without them, not full): a paused producer may go on. */
  get drained(): boolean {
    const low = this.#low;
    if (low === undefined) return !this.full;
    return this.length <= low.items && this.#bytes <= low.bytes;
  }

  push(item: T): void {
    if (this.#tail === this.#items.length) this.#items.push(item);
    else this.#items[this.#tail] = item;
    this.#tail++;
    if (this.#sizeOf !== undefined) this.#bytes += this.#sizeOf(item);
  }

  /** The oldest message, taken out of the queue; undefined when it is empty. */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#sizeOf !== undefined) this.#bytes -= this.#sizeOf(item);
    if (this.#head === this.#tail) this.#emptied();
    else if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#tail) {
      this.#items = this.#items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return item;
  }

  /** Every message, oldest first, taken out of the queue: it is empty after. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head, this.#tail) as T[];
    this.#items = [];
    this.#emptied();
    return all;
  }

  /** Every slot is empty: fill the array from its start again, unless it is a burst's. */
  #emptied(): void {
    if (this.#items.length > RETAIN_SLOTS) this.#items = [];
    this.#head = 0;
    this.#tail = 0;
    this.#bytes = 0;
  }
}

function checkMarks(what: string, low: number | undefined, high: number): void {
  if (low === undefined) {
    if (!(high > 0))
      throw new RangeError(`water mark in ${what}: expected high > 0; got high ${high}`);
  } else if (!(low >= 0 && low < high))
    throw new RangeError(
      `water marks in ${what}: expected 0 <= low < high; got low ${low}, high ${high}`,
    );
}

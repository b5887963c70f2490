/**
 * Fan-out (ADR 0025): one connector handle — one running program — behind every link that is the
 * source end of a one-way route from the same symbol, launch and params. The handle's `rx` is
 * read once, here, and each chunk is handed to every member: one per link, each with a short
 * queue of its own in front of that link's outbound pump, so each route keeps its own admission
 * (token bucket, drop policy), its own lane and its own counters.
 *
 *   connector.rx(handle) --chunk--> member queue --> link A's pump (admission, lane A)
 *                                 \-> member queue --> link B's pump (admission, lane B)
 *
 * Who paces the source: a member whose route waits when it cannot send (`buffer`, `mark`, or no
 * policy: the route promises not to lose) _paces_: the source is read only while every pacing
 * member's queue has room, so the slowest of them paces all. A member whose route refuses instead
 * (`taildrop`, `nack`) never holds the source back: a chunk that finds its queue full is refused
 * there and counted by that route's admission (`onOverflow`).
 *
 * Joining: the source is read only once every member's link consumes (its pump asked for `rx`),
 * so routes wired in one apply see the same first chunk; a route wired later sees the stream
 * from then on (pub/sub). The handle closes when the last member leaves.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { type CloseHow, type Connector, type RxMessage, takeNowOf } from "./define-connector.ts";
import type { JournalTee } from "./journal-tee.ts";

type RxItem = Uint8Array | RxMessage;

/** Chunks a member's queue holds before it paces the source (or refuses, see above). */
export const MEMBER_QUEUE = 256;

/** Chunks read in a row after which the reader lets the event loop run (refusals never block). */
const READS_PER_TURN = 1024;

/** A one-shot "something changed" wake-up that many may wait on. */
class Wake {
  #waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  fire(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** One link's view of the shared source: an async iterator over its own queue. */
export class SourceMember implements AsyncIterator<RxItem, undefined> {
  /** The route waits rather than refuses: its full queue pauses the source. */
  readonly paces: boolean;
  /** Told of each chunk refused because this member's queue was full (a refusing route). */
  onOverflow: (item: RxItem) => void = () => {};
  /** A journaled route's view of a chunk (its own correlation id), undefined: not its own. */
  map: (item: RxItem) => RxItem | undefined = (item) => item;
  readonly #queue: RxItem[] = [];
  #head = 0;
  #consuming = false;
  #ended = false;
  #error: unknown;
  readonly #changed: Wake;
  readonly #arrived = new Wake();

  constructor(paces: boolean, changed: Wake) {
    this.paces = paces;
    this.#changed = changed;
  }

  /** The link's pump asked for rx: it consumes from now on. */
  get consuming(): boolean {
    return this.#consuming;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether the source may read one more chunk as far as this member is concerned. */
  get ready(): boolean {
    if (this.#ended) return true;
    return this.#consuming && (!this.paces || this.queued < MEMBER_QUEUE);
  }

  /** Called by the source's reader. */
  push(shared: RxItem): void {
    if (this.#ended) return;
    const item = this.map(shared);
    if (item === undefined) return;
    if (this.queued >= MEMBER_QUEUE) {
      this.onOverflow(item);
      return;
    }
    this.#queue.push(item);
    this.#arrived.fire();
  }

  /**
   * Its route's own replayed messages (a journaled route joining a running program, see
   * journal-tee.ts), queued before any live chunk and past the queue's size: they are at most
   * the route's journal bound, and the source waits until the queue has room again.
   */
  prefill(items: readonly RxItem[]): void {
    if (items.length === 0 || this.#ended) return;
    this.#queue.push(...items);
    this.#arrived.fire();
  }

  /** The source ended (`error`: failed): what is queued still goes, then done (or the error). */
  end(error?: unknown): void {
    if (error !== undefined) this.#error = error;
    this.#ended = true;
    this.#arrived.fire();
  }

  start(): this {
    this.#consuming = true;
    this.#changed.fire();
    return this;
  }

  /** The next queued chunk, if one is (RxTakeNow): the pump's way past a promise per chunk. */
  takeNow(): RxItem | undefined {
    if (this.#head === this.#queue.length) return undefined;
    const value = this.#queue[this.#head] as RxItem;
    this.#queue[this.#head++] = undefined as unknown as RxItem; // let it be collected
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    // Room again: a reader waiting on this pacing member may go on.
    if (this.paces) this.#changed.fire();
    return value;
  }

  async next(): Promise<IteratorResult<RxItem, undefined>> {
    for (;;) {
      const value = this.takeNow();
      if (value !== undefined) return { done: false, value };
      if (this.#ended) {
        if (this.#error !== undefined) {
          const error = this.#error;
          this.#error = undefined;
          throw error;
        }
        return { done: true, value: undefined };
      }
      await this.#arrived.wait();
    }
  }

  /** The link's pump let go (its link closes): nothing more is queued for it. */
  async return(): Promise<IteratorResult<RxItem, undefined>> {
    this.end();
    this.#queue.length = 0;
    this.#head = 0;
    this.#changed.fire();
    return { done: true, value: undefined };
  }
}

export class SharedSource<L> {
  readonly key: string;
  readonly handle: L;
  /** The journals of the routes it feeds, when they are journaled (journal-tee.ts). */
  readonly tee: JournalTee | undefined;
  readonly #connector: Connector<L>;
  readonly #members = new Set<SourceMember>();
  readonly #changed = new Wake();
  readonly #onIdle: () => void;
  #iterator: AsyncIterator<RxItem> | undefined;
  #closed = false;
  #rxEnded = false;
  /**
   * A chunk went to more than one member: each member's pump would release it
   * (ConnectorSpec.rxRelease), so from then on none does — the connector's memory falls to
   * the GC instead of being reused while another route still reads it.
   */
  #fannedOut = false;

  /** `onIdle`: the last member left and the handle is closing (the runtime forgets it). */
  constructor(
    key: string,
    handle: L,
    connector: Connector<L>,
    onIdle: () => void,
    tee?: JournalTee,
  ) {
    this.key = key;
    this.handle = handle;
    this.tee = tee;
    this.#connector = connector;
    this.#onIdle = onIdle;
  }

  /** The last member left: the handle is closed (or closing), nobody may join. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Its rx ended: a route opened now gets a handle of its own rather than nothing. */
  get ended(): boolean {
    return this.#rxEnded;
  }

  /** Routes sharing the handle now. */
  get members(): number {
    return this.#members.size;
  }

  /**
   * A new member for a link (`paces`: see the file comment), and the connector that link uses:
   * the shared one, but `rx` is the member's queue and `close` leaves, closing the handle only
   * when it was the last.
   */
  join(paces: boolean): { member: SourceMember; connector: Connector<L> } {
    const member = new SourceMember(paces, this.#changed);
    if (this.#rxEnded) member.end();
    this.#members.add(member);
    this.#changed.fire();
    const connector: Connector<L> = {
      ...this.#connector,
      rx: () => ({ [Symbol.asyncIterator]: () => this.#consume(member) }),
      rxRelease: (handle: L, chunk: Uint8Array) => {
        if (!this.#fannedOut) this.#connector.rxRelease?.(handle, chunk);
      },
      close: (_handle: L, how: CloseHow) => this.#leave(member, how),
    };
    return { member, connector };
  }

  #consume(member: SourceMember): SourceMember {
    member.start();
    if (this.#iterator === undefined && !this.#rxEnded) void this.#read();
    return member;
  }

  async #leave(member: SourceMember, how: CloseHow): Promise<void> {
    if (!this.#members.delete(member)) return;
    await member.return();
    if (this.#members.size > 0) return;
    this.#closed = true;
    this.#onIdle();
    this.#changed.fire();
    await this.#connector.close(this.handle, how);
    // Not awaited: a connector whose rx does not notice the close must not hold the Close up.
    this.#iterator?.return?.()?.catch(() => {});
  }

  /** Every member consumes, and none that paces has a full queue. */
  #ready(): boolean {
    if (this.#members.size === 0) return false;
    for (const m of this.#members) if (!m.ready) return false;
    return true;
  }

  async #read(): Promise<void> {
    const iterator = this.#connector.rx(this.handle)[Symbol.asyncIterator]();
    this.#iterator = iterator;
    const take = takeNowOf(iterator);
    let failure: unknown;
    try {
      let reads = 0;
      for (;;) {
        while (!this.#closed && !this.#ready()) await this.#changed.wait();
        if (this.#closed) return;
        const next = await iterator.next();
        if (next.done === true || this.#closed) break;
        if (this.#members.size > 1) this.#fannedOut = true;
        for (const m of this.#members) m.push(next.value);
        // What else is ready goes now, with no promise per chunk — each only while every member
        // has room for it (a pacing member's full queue must stop the source, not refuse).
        while (take !== undefined && reads < READS_PER_TURN && !this.#closed && this.#ready()) {
          const value = take();
          if (value === undefined) break;
          if (this.#members.size > 1) this.#fannedOut = true;
          for (const m of this.#members) m.push(value);
          reads++;
        }
        if (++reads >= READS_PER_TURN) {
          reads = 0;
          await yieldToEventLoop();
        }
      }
    } catch (error) {
      failure = error ?? new Error("rx failed");
    }
    this.#rxEnded = true;
    for (const m of this.#members) m.end(failure);
  }
}

/**
 * Fan-out of a journaled source (ADR 0025): one program feeding several `drop: buffer` routes,
 * each with its own journal (ADR 0016). The connector sees one journal — this tee, whose offsets
 * are a stream of its own — and every byte it appends goes to every member route's journal.
 *
 * A member joins at a message boundary: the bytes read since the last whole message (the
 * unfinished one) are copied into its journal first, so its journal holds whole messages only.
 * From then on a message that ends at tee offset `e` ends at `e + delta` in the member's journal
 * (`delta`: where the member's journal stood minus where the tee stood at the join): that is the
 * correlation id its route carries, what its target's delivered mark records. A message that
 * ended at or before the join is not the member's (pub/sub: a route wired later joins the stream
 * where it is).
 *
 * The bound: the program is read only while no member's journal is full — the slowest `buffer`
 * consumer paces all, as for unjournaled fan-out.
 *
 * Replay: the first member's journal is replayed at the program's first start, through the tee
 * (the tee starts at its end, so the first member's offsets are the tee's). A route that joins a
 * running program with a journal of this source's from before (`resumed`: the second route to
 * reopen after a driver crash or a panel restart) is owed what its own program would have given
 * it: its journal's undelivered messages, then the stream from where its journal left off. The
 * tee keeps what it appended since it started (`#history`, up to HISTORY_BYTES) for that, and
 * the connector (`replayWith`) deframes the member's journal the way it deframes its first
 * replay: it seals the old stream's unfinished message unless the program was adopted (then the
 * history finishes it), appends the history, and returns the messages not yet delivered, which
 * wait on the member (`takeBacklog`) ahead of the live stream. A member joins the live stream at
 * the tee's last whole message either way. Without a replayer (or once the history passed its
 * bound) the old bytes are cut off, or the missed stream is, with a log line.
 */
import type { RxMessage } from "./define-connector.ts";
import type { RouteJournal } from "./route-journal.ts";

/**
 * A connector's replay of a joining route's journal (see the file comment): `history`, when
 * given, is the stream since that journal left off, for it to append. Returns the messages its
 * target has not taken, correlation ids being offsets in that journal.
 */
export type JournalReplayer = (
  journal: SourceJournal,
  history: readonly Uint8Array[] | undefined,
) => readonly RxMessage[];

/** Bytes of the stream a tee keeps for routes that resume (a crash's later reopens). */
export const HISTORY_BYTES = 16 * 1024 * 1024;

/** What a source connector needs of a journal (route-journal.ts); the tee is one too. */
export interface SourceJournal {
  readonly end: number;
  readonly full: boolean;
  /**
   * Journals `bytes`, which are only read during the call (the caller may write them again
   * after: a read slab reused): what a journal keeps past it, it copies.
   */
  append(bytes: Uint8Array): number;
  undelivered(): { readonly from: number; readonly bytes: Uint8Array; readonly atMark: boolean };
  seal(boundary: number): void;
  note(end: number): void;
  refresh(): void;
  /** A tee only: how the connector replays a late member's own journal (see the file comment). */
  replayWith?(replayer: JournalReplayer): void;
}

/** One route's journal behind the tee. */
export class TeeMember {
  readonly journal: RouteJournal;
  /** The tee offset where the member joined: messages ending there or before are not its own. */
  readonly joinedAt: number;
  /** The member journal's offset minus the tee's, for the same byte. */
  readonly delta: number;
  readonly #tee: JournalTee;
  /** Its own journal's undelivered messages, replayed at the join: for its route's queue. */
  #backlog: readonly RxMessage[];

  constructor(
    tee: JournalTee,
    journal: RouteJournal,
    joinedAt: number,
    delta: number,
    backlog: readonly RxMessage[] = [],
  ) {
    this.#tee = tee;
    this.journal = journal;
    this.joinedAt = joinedAt;
    this.delta = delta;
    this.#backlog = backlog;
  }

  /** The replayed messages, once: they go before anything of the live stream. */
  takeBacklog(): readonly RxMessage[] {
    const backlog = this.#backlog;
    this.#backlog = [];
    return backlog;
  }

  /** The route's correlation id for a message ending at tee offset `end`; undefined: not its. */
  correlation(end: number): number | undefined {
    return end > this.joinedAt ? end + this.delta : undefined;
  }

  /** Nothing more is appended to this journal (its link closes it after). */
  leave(): void {
    this.#tee.leave(this);
  }
}

export class JournalTee implements SourceJournal {
  readonly #members: TeeMember[] = [];
  readonly #log: (line: string) => void;
  #end = 0;
  /** Where the last whole message noted ends: bytes after it are the unfinished one (`#tail`). */
  #boundary = 0;
  readonly #tail = new TailBytes();
  /** Nothing read or replayed yet: the first journal to join is the tee's own stream. */
  #fresh = true;
  #replayer: JournalReplayer | undefined;
  /** What was appended since the start or the last seal; undefined once past HISTORY_BYTES. */
  #history: Uint8Array[] | undefined = [];
  #historyBytes = 0;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  get members(): number {
    return this.#members.length;
  }

  get end(): number {
    return this.#end;
  }

  /** Any member's journal at its bound: stop reading the program. */
  get full(): boolean {
    return this.#members.some((m) => m.journal.full);
  }

  /**
   * Adds a route's journal. The first one, before anything was read, is the tee's own stream
   * (its undelivered bytes are replayed); a later one joins where the stream is.
   */
  join(journal: RouteJournal): TeeMember {
    if (this.#fresh && this.#members.length === 0) {
      this.#end = this.#boundary = journal.end;
      const member = new TeeMember(this, journal, -1, 0);
      this.#members.push(member);
      return member;
    }
    const history = journal.resumed && this.#replayer !== undefined ? this.#history : undefined;
    if (journal.resumed && history === undefined && this.#replayer !== undefined)
      this.#log(
        `route journal ${journal.dir}: the shared program's stream since its start passed ${HISTORY_BYTES} bytes: the route resumes where the stream is`,
      );
    const backlog = this.#replayOwn(journal, history);
    // With the history the journal caught up with the tee's end, unfinished message and all.
    const delta = journal.end - (history === undefined ? this.#boundary : this.#end);
    if (history === undefined && this.#tail.length > 0) journal.append(this.#tail.bytes());
    const member = new TeeMember(this, journal, this.#boundary, delta, backlog);
    this.#members.push(member);
    return member;
  }

  replayWith(replayer: JournalReplayer): void {
    this.#replayer = replayer;
  }

  /** A late member's own undelivered messages (the file comment), or none: cut off. */
  #replayOwn(
    journal: RouteJournal,
    history: readonly Uint8Array[] | undefined,
  ): readonly RxMessage[] {
    if (this.#replayer !== undefined) return this.#replayer(journal, history);
    const stale = journal.undelivered();
    if (stale.bytes.length > 0) {
      journal.seal(stale.from);
      this.#log(
        `route journal ${journal.dir}: ${stale.bytes.length} undelivered byte(s) of an earlier program cut off: its connector replays no joining route`,
      );
    }
    return [];
  }

  leave(member: TeeMember): void {
    const at = this.#members.indexOf(member);
    if (at >= 0) this.#members.splice(at, 1);
  }

  append(bytes: Uint8Array): number {
    this.#fresh = false;
    for (const m of this.#members) m.journal.append(bytes);
    this.#end += bytes.length;
    // Copies (SourceJournal.append): the caller's bytes may be written over once we return.
    this.#tail.push(bytes);
    if (this.#history !== undefined) {
      this.#historyBytes += bytes.length;
      if (this.#historyBytes > HISTORY_BYTES) this.#history = undefined;
      else this.#history.push(Uint8Array.prototype.slice.call(bytes));
    }
    return this.#end;
  }

  /** Only the first member's, at the program's first start (see the file comment). */
  undelivered(): { readonly from: number; readonly bytes: Uint8Array; readonly atMark: boolean } {
    this.#fresh = false;
    const first = this.#members[0];
    if (this.#members.length === 1 && first !== undefined && first.delta === 0)
      return first.journal.undelivered();
    return { from: this.#end, bytes: new Uint8Array(0), atMark: true };
  }

  seal(boundary: number): void {
    if (boundary >= this.#end) return;
    for (const m of this.#members) m.journal.seal(Math.max(boundary, m.joinedAt, 0) + m.delta);
    this.#end = this.#boundary = boundary;
    this.#tail.clear();
    // A new stream: what a resuming route is owed starts here.
    this.#history = [];
    this.#historyBytes = 0;
  }

  note(end: number): void {
    for (const m of this.#members) {
      const at = m.correlation(end);
      if (at !== undefined) m.journal.note(at);
    }
    if (end <= this.#boundary) return;
    // Drop the tail's bytes before `end`: they belong to whole messages now.
    this.#tail.drop(end - this.#boundary);
    this.#boundary = end;
  }

  refresh(): void {
    for (const m of this.#members) m.journal.refresh();
  }
}

/** A tail buffer larger than this is let go once the message it held is whole. */
const TAIL_KEPT_BYTES = 1024 * 1024;

/**
 * The bytes of the unfinished message (the tee's tail), copied into one buffer of its own,
 * reused: what a member joining mid-message is given first.
 */
class TailBytes {
  #buffer = new Uint8Array(0);
  #start = 0;
  #end = 0;

  get length(): number {
    return this.#end - this.#start;
  }

  /** The bytes, valid until the next push, drop or clear. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  push(bytes: Uint8Array): void {
    if (this.#buffer.length - this.#end < bytes.length) this.#makeRoom(bytes.length);
    this.#buffer.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** Forgets the first `n` bytes (all of them, if fewer are kept). */
  drop(n: number): void {
    this.#start = Math.min(this.#start + n, this.#end);
    if (this.#start === this.#end) this.clear();
  }

  clear(): void {
    this.#start = this.#end = 0;
    // One long message made it large: that size is not kept for every message after it.
    if (this.#buffer.length > TAIL_KEPT_BYTES) this.#buffer = new Uint8Array(0);
  }

  /** Room for `more` bytes after the kept ones: moved to the front, or a larger buffer. */
  #makeRoom(more: number): void {
    const kept = this.#buffer.subarray(this.#start, this.#end);
    const need = kept.length + more;
    if (need <= this.#buffer.length) this.#buffer.copyWithin(0, this.#start, this.#end);
    else {
      const larger = new Uint8Array(Math.max(need, 2 * this.#buffer.length));
      larger.set(kept);
      this.#buffer = larger;
    }
    this.#start = 0;
    this.#end = kept.length;
  }
}

/**
 * Where a journaled route's source end stands in its journal (ADR 0016, @rtt/connector-sdk
 * route-journal.ts). Every byte read from the program's stdout is journaled before it is cut
 * into messages, and each message carries the offset in the journal's stream where it ends:
 * its correlation id, what the target's delivered mark records. Two offsets make that work:
 * `fed`, just past the bytes fed to the current deframer, and `boundary`, where the last whole
 * message ends (what an abandoned stream keeps; the rest is sealed off).
 *
 * The first start replays what the last driver's target never marked. The journal also bounds
 * the route: while it holds `bound` unmarked messages the reader stops, and the target's mark
 * is read again until there is room.
 */
import type { SourceJournal } from "@rtt/connector-sdk";
import { type Framing, framedLength } from "./framing.ts";

/** How often a route whose journal is full reads its target's mark again. */
const JOURNAL_POLL_MS = 2;
/** Messages between two reads of the mark while the journal has room (keeps it trimmed). */
const JOURNAL_REFRESH_EVERY = 128;

/** Bytes of the stream to read again, starting at offset `from` of the journal. */
export interface Replay {
  readonly from: number;
  readonly bytes: Uint8Array;
}

export class JournalCursor {
  readonly #journal: SourceJournal;
  /** The program's name in log lines. */
  readonly #name: string;
  readonly #log: ((line: string) => void) | undefined;
  /** The journal's offset just past the bytes fed to the current deframer. */
  #fed = 0;
  /** Where the last whole message read ends in the journal: what an abandoned stream keeps. */
  #boundary = 0;
  #sinceRefresh = 0;
  #pollTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(journal: SourceJournal, name: string, log?: (line: string) => void) {
    this.#journal = journal;
    this.#name = name;
    this.#log = log;
  }

  /** As many messages in flight as the route may have: stop reading the program. */
  get full(): boolean {
    return this.#journal.full;
  }

  /** The offset just past the last journaled byte. */
  get end(): number {
    return this.#journal.end;
  }

  /** Journals one read of stdout: until it is, a kill -9 loses what the read took from the pipe. */
  append(chunk: Uint8Array): void {
    this.#journal.append(chunk);
  }

  /**
   * At the first start: what the last driver journaled and its target never took, to be read
   * again before anything new; undefined when there is nothing.
   */
  replay(framing: Framing): Replay | undefined {
    this.#fed = this.#boundary = this.#journal.end;
    const undelivered = this.#journal.undelivered();
    const { from } = undelivered;
    let { bytes } = undelivered;
    if (bytes.length === 0) return undefined;
    this.#fed = this.#boundary = from;
    if (!undelivered.atMark) {
      // The mark went back past the oldest segment kept (an old target's last word after a
      // swap): the replay starts where that segment does. Lines resync at the next newline; a
      // length-prefixed stream cannot, so its replay is dropped.
      const skip =
        framing === "raw" ? 0 : framing === "lines" ? bytes.indexOf(0x0a) + 1 : bytes.length;
      this.#log?.(
        `${this.#name}: the delivered mark is before the journal's oldest segment: replay skips ${skip} byte(s) to a message`,
      );
      this.#fed = this.#boundary = from + skip;
      bytes = bytes.subarray(skip);
      if (bytes.length === 0) return undefined;
    }
    return { from, bytes };
  }

  /**
   * A new program's stream begins (not an adopted one's, which goes on where the journal ends):
   * what the last program left unfinished is never finished, so it is cut off.
   */
  newStream(): void {
    this.#journal.seal(this.#boundary);
    this.#fed = this.#boundary = this.#journal.end;
  }

  /**
   * The journal offsets where `messages` end, noted against the route's bound: they were cut
   * from the stream by a push of `consumed` more bytes, and the deframer still holds `pending`
   * bytes after them (so they are counted back from there).
   */
  place(messages: Uint8Array[], consumed: number, pending: number, framing: Framing): number[] {
    this.#fed += consumed;
    let end = this.#fed - pending;
    if (messages.length > 0) this.#boundary = end;
    const ends = new Array<number>(messages.length);
    for (let k = messages.length - 1; k >= 0; k--) {
      ends[k] = end;
      end -= framedLength(framing, messages[k] as Uint8Array);
    }
    for (const at of ends) this.#journal.note(at);
    this.#sinceRefresh += messages.length;
    if (this.#sinceRefresh >= JOURNAL_REFRESH_EVERY) {
      this.#sinceRefresh = 0;
      this.#journal.refresh();
    }
    return ends;
  }

  /** Reads the target's mark until the journal has room again, then calls `resume`. */
  waitForRoom(resume: () => void): void {
    if (this.#pollTimer !== undefined) return;
    const poll = () => {
      try {
        this.#journal.refresh();
      } catch (error) {
        this.#log?.(`${this.#name}: reading the route's delivered mark: ${String(error)}`);
      }
      if (this.#journal.full && !this.#stopped) {
        this.#pollTimer = setTimeout(poll, JOURNAL_POLL_MS);
        return;
      }
      this.#pollTimer = undefined;
      resume();
    };
    this.#pollTimer = setTimeout(poll, JOURNAL_POLL_MS);
  }

  /** The endpoint closes: the mark is no longer read. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
  }
}

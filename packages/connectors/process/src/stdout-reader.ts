/**
 * A program's stdout cut into messages (framing.ts), across its respawns: what `messages()` of
 * the process endpoint yields.
 *
 * Backpressure: messages read from stdout wait in a bounded queue, one entry per read (the
 * messages a read completed, and their journal ends), taken a message at a time with no object
 * made per message here: the rx's `shape` gets (payload, end). At its high-water mark the
 * stdout pipe is paused, so a program writing faster than its route carries blocks in its
 * write; the pipe is resumed once `take` has drained the queue below the low-water mark. At a
 * journaled route's source end (journal-cursor.ts) every read is journaled before it is cut,
 * each message carries its end offset in the journal, and stdout is also paused while the
 * journal holds `bound` unmarked messages.
 */
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { BoundedQueue, type RxMessage, type SourceJournal } from "@rtt/connector-sdk";
import { Deframer, type Framing } from "./framing.ts";
import { JournalCursor } from "./journal-cursor.ts";
import type { OnStdout, Program } from "./program.ts";
import { ReadSlab } from "./read-slab.ts";

/** One message from stdout and where it ends in the journal's stream (0: not journaled). */
export interface StdoutMessage {
  readonly payload: Uint8Array;
  readonly end: number;
}

/**
 * Queued stdout messages (or bytes) at which the pipe is paused, and below which it is resumed.
 * The queue can pass the high mark by one read's messages (a pipe read is at most 64 KiB).
 */
const STDOUT_HIGH = { items: 1024, bytes: 8 * 1024 * 1024 };
const STDOUT_LOW = { items: 256, bytes: 2 * 1024 * 1024 };

/** What one read (or one end) completed: its messages, and their ends in the journal. */
interface Run {
  readonly messages: Uint8Array[];
  /** Undefined: not journaled (every end 0). */
  readonly ends: number[] | undefined;
  /** The next message `take` hands out. */
  at: number;
}

const NEWLINE = new Uint8Array([0x0a]);
const EMPTY = new Uint8Array(0);
/** Replayed bytes go through the deframer in pieces of a pipe read's size. */
const REPLAY_SLICE_BYTES = 64 * 1024;
/** How often a respawn checks whether the exited program's stdout has closed. */
const LAST_OUTPUT_POLL_MS = 100;

export interface StdoutReaderOptions {
  readonly framing: Framing;
  /** The route's journal, at its source end. */
  readonly journal?: SourceJournal | undefined;
  /** The program's name in log lines. */
  readonly name: string;
  readonly log?: ((line: string) => void) | undefined;
  /** The program's output broke its framing: the rest of it is ignored; it is to be ended. */
  readonly broken: (error: unknown) => void;
  /** Its output ended inside a message. */
  readonly truncated: (error: unknown) => void;
}

export class StdoutReader {
  readonly #options: StdoutReaderOptions;
  /**
   * One entry per read, not per message: the marks count messages and bytes (#queued,
   * #queuedBytes), so backpressure is what it was with a message an entry.
   */
  readonly #runs = new BoundedQueue<Run>();
  /** The run `take` is in, already shifted off #runs. */
  #run: Run | undefined;
  #queued = 0;
  #queuedBytes = 0;
  /** At a journaled route's source end only. */
  readonly #cursor: JournalCursor | undefined;
  #deframer: Deframer;
  /** The deframer's list of pending pieces as last seen, and how many of them are held. */
  #heldPieces: readonly Uint8Array[] = [];
  #heldCount = 0;
  /** The current program's stdout, while it is open: what backpressure pauses. */
  #stdout: Readable | undefined;
  #stdoutClosed: Promise<unknown> = Promise.resolve();
  /** Which start the current program is: output of an earlier one is ignored. */
  #generation = 0;
  /** The current program broke its framing: what it writes now is ignored until the next. */
  #broken = false;
  #waiter: (() => void) | undefined;
  /** The current program was adopted at the first start: its stream goes on from the journal's. */
  #continued = false;

  constructor(options: StdoutReaderOptions) {
    this.#options = options;
    this.#deframer = new Deframer(options.framing);
    this.#cursor =
      options.journal === undefined
        ? undefined
        : new JournalCursor(options.journal, options.name, options.log);
    // A shared journal (a tee, ADR 0025): a route joining later replays its own journal the
    // same way this one's first start does.
    options.journal?.replayWith?.((journal, history) => this.#replayOwn(journal, history));
  }

  /**
   * Where the next program's output goes. Only the current program's output counts: a
   * background process of an earlier one that still holds its stdout must not feed this one's
   * deframer.
   */
  nextStream(): OnStdout {
    const generation = ++this.#generation;
    return (chunk) => {
      if (generation === this.#generation) this.#read(chunk);
    };
  }

  /**
   * Reads `program`'s stdout from now on. On the first start what the last driver journaled and
   * its target never took goes first; a new program (not adopted) starts a stream of its own.
   */
  attach(program: Program, first: boolean): void {
    this.#broken = false;
    this.#continued = first && program.adopted;
    this.#stdoutClosed = new Promise((resolve) => program.stdout.once("close", resolve));
    const cursor = this.#cursor;
    if (cursor !== undefined && first) this.#replay(cursor);
    if (!(first && program.adopted)) {
      // What the last program left unfinished is never finished (an adopted one goes on where
      // the journal ends, so its unfinished message stays).
      cursor?.newStream();
      this.#deframer = new Deframer(this.#options.framing);
      this.#holdPending();
    }
    this.#watch(program.stdout);
  }

  #watch(stdout: Readable): void {
    this.#stdout = stdout;
    if (this.#mustPause()) stdout.pause();
    stdout.once("close", () => {
      if (this.#stdout === stdout) this.#stdout = undefined;
      this.wake();
    });
    stdout.on("error", () => {}); // a FIFO end closed under it: 'close' follows
    stdout.on("end", () => {
      if (this.#broken || this.#stdout !== stdout) return;
      try {
        // A last line without its newline is a message: journaled with one, so the journal
        // keeps whole lines and what the next program writes starts a message of its own.
        if (this.#cursor !== undefined && this.#options.framing === "lines")
          if (this.#deframer.pendingBytes > 0) this.#read(NEWLINE);
        this.#enqueue(this.#deframer.end(), 0);
        this.#holdPending();
      } catch (error) {
        this.#options.truncated(error);
      }
    });
  }

  /**
   * One read of the program's stdout: journaled (before anything else can lose it), cut into
   * messages, queued. A stream that breaks its framing is not journaled: its program is ended
   * and the rest of what it wrote is ignored.
   */
  #read(chunk: Uint8Array): void {
    if (this.#broken) return;
    let messages: Uint8Array[];
    try {
      this.#cursor?.append(chunk);
      // The read is ours to keep (program.ts, OnStdout): its messages are views of it.
      messages = this.#deframer.push(chunk);
    } catch (error) {
      this.#broken = true;
      this.#options.broken(error);
      return;
    }
    this.#enqueue(messages, chunk.length);
    this.#holdPending();
  }

  /**
   * The deframer's pieces of an unfinished message are views of reads too: held while it keeps
   * them, so their slab is not read into again meanwhile. Its list only grows until the message
   * is whole, and is a new list after (Deframer.pending): only new pieces are held — a long line
   * read in many small pieces costs one hold each, not one per piece per read — and a list let
   * go is released after the new one is held, so a slab both share never looks free in between.
   */
  #holdPending(): void {
    const pieces = this.#deframer.pending;
    const before = this.#heldPieces;
    const held = this.#heldCount;
    if (pieces === before) {
      for (let k = held; k < pieces.length; k++) ReadSlab.hold(pieces[k] as Uint8Array);
    } else {
      for (const piece of pieces) ReadSlab.hold(piece);
      for (let k = 0; k < held; k++) ReadSlab.release(before[k] as Uint8Array);
    }
    this.#heldPieces = pieces;
    this.#heldCount = pieces.length;
  }

  /**
   * A message `take` handed out is no longer seen by anyone (ConnectorSpec.rxRelease): its read
   * slab may be read into again once nothing else of it is held.
   */
  release(payload: Uint8Array): void {
    ReadSlab.release(payload);
  }

  #replay(cursor: JournalCursor): void {
    const replay = cursor.replay(this.#options.framing);
    if (replay === undefined) return;
    replaySlices(replay.bytes, this.#deframer, (messages, consumed) =>
      this.#enqueue(messages, consumed),
    );
    this.#log(replay.from, cursor.end, this.#queued);
  }

  /**
   * A route joining a running shared program (journal-tee.ts): its own journal's messages its
   * target did not take, cut by a deframer and cursor of their own exactly as the first start's
   * replay. Its old stream's unfinished message is sealed off, unless the program was adopted
   * and `history` (the stream since that journal left off) finishes it; `history` is appended
   * and what it holds is replayed too.
   */
  #replayOwn(journal: SourceJournal, history: readonly Uint8Array[] | undefined): RxMessage[] {
    const { framing, name, log } = this.#options;
    const cursor = new JournalCursor(journal, name, log);
    let deframer = new Deframer(framing);
    const out: RxMessage[] = [];
    // As #read and #enqueue do for the live stream, into `out`.
    const cut = (messages: Uint8Array[], consumed: number) => {
      const ends = cursor.place(messages, consumed, deframer.pendingBytes, framing);
      for (let k = 0; k < messages.length; k++)
        out.push({
          payload: Uint8Array.prototype.slice.call(messages[k] as Uint8Array),
          correlation: ends[k] as number,
        });
    };
    const replay = cursor.replay(framing);
    if (replay !== undefined) replaySlices(replay.bytes, deframer, cut);
    if (history === undefined || !this.#continued) {
      cursor.newStream();
      deframer = new Deframer(framing);
    }
    for (const chunk of history ?? []) {
      cursor.append(chunk);
      cut(deframer.push(chunk), chunk.length);
    }
    if (out.length > 0) this.#log(replay?.from ?? journal.end, cursor.end, out.length);
    return out;
  }

  #log(from: number, end: number, count: number): void {
    this.#options.log?.(
      `${this.#options.name}: replaying ${count} message(s) the last driver's target did not take (journal ${from}..${end})`,
    );
  }

  /** Queues what one push cut out of `consumed` more bytes of the stream (views the reader owns). */
  #enqueue(messages: Uint8Array[], consumed: number): void {
    const cursor = this.#cursor;
    const ends = cursor?.place(
      messages,
      consumed,
      this.#deframer.pendingBytes,
      this.#options.framing,
    );
    if (messages.length > 0) {
      this.#runs.push({ messages, ends, at: 0 });
      this.#queued += messages.length;
      for (const m of messages) {
        this.#queuedBytes += m.length;
        // Released by whoever takes it last (release), or never: then its slab falls to the GC.
        ReadSlab.hold(m);
      }
    }
    if (this.#mustPause()) {
      this.#stdout?.pause();
      if (cursor?.full === true) cursor.waitForRoom(() => this.#maybeResume());
    }
    if (messages.length > 0) this.wake();
  }

  /** The queue at its high mark, or the route's journal at its bound: stop reading stdout. */
  #mustPause(): boolean {
    const full = this.#queued >= STDOUT_HIGH.items || this.#queuedBytes >= STDOUT_HIGH.bytes;
    return full || this.#cursor?.full === true;
  }

  /** At or below both low marks. */
  #drained(): boolean {
    return this.#queued <= STDOUT_LOW.items && this.#queuedBytes <= STDOUT_LOW.bytes;
  }

  /** Below both low marks, and the journal has room: read the pipe again. */
  #maybeResume(): void {
    const stdout = this.#stdout;
    if (stdout?.isPaused() === true && this.#drained() && this.#cursor?.full !== true)
      stdout.resume();
  }

  /**
   * The next message read, as `shape` makes it from its bytes and journal end (0: not
   * journaled), if one waits; undefined if none does.
   */
  take<T>(shape: (payload: Uint8Array, end: number) => T): T | undefined {
    let run = this.#run;
    if (run === undefined || run.at === run.messages.length) {
      run = this.#runs.shift();
      this.#run = run;
      if (run === undefined) return undefined;
    }
    const k = run.at++;
    const payload = run.messages[k] as Uint8Array;
    const end = run.ends === undefined ? 0 : (run.ends[k] as number);
    // Let the taken message be collected with its slab while the run's others wait.
    run.messages[k] = EMPTY;
    this.#queued--;
    this.#queuedBytes -= payload.length;
    this.#maybeResume();
    return shape(payload, end);
  }

  /** The last program's stdout has closed: everything it wrote has been read. */
  get closed(): boolean {
    return this.#stdout === undefined;
  }

  /** Resolves at the next message, the close of stdout, or `wake`. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Whoever waits in `changed` looks again (the program exited, the endpoint closed). */
  wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /**
   * Until the exited program's stdout is closed: what it wrote last may still wait in the pipe,
   * paused by backpressure, and the next program's stdout would take its place. Once the pipe
   * is not paused and still open past `graceMs`, a grandchild holds it: no longer waited for.
   */
  async lastOutputRead(graceMs: number, stopping: () => boolean): Promise<void> {
    const closed = this.#stdoutClosed;
    let waited = 0;
    for (;;) {
      const done = await Promise.race([
        closed.then(() => true),
        sleep(LAST_OUTPUT_POLL_MS).then(() => false),
      ]);
      if (done || stopping()) return;
      waited += LAST_OUTPUT_POLL_MS;
      if (this.#stdout?.isPaused() !== true && waited >= graceMs) {
        // A background process holds it: what it writes from now on is nobody's message.
        this.#stdout?.destroy();
        return;
      }
    }
  }

  /** The endpoint closes: no more waiting for the journal to have room. */
  close(): void {
    this.#cursor?.stop();
  }
}

/** Replayed bytes through `deframer` a read's worth at a time, as they first came (`raw`: one
 * message each). */
function replaySlices(
  bytes: Uint8Array,
  deframer: Deframer,
  cut: (messages: Uint8Array[], consumed: number) => void,
): void {
  for (let at = 0; at < bytes.length; at += REPLAY_SLICE_BYTES) {
    const slice = bytes.subarray(at, at + REPLAY_SLICE_BYTES);
    cut(deframer.push(slice), slice.length);
  }
}

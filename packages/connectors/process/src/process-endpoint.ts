/**
 * A process as an endpoint (docs/design.md §Connectors): `tx` writes framed messages to its
 * stdin, `messages()` yields framed messages from its stdout, `health()` says whether it runs,
 * and a crash is followed by a respawn when the policy says so (capped, jittered exponential
 * backoff). The process runs in its own process group, and `close()` ends the whole group —
 * TERM, then KILL after a grace — and waits for it: no zombies, no orphaned grandchildren.
 *
 * Backpressure: messages read from stdout wait in a bounded queue. At its high-water mark the
 * stdout pipe is paused, so a program writing faster than its route carries blocks in its
 * write; the pipe is resumed once `messages()` has drained the queue below the low-water mark.
 *
 * Surviving the driver (an end of a journaled route, ADR 0016): with a `stateDir` the program's
 * stdio are FIFOs there (program.ts), so it outlives a killed driver, and the successor's
 * endpoint adopts it instead of starting another. With a `journal` (the source end) every byte
 * read from stdout is journaled before it is cut into messages, each message carries its end
 * offset in the journal, the first start replays what the last driver's target never marked,
 * and stdout is also paused while the journal holds `bound` unmarked messages.
 */
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BoundedQueue,
  leftoverGroup,
  type ProcessTarget,
  type RouteJournal,
  signalProcess,
  terminate,
  type WaterMarks,
} from "@rtt/connector-sdk";
import { backoffDelay, errorMessage, RttError } from "@rtt/core";
import { Deframer, encodeMessage, type Framing, framedLength } from "./framing.ts";
import {
  adopt,
  clearDir,
  type DirProgram,
  type OnStdout,
  type Program,
  spawnInDir,
  spawnPiped,
} from "./program.ts";

export const RESPAWN_POLICIES = ["never", "on-failure", "always"] as const;
export type RespawnPolicy = (typeof RESPAWN_POLICIES)[number];

export interface ProcessSpec {
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly framing: Framing;
  readonly respawn?: RespawnPolicy;
  /** Backoff before the n-th respawn: min(maxMs, baseMs · 2^n) · (0.5 … 1). */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** How long `close()` waits after SIGTERM before SIGKILL. */
  readonly killGraceMs?: number;
  /** Injected for tests; defaults to Math.random (jitter only, never a decision). */
  readonly random?: () => number;
  /** Where the program's FIFOs and record live, so it outlives the driver (see program.ts). */
  readonly stateDir?: string;
  /** The route's journal, at its source end (see @rtt/connector-sdk route-journal.ts). */
  readonly journal?: RouteJournal;
  /** The driver's diagnostics. */
  readonly log?: (line: string) => void;
}

/** One message from stdout and where it ends in the journal's stream (0: not journaled). */
export interface StdoutMessage {
  readonly payload: Uint8Array;
  readonly end: number;
}

export interface ProcessHealth {
  readonly ok: boolean;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** How the last run ended, if it has. */
  readonly lastExit?: { readonly code: number | null; readonly signal: string | null };
  readonly err?: string;
}

/**
 * Queued stdout messages (or bytes) at which the pipe is paused, and below which it is resumed.
 * The queue can pass the high mark by one read's messages (a pipe read is at most 64 KiB).
 */
const STDOUT_HIGH_WATER_MESSAGES = 1024;
const STDOUT_LOW_WATER_MESSAGES = 256;
const STDOUT_HIGH_WATER_BYTES = 8 * 1024 * 1024;
const STDOUT_LOW_WATER_BYTES = 2 * 1024 * 1024;
const STDOUT_MARKS: WaterMarks = {
  high: { items: STDOUT_HIGH_WATER_MESSAGES, bytes: STDOUT_HIGH_WATER_BYTES },
  low: { items: STDOUT_LOW_WATER_MESSAGES, bytes: STDOUT_LOW_WATER_BYTES },
};

/** How often a route whose journal is full reads its target's mark again. */
const JOURNAL_POLL_MS = 2;
/** Messages between two reads of the mark while the journal has room (keeps it trimmed). */
const JOURNAL_REFRESH_EVERY = 128;
const NEWLINE = new Uint8Array([0x0a]);
/** Replayed bytes go through the deframer in pieces of a pipe read's size. */
const REPLAY_SLICE_BYTES = 64 * 1024;

/**
 * One message's bytes into a program's stdin, awaited: a message never shares a write(2) with
 * the next, so a driver killed between two leaves whole messages in the pipe (at most PIPE_BUF
 * bytes are atomic), and "written" means the kernel has it — what a journaled route's mark
 * records. Resolves to the write's error, if any.
 */
function writeWhole(stdin: Writable, bytes: Uint8Array): Promise<Error | undefined> {
  return new Promise((resolve) => {
    stdin.write(bytes, (error) => resolve(error ?? undefined));
  });
}

export class ProcessEndpoint extends EventEmitter {
  readonly #spec: ProcessSpec;
  #program: Program | undefined;
  #starts = 0;
  #restarts = 0;
  #closing = false;
  #lastExit: ProcessHealth["lastExit"];
  #err: string | undefined;
  readonly #queue = new BoundedQueue<StdoutMessage>({
    sizeOf: (m) => m.payload.length,
    marks: STDOUT_MARKS,
  });
  /** The current program's stdout, while it is open: what backpressure pauses. */
  #stdout: Readable | undefined;
  #waiter: (() => void) | undefined;
  #exited: Promise<void> = Promise.resolve();
  /** The journal's offset just past the bytes fed to the current deframer. */
  #fed = 0;
  /** Where the last whole message read ends in the journal: what an abandoned stream keeps. */
  #boundary = 0;
  #deframer: Deframer;
  /** Which start the current program is: output of an earlier one is ignored. */
  #generation = 0;
  /** The current program broke its framing: what it writes now is ignored until the next. */
  #broken = false;
  #stdoutClosed: Promise<unknown> = Promise.resolve();
  /** The program, when it runs in the state directory (not on plain pipes beside it). */
  #inDir: DirProgram | undefined;
  #journalTimer: NodeJS.Timeout | undefined;
  #sinceRefresh = 0;
  /** Settles once a scheduled respawn started the next program (or could not, or closing). */
  #respawnDue: PromiseWithResolvers<void> | undefined;

  constructor(spec: ProcessSpec) {
    super();
    this.#spec = spec;
    this.#deframer = new Deframer(spec.framing);
  }

  start(): void {
    const spec = this.#spec;
    const first = this.#starts++ === 0;
    // Only the current program's output counts: a background process of an earlier one that
    // still holds its stdout must not feed this one's deframer.
    const generation = ++this.#generation;
    const program = this.#launch(first, (chunk) => {
      if (generation === this.#generation) this.#read(chunk);
    });
    try {
      this.#program = program;
      this.#broken = false;
      this.#stdoutClosed = new Promise((resolve) => program.stdout.once("close", resolve));
      const journal = spec.journal;
      if (journal !== undefined && first) {
        // What the last driver journaled and its target never took goes first.
        this.#fed = this.#boundary = journal.end;
        this.#replay(journal);
      }
      if (!(first && program.adopted)) {
        // A new program: what the last one left unfinished is never finished (an adopted one
        // goes on where the journal ends, so its unfinished message stays).
        if (journal !== undefined) {
          journal.seal(this.#boundary);
          this.#fed = this.#boundary = journal.end;
        }
        this.#deframer = new Deframer(spec.framing);
      }
      this.#watch(program);
    } catch (error) {
      this.#killGroup("SIGKILL");
      // Never watched: no exit of it will clear it, so nothing may take it for running.
      if (this.#program === program) this.#program = undefined;
      throw error;
    }
    this.emit("start", program.pid);
  }

  #watch(program: Program): void {
    this.#stdout = program.stdout;
    if (this.#mustPause()) program.stdout.pause();
    program.stdout.once("close", () => {
      if (this.#stdout === program.stdout) this.#stdout = undefined;
      this.#wake();
    });
    program.stdout.on("error", () => {}); // a FIFO end closed under it: 'close' follows
    program.stdout.on("end", () => {
      if (this.#broken || this.#stdout !== program.stdout) return;
      try {
        // A last line without its newline is a message: journaled with one, so the journal
        // keeps whole lines and what the next program writes starts a message of its own.
        if (this.#spec.journal !== undefined && this.#deframer.framing === "lines")
          if (this.#deframer.pendingBytes > 0) this.#read(NEWLINE);
        this.#enqueue(this.#deframer.end(), 0);
      } catch (error) {
        this.#err = errorMessage(error);
      }
    });
    program.stdin.on("error", () => {}); // EPIPE when it dies mid-write: tx and exit report it.
    this.#exited = program.exited.then((exit) => {
      // What it left in its process group goes too: a program whose waiter was killed (the
      // recorded `sh` of a state directory) would run on, orphaned, reading a FIFO nobody feeds.
      this.#endLeftovers(program.pid);
      this.#lastExit = { code: exit.code, signal: exit.signal };
      if (this.#program === program) this.#program = undefined;
      if (exit.startError !== undefined) this.#err = exit.startError;
      else if (exit.code !== 0 && !this.#closing)
        this.#err =
          exit.signal !== null
            ? `killed by ${exit.signal}`
            : exit.code === null
              ? "the adopted program ended (killed: no exit status)"
              : `exited with code ${exit.code}`;
      this.emit("exit", this.#lastExit);
      if (exit.startError === undefined) this.#maybeRespawn(exit.code);
      else this.#wake();
    });
  }

  /**
   * One read of the program's stdout: cut into messages, journaled (before anything else can
   * lose it), queued. A stream that breaks its framing is not journaled: its program is killed
   * and the rest of what it wrote is ignored.
   */
  #read(chunk: Uint8Array): void {
    if (this.#broken) return;
    let messages: Uint8Array[];
    try {
      // Journaled first: until it is, a kill -9 loses what this read took from the pipe.
      this.#spec.journal?.append(chunk);
      messages = this.#deframer.push(chunk);
    } catch (error) {
      this.#broken = true;
      this.#err = errorMessage(error);
      this.#killGroup("SIGKILL");
      return;
    }
    this.#enqueue(messages, chunk.length);
  }

  /** The first start of an endpoint with a state directory adopts its program if one lives. */
  #launch(first: boolean, onStdout: OnStdout): Program {
    const spec = this.#spec;
    const cmd = {
      command: spec.command,
      args: spec.args ?? [],
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      ...(spec.env === undefined ? {} : { env: spec.env }),
    };
    const dir = spec.stateDir;
    this.#inDir = undefined;
    if (dir === undefined) return spawnPiped(cmd, onStdout);
    if (first) {
      const adopted = adopt(dir, onStdout);
      if (adopted !== undefined && "busy" in adopted) {
        // Another link runs this end's program: this one runs its own, which dies with us.
        spec.log?.(
          `${spec.command}: ${dir} belongs to a live driver (pid ${adopted.busy}); starting a program of its own`,
        );
        return spawnPiped(cmd, onStdout);
      }
      if (adopted !== undefined) {
        spec.log?.(`${spec.command}: adopted the running program (pid ${adopted.pid})`);
        this.#inDir = adopted;
        return adopted;
      }
    }
    this.#inDir = spawnInDir(cmd, dir, onStdout);
    return this.#inDir;
  }

  #replay(journal: RouteJournal): void {
    const undelivered = journal.undelivered();
    const { from } = undelivered;
    let { bytes } = undelivered;
    if (bytes.length === 0) return;
    this.#fed = this.#boundary = from;
    if (!undelivered.atMark) {
      // The mark went back past the oldest segment kept (an old target's last word after a
      // swap): the replay starts where that segment does. Lines resync at the next newline; a
      // length-prefixed stream cannot, so its replay is dropped.
      const skip =
        this.#deframer.framing === "raw"
          ? 0
          : this.#deframer.framing === "lines"
            ? bytes.indexOf(0x0a) + 1
            : bytes.length;
      this.#spec.log?.(
        `${this.#spec.command}: the delivered mark is before the journal's oldest segment: replay skips ${skip} byte(s) to a message`,
      );
      this.#fed = this.#boundary = from + skip;
      bytes = bytes.subarray(skip);
      if (bytes.length === 0) return;
    }
    // A read's worth at a time, as the bytes first came: `raw` framing makes each one a message.
    for (let at = 0; at < bytes.length; at += REPLAY_SLICE_BYTES) {
      const slice = bytes.subarray(at, at + REPLAY_SLICE_BYTES);
      this.#enqueue(this.#deframer.push(slice), slice.length);
    }
    this.#spec.log?.(
      `${this.#spec.command}: replaying ${this.#queue.length} message(s) the last driver's target did not take (journal ${from}..${journal.end})`,
    );
  }

  #maybeRespawn(code: number | null): void {
    const policy = this.#spec.respawn ?? "never";
    if (this.#closing || policy === "never" || (policy === "on-failure" && code === 0)) {
      this.#wake();
      return;
    }
    const delay = backoffDelay(
      this.#restarts,
      { baseMs: this.#spec.backoff?.baseMs ?? 100, maxMs: this.#spec.backoff?.maxMs ?? 10_000 },
      this.#spec.random ?? Math.random,
    );
    this.#restarts++;
    const due = Promise.withResolvers<void>();
    this.#respawnDue = due;
    setTimeout(async () => {
      try {
        await this.#lastOutputRead();
        if (this.#closing) return;
        this.emit("restart", this.#restarts);
        this.start();
      } catch (error) {
        // Not thrown out of a timer (that would end the driver and every link with it).
        this.#err = `cannot start ${this.#spec.command} again: ${errorMessage(error)}`;
        this.#lastExit = { code: null, signal: null };
        this.#wake();
      } finally {
        if (this.#respawnDue === due) this.#respawnDue = undefined;
        due.resolve();
      }
    }, delay).unref();
  }

  /**
   * Until the exited program's stdout is closed: what it wrote last may still wait in the pipe,
   * paused by backpressure, and the next program's stdout would take its place. Once the pipe
   * is not paused and still open past the grace, a grandchild holds it: no longer waited for.
   */
  async #lastOutputRead(): Promise<void> {
    const closed = this.#stdoutClosed;
    let waited = 0;
    for (;;) {
      const done = await Promise.race([closed.then(() => true), sleep(100).then(() => false)]);
      if (done || this.#closing) return;
      waited += 100;
      if (this.#stdout?.isPaused() !== true && waited >= (this.#spec.killGraceMs ?? 2000)) {
        // A background process holds it: what it writes from now on is nobody's message.
        this.#stdout?.destroy();
        return;
      }
    }
  }

  /**
   * Queues what one push cut out of `consumed` more bytes of the stream, each with its end
   * offset in the journal (counted back from what the deframer still holds).
   */
  #enqueue(messages: Uint8Array[], consumed: number): void {
    this.#fed += consumed;
    const journal = this.#spec.journal;
    const deframer = this.#deframer;
    let end = this.#fed - deframer.pendingBytes;
    if (messages.length > 0) this.#boundary = end;
    const ends = new Array<number>(messages.length);
    for (let k = messages.length - 1; k >= 0; k--) {
      ends[k] = end;
      end -= framedLength(deframer.framing, messages[k] as Uint8Array);
    }
    for (let k = 0; k < messages.length; k++) {
      const m = messages[k] as Uint8Array;
      const at = journal === undefined ? 0 : (ends[k] as number);
      this.#queue.push({ payload: Uint8Array.prototype.slice.call(m), end: at });
      journal?.note(at);
    }
    this.#sinceRefresh += messages.length;
    if (journal !== undefined && this.#sinceRefresh >= JOURNAL_REFRESH_EVERY) {
      this.#sinceRefresh = 0;
      journal.refresh();
    }
    if (this.#mustPause()) {
      this.#stdout?.pause();
      if (journal?.full === true) this.#waitForMarks(journal);
    }
    if (messages.length > 0) this.#wake();
  }

  /** The queue at its high mark, or the route's journal at its bound: stop reading stdout. */
  #mustPause(): boolean {
    return this.#queue.full || this.#spec.journal?.full === true;
  }

  /** Reads the target's mark until the journal has room again, then reads stdout again. */
  #waitForMarks(journal: RouteJournal): void {
    if (this.#journalTimer !== undefined) return;
    const poll = () => {
      try {
        journal.refresh();
      } catch (error) {
        this.#spec.log?.(
          `${this.#spec.command}: reading the route's delivered mark: ${String(error)}`,
        );
      }
      if (journal.full && !this.#closing) {
        this.#journalTimer = setTimeout(poll, JOURNAL_POLL_MS);
        return;
      }
      this.#journalTimer = undefined;
      this.#maybeResume();
    };
    this.#journalTimer = setTimeout(poll, JOURNAL_POLL_MS);
  }

  /** Below both low marks, and the journal has room: read the pipe again. */
  #maybeResume(): void {
    const stdout = this.#stdout;
    if (stdout?.isPaused() === true && this.#queue.drained && this.#spec.journal?.full !== true)
      stdout.resume();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /**
   * Writes one message to the program's stdin; resolves once the pipe has its bytes. Between a
   * crash and its respawn the message waits for the next program — and so does the link's
   * queue behind it, so the route's QoS acts at the source — rather than being dropped; a
   * write the dying program's pipe refused goes to the next one whole (that pipe, and any part
   * of the message in it, went with the program), once: a message its program dies on must not
   * stall the route through every restart. Refused once no program will run again, and by a
   * program that closed its stdin and runs on.
   */
  async tx(message: Uint8Array): Promise<void> {
    const bytes = encodeMessage(this.#spec.framing, message);
    for (let attempt = 1; ; attempt++) {
      const program = await this.#nextProgram();
      if (program === undefined)
        throw new RttError(
          "RTT_ERR_LANE_PEER_GONE",
          `process ${this.#spec.command} is not running`,
          {
            ...(this.#err === undefined ? {} : { hint: this.#err }),
          },
        );
      const error = await writeWhole(program.stdin, bytes);
      if (error === undefined) return;
      if (attempt > 1 || !(await this.#exitsSoon(program)))
        throw new RttError(
          "RTT_ERR_LANE_PEER_GONE",
          `process ${this.#spec.command}: stdin: ${error.message}`,
          attempt > 1 ? { hint: "the message went to two programs and each died on it" } : {},
        );
    }
  }

  /** The running program (its stdin open), after the respawn when one is due; undefined: none will run. */
  async #nextProgram(): Promise<Program | undefined> {
    for (;;) {
      if (this.#closing) return undefined;
      const program = this.#program;
      if (program !== undefined && !program.stdin.destroyed) return program;
      if (program !== undefined) {
        // Its stdin is gone: a dying program's exit decides whether a respawn is due; one that
        // runs on (it closed its stdin), or one not watched, takes nothing more.
        if (!(await this.#exitsSoon(program)) || this.#program === program) return undefined;
      } else if (this.#respawnDue !== undefined) await this.#respawnDue.promise;
      else return undefined;
    }
  }

  /** Whether `program` exits within the kill grace (its exit seen by the watch when it does). */
  async #exitsSoon(program: Program): Promise<boolean> {
    const grace = sleep(this.#spec.killGraceMs ?? 2000, false, { ref: false });
    return Promise.race([program.exited.then(() => this.#exited.then(() => true)), grace]);
  }

  /** Messages from stdout, across respawns, until the endpoint is closed or the process is gone for good. */
  async *messages(): AsyncGenerator<StdoutMessage> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        this.#maybeResume();
        yield next;
        continue;
      }
      const policy = this.#spec.respawn ?? "never";
      // Not before its stdout has closed: what it wrote before exiting may still be in the pipe
      // (paused by backpressure, or simply not read yet when 'exit' came).
      const gone =
        (this.#program === undefined || this.#closing) &&
        this.#stdout === undefined &&
        (this.#closing ||
          policy === "never" ||
          (policy === "on-failure" && this.#lastExit?.code === 0));
      // Closed (a detached program runs on, unwatched) or exited for good, and its output read.
      if (gone && (this.#lastExit !== undefined || this.#closing)) return;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  health(): ProcessHealth {
    // A program that finished with exit 0 and is not to be respawned (a hook run once) is done,
    // not down: only a missing process that should be running is unhealthy.
    const finished =
      this.#program === undefined &&
      this.#lastExit?.code === 0 &&
      (this.#spec.respawn ?? "never") !== "always";
    return {
      ok: this.#program !== undefined || finished,
      pid: this.#program?.pid,
      restarts: this.#restarts,
      ...(this.#lastExit === undefined ? {} : { lastExit: this.#lastExit }),
      ...(this.#err === undefined ? {} : { err: this.#err }),
    };
  }

  async #stdinDrained(program: Program, graceMs: number): Promise<boolean> {
    for (let waited = 0; program.stdin.writableLength > 0; waited += 10) {
      if (waited >= graceMs || program.stdin.destroyed) return false;
      await sleep(10);
    }
    return true;
  }

  /** The current program's process group, while it is the current program. */
  #group(): ProcessTarget | undefined {
    const program = this.#program;
    if (program?.pid === undefined) return undefined;
    return { pid: program.pid, group: true, isSame: () => this.#program === program };
  }

  #killGroup(signal: NodeJS.Signals): void {
    const group = this.#group();
    if (group !== undefined) signalProcess(group, signal);
  }

  /** TERM to what is left in an exited program's group, KILL after the grace if any is left. */
  #endLeftovers(pid: number | undefined): void {
    if (pid !== undefined)
      void terminate(leftoverGroup(pid), { graceMs: this.#spec.killGraceMs ?? 2000, unref: true });
  }

  /**
   * Ends the process group (TERM, then KILL after the grace) and waits until it is gone — or,
   * with `detach`, leaves a program that runs in the state directory running for the next link
   * of this end (the panel rewires the route because the other end's driver died): recorded as
   * nobody's, adoptable; what was read and not handed on is in the route's journal.
   */
  async close(how: { readonly detach?: boolean } = {}): Promise<void> {
    this.#closing = true;
    this.#respawnDue?.resolve(); // a tx waiting for the next program is refused
    clearTimeout(this.#journalTimer);
    const program = this.#program;
    const inDir = this.#inDir;
    if (how.detach === true && program !== undefined && program === inDir) {
      // Not while a write is part-way into its pipe (a message over PIPE_BUF waits for room):
      // the next link replays that message whole, after the part. Past the grace, it ends.
      const drained = await this.#stdinDrained(program, this.#spec.killGraceMs ?? 2000);
      if (drained) {
        inDir.release();
        this.#spec.log?.(
          `${this.#spec.command}: left running for the next link (pid ${program.pid})`,
        );
        this.#wake();
        return;
      }
      this.#spec.log?.(
        `${this.#spec.command}: a write to it did not finish: ended, not left running`,
      );
    }
    if (program !== undefined) {
      program.stdin.end();
      const group = this.#group();
      const graceMs = this.#spec.killGraceMs ?? 2000;
      if (group !== undefined) await terminate({ ...group, exited: this.#exited }, { graceMs });
      await this.#exited;
    }
    // Closed on purpose: nothing of this end is to be adopted. (A link that found the directory
    // busy ran its program on plain pipes: the directory is the other link's.)
    if (this.#spec.stateDir !== undefined && this.#inDir !== undefined)
      clearDir(this.#spec.stateDir);
    this.#wake();
  }
}

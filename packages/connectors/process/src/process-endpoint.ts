/**
 * A process as an endpoint (docs/design.md §Connectors): `tx` writes framed messages to its
 * stdin, `messages()` yields framed messages from its stdout, `health()` says whether it runs,
 * and a crash is followed by a respawn when the policy says so (capped, jittered exponential
 * backoff). The process runs in its own process group, and `close()` retires it: EOF on its
 * stdin, time to finish (`drainMs`), then the whole group is ended — TERM, then KILL after a
 * grace — and waited for: no zombies, no orphaned grandchildren, no input lost in its buffers.
 *
 * The endpoint coordinates four parts: the program's supervisor (@rtt/connector-sdk
 * supervisor.ts: start, exit, respawn, stop), how it is started or adopted (program.ts), its
 * stdout (stdout-reader.ts, with backpressure and, at a journaled route's source end, the
 * journal cursor) and its stdin (stdin-writer.ts).
 *
 * Surviving the driver (an end of a journaled route, ADR 0016): with a `stateDir` the program's
 * stdio are FIFOs there (program.ts), so it outlives a killed driver, and the successor's
 * endpoint adopts it instead of starting another. With a `journal` (the source end) every byte
 * read from stdout is journaled before it is cut into messages, each message carries its end
 * offset in the journal, the first start replays what the last driver's target never marked,
 * and stdout is also paused while the journal holds `bound` unmarked messages.
 */
import { EventEmitter } from "node:events";
import {
  type CloseReport,
  DEFAULT_DRAIN_MS,
  LineSplitter,
  OutputTail,
  type ProgramHealth,
  type RespawnPolicy,
  type SourceJournal,
  Supervisor,
  type SupervisorEvents,
} from "@rtt/connector-sdk";
import { errorMessage } from "@rtt/core";
import { type DirHolder, holdDir, letGoDir } from "./dir-holders.ts";
import type { Framing } from "./framing.ts";
import {
  clearDir,
  commandLaunchHash,
  type DirProgram,
  endInput,
  inStateDir,
  launch,
  type OnStderr,
  type Program,
} from "./program.ts";
import { awaitStart, type StartCheck } from "./start-check.ts";
import { StdinWriter, stdinDrained } from "./stdin-writer.ts";
import { type StdoutMessage, StdoutReader } from "./stdout-reader.ts";

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
  /**
   * How long `close()` gives the program to exit by itself once its stdin is closed, before
   * SIGTERM (the symbol's `x-drain-ms`; default DEFAULT_DRAIN_MS; ADR 0024).
   */
  readonly drainMs?: number;
  /** Injected for tests; defaults to Math.random (jitter only, never a decision). */
  readonly random?: () => number;
  /** Where the program's FIFOs and record live, so it outlives the driver (see program.ts). */
  readonly stateDir?: string;
  /** The route's journal, at its source end (see @rtt/connector-sdk route-journal.ts). */
  readonly journal?: SourceJournal;
  /** The driver's diagnostics. */
  readonly log?: (line: string) => void;
}

/** `start`, `exit` and `restart`, as the supervisor reports them. */
type ProcessEndpointEvents = Omit<SupervisorEvents, "idle">;

/** Lines of stderr a failed start quotes. */
const STDERR_TAIL = 5;
/** How long a failed start waits for the rest of the program's stderr. */
const STDERR_CLOSE_MS = 500;

export class ProcessEndpoint extends EventEmitter<ProcessEndpointEvents> implements DirHolder {
  readonly #spec: ProcessSpec;
  readonly #supervisor: Supervisor<Program>;
  readonly #stdout: StdoutReader;
  readonly #stdin: StdinWriter;
  /** The program, when it runs in the state directory (not on plain pipes beside it). */
  #inDir: DirProgram | undefined;
  /** Its program went to another link of this driver (`handOver`): it is that link's now. */
  #handedOver = false;
  #handingOver: Promise<boolean> | undefined;
  /** Exits that were failures (see the header), so far. */
  #failedExits = 0;
  /** The last lines of the current program's stderr. */
  readonly #stderrTail = new OutputTail(STDERR_TAIL);
  readonly #stderrLine = new EventEmitter<{ line: [string] }>();
  /** Settles once the current program's stderr closed (all of it read). */
  #stderrClosed: Promise<void> = Promise.resolve();
  /** Messages taken by programs that died unacknowledged (ADR 0024), and the count at the last start. */
  #unaccounted = 0;
  #takenAtStart = 0;

  constructor(spec: ProcessSpec) {
    super();
    this.#spec = spec;
    const supervisor: Supervisor<Program> = new Supervisor<Program>({
      name: spec.command,
      launch: (first) => this.#launch(first),
      started: (program, first) => {
        this.#stdout.attach(program, first);
        program.stdin.on("error", () => {}); // EPIPE when it dies mid-write: tx and exit report it.
      },
      beforeRespawn: () =>
        this.#stdout.lastOutputRead(supervisor.killGraceMs, () => supervisor.stopping),
      respawn: spec.respawn,
      backoff: spec.backoff,
      random: spec.random,
      killGraceMs: spec.killGraceMs,
    });
    supervisor.on("start", (pid) => {
      this.#takenAtStart = this.#stdin.taken;
      this.emit("start", pid);
    });
    supervisor.on("exit", (exit) => {
      if (exit.code !== 0 && !supervisor.stopping) this.#failedExits++;
      // Not while being retired: the close report accounts for that one.
      if (!supervisor.stopping && (exit.code !== 0 || exit.signal !== null))
        this.#unaccounted += this.#stdin.taken - this.#takenAtStart;
      this.emit("exit", exit);
    });
    supervisor.on("restart", (restarts) => this.emit("restart", restarts));
    supervisor.on("idle", () => this.#stdout.wake());
    this.#supervisor = supervisor;
    this.#stdout = new StdoutReader({
      framing: spec.framing,
      journal: spec.journal,
      name: spec.command,
      log: spec.log,
      broken: (error) => {
        supervisor.report(errorMessage(error));
        supervisor.kill();
      },
      truncated: (error) => supervisor.report(errorMessage(error)),
    });
    this.#stdin = new StdinWriter(supervisor, spec.framing, spec.command);
  }

  /** Starts the program (the first start adopts one a dead driver left in the state directory). */
  start(): void {
    this.#supervisor.start();
  }

  #launch(first: boolean): Program {
    const spec = this.#spec;
    const onStdout = this.#stdout.nextStream();
    this.#inDir = undefined;
    const program = launch(
      {
        command: spec.command,
        args: spec.args ?? [],
        ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
        ...(spec.env === undefined ? {} : { env: spec.env }),
      },
      {
        first,
        ...(spec.stateDir === undefined ? {} : { stateDir: spec.stateDir }),
        ...(spec.log === undefined ? {} : { log: spec.log }),
        ...(spec.killGraceMs === undefined ? {} : { killGraceMs: spec.killGraceMs }),
        onStderr: this.#nextStderr(),
      },
      onStdout,
    );
    if (inStateDir(program) && spec.stateDir !== undefined) {
      this.#inDir = program;
      holdDir(spec.stateDir, this);
    }
    return program;
  }

  /** Where the next program's stderr goes: cut into lines, the last ones kept. */
  #nextStderr(): OnStderr {
    const lines = new LineSplitter();
    const closed = Promise.withResolvers<void>();
    this.#stderrClosed = closed.promise;
    this.#stderrTail.clear();
    const keep = (line: string) => {
      if (line.trim() === "") return;
      this.#stderrTail.push(line);
      this.#stderrLine.emit("line", line);
    };
    return {
      data: (chunk) => {
        for (const line of lines.push(chunk)) keep(line);
      },
      end: () => {
        for (const line of lines.end()) keep(line);
        closed.resolve();
      },
    };
  }

  /**
   * Waits until the program `start` started has settled and, where `check` says how, is ready
   * (start-check.ts): undefined then, else why it did not start. An adopted program started
   * under an earlier driver: it is not checked again.
   */
  async started(check: StartCheck): Promise<string | undefined> {
    const supervisor = this.#supervisor;
    if (supervisor.current?.adopted === true) return undefined;
    return awaitStart(check, {
      exit: () => supervisor.lastExit,
      onExit: (listener) => {
        supervisor.on("exit", listener);
        return () => supervisor.off("exit", listener);
      },
      onStderrLine: (listener) => {
        this.#stderrLine.on("line", listener);
        return () => this.#stderrLine.off("line", listener);
      },
    });
  }

  /**
   * The last lines of the program's stderr, once it closed (briefly waited for): what a failed
   * start quotes.
   */
  async stderrTail(): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#stderrClosed,
      new Promise((r) => {
        timer = setTimeout(r, STDERR_CLOSE_MS);
      }),
    ]);
    clearTimeout(timer);
    return this.#stderrTail.lines();
  }

  /** Writes one message to the program's stdin; resolves once the pipe has its bytes (stdin-writer.ts). */
  tx(message: Uint8Array): Promise<void> {
    return this.#stdin.write(message) ?? Promise.resolve();
  }

  /** As `tx`, but undefined when the pipe took the message within the call: nothing to await. */
  txNow(message: Uint8Array): Promise<void> | undefined {
    return this.#stdin.write(message);
  }

  /** Writes several messages, in order, in as few pipe writes as is safe (stdin-writer.ts). */
  txMany(messages: readonly Uint8Array[]): Promise<{ taken: number; error?: unknown }> {
    return this.#stdin.writeMany(messages);
  }

  /** Messages from stdout, across respawns, until the endpoint is closed or the process is gone for good. */
  messages(): AsyncGenerator<StdoutMessage> {
    return this.shaped((payload, end) => ({ payload, end }));
  }

  /**
   * `messages()`, each as `shape` makes it: what a route's rx yields, in one generator rather
   * than one wrapped around another (a promise and a microtask per message per layer).
   */
  shaped<T>(
    shape: (payload: Uint8Array, end: number) => T,
  ): AsyncGenerator<T> & { takeNow(): T | undefined } {
    // What is read already, taken without a promise (RxTakeNow, @rtt/connector-sdk).
    const takeNow = () => this.#stdout.take(shape);
    return Object.assign(this.#shaped(shape), { takeNow });
  }

  async *#shaped<T>(shape: (payload: Uint8Array, end: number) => T): AsyncGenerator<T> {
    for (;;) {
      const next = this.#stdout.take(shape);
      if (next !== undefined) {
        yield next;
        continue;
      }
      // Not before its stdout has closed: what it wrote before exiting may still be in the pipe
      // (paused by backpressure, or simply not read yet when 'exit' came). Closed (a detached
      // program runs on, unwatched) or exited for good, and its output read: the end.
      if (this.#supervisor.done && this.#stdout.closed) return;
      await this.#stdout.changed();
    }
  }

  /** A message rx handed out is seen by nobody any more: its read's memory may be reused. */
  release(payload: Uint8Array): void {
    this.#stdout.release(payload);
  }

  health(): ProgramHealth {
    return this.#supervisor.health();
  }

  /** The route's errors at this end so far: failed exits and refused writes (cumulative). */
  get errors(): number {
    return this.#failedExits + this.#stdin.failedWrites;
  }

  /** Messages taken by programs that died without acknowledging them (non-zero, or a signal). */
  get unaccounted(): number {
    return this.#unaccounted;
  }

  /**
   * Retires the program — closes its stdin, gives it `drainMs` to finish and exit, then ends
   * the process group (TERM, then KILL after the grace) — and waits until it is gone; says how
   * it ended and how many messages it took (ADR 0024). Or,
   * with `detach`, leaves a program that runs in the state directory running for the next link
   * of this end (the panel rewires the route because the other end's driver died): recorded as
   * nobody's, adoptable; what was read and not handed on is in the route's journal.
   */
  async close(how: { readonly detach?: boolean } = {}): Promise<CloseReport | undefined> {
    this.#supervisor.stopRespawning(); // a tx waiting for the next program is refused
    this.#stdout.close();
    if (this.#spec.stateDir !== undefined) letGoDir(this.#spec.stateDir, this);
    if (this.#handedOver) {
      // The program and the directory are the other link's: neither is ended nor cleared.
      this.#stdout.wake();
      return;
    }
    const program = this.#supervisor.current;
    const inDir = this.#inDir;
    if (how.detach === true && program !== undefined && program === inDir)
      if (await this.#leaveRunning(inDir)) return undefined;
    // Retired: EOF, time to finish what it holds, then TERM, then KILL (ADR 0024).
    const drainMs = this.#spec.drainMs ?? DEFAULT_DRAIN_MS;
    const running = this.#supervisor.current !== undefined;
    const ended = await this.#supervisor.drain(drainMs, endInput);
    // Closed on purpose: nothing of this end is to be adopted. (A link that found the directory
    // busy ran its program on plain pipes: the directory is the other link's.)
    if (this.#spec.stateDir !== undefined && this.#inDir !== undefined)
      clearDir(this.#spec.stateDir);
    this.#stdout.wake();
    const last = this.#supervisor.lastExit;
    const acked = ended === "exited" && last?.code === 0;
    // One that died before the close was counted as it exited.
    const lastTook = running && !acked ? this.#stdin.taken - this.#takenAtStart : 0;
    return {
      ended,
      code: last?.code ?? null,
      signal: last?.signal ?? null,
      frames: this.#stdin.taken,
      unaccounted: this.#unaccounted + lastTook,
      drainMs,
    };
  }

  /**
   * Hands the program in the state directory to another link of this driver (dir-holders.ts):
   * once its writes are in the pipe, it stops respawning and reading, lets go of the program's
   * FIFOs and records it as nobody's, so the other link adopts it. False when a write did not
   * finish within the grace, or this link is closing: it keeps the program.
   */
  get launch(): string {
    const { command, args = [], cwd, env } = this.#spec;
    return commandLaunchHash({
      command,
      args,
      ...(cwd === undefined ? {} : { cwd }),
      ...(env === undefined ? {} : { env }),
    });
  }

  handOver(): Promise<boolean> {
    this.#handingOver ??= this.#handOver().finally(() => {
      this.#handingOver = undefined;
    });
    return this.#handingOver;
  }

  async #handOver(): Promise<boolean> {
    if (this.#handedOver) return true;
    const program = this.#inDir;
    if (this.#supervisor.stopping) return false; // closing: its close ends it
    if (program !== undefined && program === this.#supervisor.current) {
      if (!(await stdinDrained(program.stdin, this.#supervisor.killGraceMs))) return false;
      if (this.#supervisor.stopping) return false;
      if (program !== this.#supervisor.current) return this.#handOver();
      this.#stdout.close();
      program.release();
      this.#spec.log?.(`${this.#spec.command}: handed over to another link (pid ${program.pid})`);
    }
    // Else none runs in the directory now (between respawns): the other link starts one there.
    this.#supervisor.stopRespawning();
    this.#handedOver = true;
    if (this.#spec.stateDir !== undefined) letGoDir(this.#spec.stateDir, this);
    this.#stdout.wake();
    return true;
  }

  /**
   * Ends a program that did not start (`started` said why): nothing was handed to it, so nothing
   * is drained — its group gets TERM, then KILL after the grace — and nothing of it is left to
   * adopt.
   */
  async abandon(): Promise<void> {
    this.#supervisor.stopRespawning();
    this.#stdout.close();
    await this.#supervisor.stop();
    if (this.#spec.stateDir !== undefined && this.#inDir !== undefined)
      clearDir(this.#spec.stateDir);
    this.#stdout.wake();
  }

  /** Releases `program` to run on, adoptable; false when it is to be ended instead. */
  async #leaveRunning(program: DirProgram): Promise<boolean> {
    const log = this.#spec.log;
    // Not while a write is part-way into its pipe (a message over PIPE_BUF waits for room):
    // the next link replays that message whole, after the part. Past the grace, it ends.
    if (!(await stdinDrained(program.stdin, this.#supervisor.killGraceMs))) {
      log?.(`${this.#spec.command}: a write to it did not finish: ended, not left running`);
      return false;
    }
    program.release();
    log?.(`${this.#spec.command}: left running for the next link (pid ${program.pid})`);
    this.#stdout.wake();
    return true;
  }
}

/**
 * A program a driver runs and looks after (docs/design.md §Connectors): the process connector's
 * programs and the api programs the http connector starts. The supervisor starts one — or, on
 * its first start, lets the caller adopt one a dead driver left running (program-exit.ts) —
 * watches it exit, starts the next after the shared backoff when the respawn policy says so,
 * and stops it with the shared `terminate`: TERM to its process group, KILL after the grace.
 *
 * What must hold:
 * - Every program leads its own process group (it is spawned `detached`), so ending it ends
 *   what it started; what an exited program left in its group is ended too, as it exits or at
 *   `stop` (`leftovers`).
 * - No signal reaches a program once it is no longer the current one (its pid may be reused).
 * - A respawn is never thrown out of a timer (that would end the driver and every link with
 *   it): a program that cannot start again is an error its health reports.
 * - `health().err` is the latest thing that went wrong, whoever noticed it (`report`).
 */
import { EventEmitter } from "node:events";
import { errorMessage } from "@rtt/core";
import { type Clock, systemClock } from "../clock.ts";
import { RestartPacer } from "../host/restart-pacer.ts";
import { type DrainEnd, drain } from "./drain.ts";
import { describeExit, type ExitStatus, type ProgramExit } from "./program-exit.ts";
import {
  goneWithin,
  leftoverGroup,
  type ProcessTarget,
  signalProcess,
  terminate,
} from "./terminate.ts";

export const RESPAWN_POLICIES = ["never", "on-failure", "always"] as const;
export type RespawnPolicy = (typeof RESPAWN_POLICIES)[number];

/** A program as the supervisor knows it. */
export interface SupervisedProgram {
  /** Undefined when it never started (its `exited` says why). */
  readonly pid: number | undefined;
  readonly exited: Promise<ProgramExit>;
}

export interface ProgramHealth {
  readonly ok: boolean;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** How the last run ended, if it has. */
  readonly lastExit?: ExitStatus;
  readonly err?: string;
}

export interface SupervisorOptions<P extends SupervisedProgram> {
  /** The program's name in errors (its command). */
  readonly name: string;
  /**
   * Starts a program. `first` on the supervisor's first start, when the caller may adopt a
   * program a dead driver left running instead.
   */
  readonly launch: (first: boolean) => P;
  /** A program has started: wire its stdio here. A throw kills it, and `start` throws it on. */
  readonly started?: (program: P, first: boolean) => void;
  /** A respawn waits for this before starting the next program (the last one's output read). */
  readonly beforeRespawn?: () => Promise<void>;
  /** Default never. */
  readonly respawn?: RespawnPolicy | undefined;
  /** Backoff before the n-th respawn: min(maxMs, baseMs · 2^n) · (0.5 … 1). */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number } | undefined;
  /** Injected for tests; defaults to Math.random (jitter only, never a decision). */
  readonly random?: (() => number) | undefined;
  /** The respawn backoff's timers (default systemClock); they never keep the process alive. */
  readonly clock?: Clock | undefined;
  /** How long `stop` waits after SIGTERM before SIGKILL (default 2 s). */
  readonly killGraceMs?: number | undefined;
  /**
   * What an exited program left in its process group: ended as it exits (TERM, KILL after the
   * grace: the default), or killed, with no grace, by `stop` and `killAll`.
   */
  readonly leftovers?: "end-at-exit" | "kill-at-stop";
}

export interface SupervisorEvents {
  /** A program started (or was adopted): its pid. */
  start: [number | undefined];
  exit: [ExitStatus];
  /** The n-th respawn is about to start. */
  restart: [number];
  /** No program runs and none is due: an exit not respawned, a respawn that failed, a stop. */
  idle: [];
}

const DEFAULT_KILL_GRACE_MS = 2000;

export class Supervisor<P extends SupervisedProgram> extends EventEmitter<SupervisorEvents> {
  readonly #options: SupervisorOptions<P>;
  readonly #policy: RespawnPolicy;
  readonly #graceMs: number;
  #program: P | undefined;
  #starts = 0;
  /** Paces the respawns; its count of restarts never starts over (health's `restarts`). */
  readonly #respawns: RestartPacer;
  #stopping = false;
  #lastExit: ProgramExit | undefined;
  #err: string | undefined;
  /** Settles once the current program's exit has been handled. */
  #watched: Promise<void> = Promise.resolve();
  /** Settles once a scheduled respawn started the next program (or could not, or stopping). */
  #respawnDue: PromiseWithResolvers<void> | undefined;
  /** Exited programs whose groups `stop` kills (`kill-at-stop`). */
  readonly #exitedGroups: number[] = [];

  constructor(options: SupervisorOptions<P>) {
    super();
    this.#options = options;
    this.#policy = options.respawn ?? "never";
    this.#graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    // Only the backoff paces a respawn: never given up on, never started over.
    const policy = {
      baseMs: options.backoff?.baseMs ?? 100,
      maxMs: options.backoff?.maxMs ?? 10_000,
      maxRestarts: Number.POSITIVE_INFINITY,
      resetAfterMs: Number.POSITIVE_INFINITY,
    };
    const random = options.random ?? Math.random;
    this.#respawns = new RestartPacer(policy, options.clock ?? systemClock, random);
  }

  /** How long a program has to exit after SIGTERM (or a closed stdin) before SIGKILL. */
  get killGraceMs(): number {
    return this.#graceMs;
  }

  /** The program that runs now (undefined between a crash and its respawn, and once done). */
  get current(): P | undefined {
    return this.#program;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** How the last run ended, why it could not start included; undefined until one has. */
  get lastExit(): ProgramExit | undefined {
    return this.#lastExit;
  }

  /** Settles once the due respawn started (or not, or stopping); undefined when none is due. */
  get respawning(): Promise<void> | undefined {
    return this.#respawnDue?.promise;
  }

  /**
   * Nothing more runs under this supervisor: it is stopping, or the last program exited and the
   * policy starts no other.
   */
  get done(): boolean {
    const policy = this.#policy;
    const noRespawn =
      this.#stopping ||
      policy === "never" ||
      (policy === "on-failure" && this.#lastExit?.code === 0);
    return (
      (this.#program === undefined || this.#stopping) &&
      noRespawn &&
      (this.#lastExit !== undefined || this.#stopping)
    );
  }

  /** Starts a program (see `launch`) and watches it; throws what launching or `started` threw. */
  start(): P {
    const first = this.#starts++ === 0;
    const program = this.#options.launch(first);
    this.#program = program;
    try {
      this.#options.started?.(program, first);
    } catch (error) {
      this.kill();
      // Never watched: no exit of it will clear it, so nothing may take it for running.
      if (this.#program === program) this.#program = undefined;
      throw error;
    }
    this.#watch(program);
    this.emit("start", program.pid);
    return program;
  }

  #watch(program: P): void {
    this.#watched = program.exited.then((exit) => {
      // What it left in its process group goes too: a program whose waiter was killed (the
      // process connector's recorded `sh`) would run on, orphaned, reading a FIFO nobody feeds.
      if (program.pid !== undefined) {
        if (this.#options.leftovers === "kill-at-stop") this.#exitedGroups.push(program.pid);
        else void terminate(leftoverGroup(program.pid), { graceMs: this.#graceMs, unref: true });
      }
      this.#lastExit = exit;
      if (this.#program === program) this.#program = undefined;
      if (exit.startError !== undefined)
        this.#err = `cannot start ${this.#options.name}: ${exit.startError}`;
      else if (exit.code !== 0 && !this.#stopping) this.#err = describeExit(exit);
      this.emit("exit", { code: exit.code, signal: exit.signal });
      if (exit.startError === undefined) this.#maybeRespawn(exit.code);
      else this.emit("idle");
    });
  }

  #maybeRespawn(code: number | null): void {
    const policy = this.#policy;
    if (this.#stopping || policy === "never" || (policy === "on-failure" && code === 0)) {
      this.emit("idle");
      return;
    }
    const planned = this.#respawns.next();
    if (planned === undefined) return; // Never: respawns are not limited.
    const due = Promise.withResolvers<void>();
    this.#respawnDue = due;
    this.#respawns.schedule(planned, () => void this.#respawn(due), { unref: true });
  }

  async #respawn(due: PromiseWithResolvers<void>): Promise<void> {
    try {
      await this.#options.beforeRespawn?.();
      if (this.#stopping) return;
      this.emit("restart", this.#respawns.restarts);
      this.start();
    } catch (error) {
      // Not thrown out of a timer (that would end the driver and every link with it).
      this.#err = `cannot start ${this.#options.name} again: ${errorMessage(error)}`;
      this.#lastExit = { code: null, signal: null };
      this.emit("idle");
    } finally {
      if (this.#respawnDue === due) this.#respawnDue = undefined;
      due.resolve();
    }
  }

  /** Something else went wrong with the program (its output broke its framing): health says so. */
  report(problem: string): void {
    this.#err = problem;
  }

  health(): ProgramHealth {
    // A program that finished with exit 0 and is not to be respawned (a hook run once) is done,
    // not down: only a missing process that should be running is unhealthy.
    const finished =
      this.#program === undefined && this.#lastExit?.code === 0 && this.#policy !== "always";
    const last = this.#lastExit;
    return {
      ok: this.#program !== undefined || finished,
      pid: this.#program?.pid,
      restarts: this.#respawns.restarts,
      ...(last === undefined ? {} : { lastExit: { code: last.code, signal: last.signal } }),
      ...(this.#err === undefined ? {} : { err: this.#err }),
    };
  }

  /** Whether `program` exits within the kill grace (its exit handled here when it does). */
  exitsSoon(program: P): Promise<boolean> {
    const exited = program.exited.then(() => this.#watched);
    return goneWithin({ pid: program.pid ?? 0, exited }, this.#graceMs, { unref: true });
  }

  /**
   * From now on no program starts again: a due respawn is dropped (whoever waits for it hears
   * so), and an exit is no failure.
   */
  stopRespawning(): void {
    this.#stopping = true;
    this.#respawnDue?.resolve();
  }

  /**
   * Stops respawning, ends the current program's process group (TERM, then KILL after the
   * grace) and waits until it is gone. With `kill-at-stop` and no program running, what exited
   * programs left in their groups gets SIGKILL (a leader that is gone may have left children;
   * they get no grace); while one runs, only its group is ended — `killAll` takes the rest.
   */
  async stop(): Promise<void> {
    this.stopRespawning();
    const group = this.#currentGroup();
    if (group !== undefined)
      await terminate({ ...group, exited: this.#watched }, { graceMs: this.#graceMs });
    else this.#killExitedGroups();
    await this.#watched;
  }

  /**
   * Retires the current program (drain.ts): stops respawning, ends its input (`closeInput`),
   * waits up to `drainMs` for it to exit by itself, then TERM, then KILL after the grace; waits
   * until its exit is handled. With no program running: "exited" (how it ended is `lastExit`),
   * and what exited programs left behind goes as at `stop`.
   */
  async drain(drainMs: number, closeInput: (program: P) => void): Promise<DrainEnd> {
    this.stopRespawning();
    const program = this.#program;
    const group = this.#currentGroup();
    if (program === undefined || group === undefined) {
      this.#killExitedGroups();
      await this.#watched;
      return "exited";
    }
    const ended = await drain(
      { ...group, exited: this.#watched },
      { closeInput: () => closeInput(program), drainMs, graceMs: this.#graceMs },
    );
    await this.#watched;
    return ended;
  }

  /** SIGKILL to the current program's process group, now (nothing when none runs). */
  kill(): void {
    const group = this.#currentGroup();
    if (group !== undefined) signalProcess(group, "SIGKILL");
  }

  /** SIGKILL to every group this supervisor answers for, synchronously: at this process's exit. */
  killAll(): void {
    this.kill();
    this.#killExitedGroups();
  }

  /** The current program's process group, while it is the current program. */
  #currentGroup(): ProcessTarget | undefined {
    const program = this.#program;
    if (program?.pid === undefined) return undefined;
    return { pid: program.pid, group: true, isSame: () => this.#program === program };
  }

  #killExitedGroups(): void {
    for (const pid of this.#exitedGroups) signalProcess(leftoverGroup(pid), "SIGKILL");
  }
}

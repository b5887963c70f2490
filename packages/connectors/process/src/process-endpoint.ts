/**
 * A process as an endpoint (spec §8 connector-process): `tx` writes framed messages to its
 * stdin, `messages()` yields framed messages from its stdout, `health()` says whether it runs,
 * and a crash is followed by a respawn when the policy says so (capped, jittered exponential
 * backoff). The process runs in its own process group, and `close()` ends the whole group —
 * TERM, then KILL after a grace — and waits for it: no zombies, no orphaned grandchildren.
 *
 * Backpressure: messages read from stdout wait in a bounded queue. At its high-water mark the
 * stdout pipe is paused, so a program writing faster than its route carries blocks in its
 * write; the pipe is resumed once `messages()` has drained the queue below the low-water mark.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { RttError } from "@rtt/core";
import { Deframer, encodeMessage, type Framing } from "./framing.ts";

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
}

export interface ProcessHealth {
  readonly ok: boolean;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** How the last run ended, if it has. */
  readonly lastExit?: { readonly code: number | null; readonly signal: string | null };
  readonly err?: string;
}

type Child = ChildProcessByStdio<Writable, Readable, null>;

/**
 * Queued stdout messages (or bytes) at which the pipe is paused, and below which it is resumed.
 * The queue can pass the high mark by one read's messages (a pipe read is at most 64 KiB).
 */
const STDOUT_HIGH_WATER_MESSAGES = 1024;
const STDOUT_LOW_WATER_MESSAGES = 256;
const STDOUT_HIGH_WATER_BYTES = 8 * 1024 * 1024;
const STDOUT_LOW_WATER_BYTES = 2 * 1024 * 1024;

export class ProcessEndpoint extends EventEmitter {
  readonly #spec: ProcessSpec;
  #child: Child | undefined;
  #restarts = 0;
  #closing = false;
  #lastExit: ProcessHealth["lastExit"];
  #err: string | undefined;
  readonly #queue: Uint8Array[] = [];
  #queueBytes = 0;
  /** The current child's stdout, while it is open: what backpressure pauses. */
  #stdout: Readable | undefined;
  #waiter: (() => void) | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(spec: ProcessSpec) {
    super();
    this.#spec = spec;
  }

  start(): void {
    const spec = this.#spec;
    const child = spawn(spec.command, [...(spec.args ?? [])], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["pipe", "pipe", "inherit"],
      // Its own process group, so close() can end everything it started.
      detached: true,
    }) as Child;
    this.#child = child;
    this.#stdout = child.stdout;
    if (this.#queueFull()) child.stdout.pause();
    child.stdout.once("close", () => {
      if (this.#stdout === child.stdout) this.#stdout = undefined;
      this.#wake();
    });
    const deframer = new Deframer(spec.framing);
    child.stdout.on("data", (chunk: Buffer) => {
      try {
        this.#enqueue(deframer.push(chunk));
      } catch (error) {
        this.#err = error instanceof Error ? error.message : String(error);
        this.#killGroup("SIGKILL");
      }
    });
    child.stdout.on("end", () => {
      try {
        this.#enqueue(deframer.end());
      } catch (error) {
        this.#err = error instanceof Error ? error.message : String(error);
      }
    });
    child.stdin.on("error", () => {}); // EPIPE when it dies mid-write: the exit handler reports it.
    this.#exited = new Promise((resolve) => {
      child.once("error", (error) => {
        this.#err = `cannot start ${spec.command}: ${error.message}`;
        this.#lastExit = { code: null, signal: null };
        this.#child = undefined;
        this.emit("exit", this.#lastExit);
        resolve();
      });
      child.once("exit", (code, signal) => {
        this.#lastExit = { code, signal };
        this.#child = undefined;
        if (code !== 0 && !this.#closing)
          this.#err = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        this.emit("exit", this.#lastExit);
        resolve();
        this.#maybeRespawn(code);
      });
    });
    this.emit("start", child.pid);
  }

  #maybeRespawn(code: number | null): void {
    const policy = this.#spec.respawn ?? "never";
    if (this.#closing || policy === "never" || (policy === "on-failure" && code === 0)) {
      this.#wake();
      return;
    }
    const base = this.#spec.backoff?.baseMs ?? 100;
    const max = this.#spec.backoff?.maxMs ?? 10_000;
    const random = this.#spec.random ?? Math.random;
    const delay = Math.min(max, base * 2 ** this.#restarts) * (0.5 + random() / 2);
    this.#restarts++;
    setTimeout(() => {
      if (this.#closing) return;
      this.emit("restart", this.#restarts);
      this.start();
    }, delay).unref();
  }

  #enqueue(messages: Uint8Array[]): void {
    for (const m of messages) {
      this.#queue.push(Uint8Array.prototype.slice.call(m));
      this.#queueBytes += m.length;
    }
    if (this.#queueFull()) this.#stdout?.pause();
    if (messages.length > 0) this.#wake();
  }

  #queueFull(): boolean {
    return (
      this.#queue.length >= STDOUT_HIGH_WATER_MESSAGES ||
      this.#queueBytes >= STDOUT_HIGH_WATER_BYTES
    );
  }

  /** Called as `messages()` takes one: below both low marks, read the pipe again. */
  #dequeued(message: Uint8Array): void {
    this.#queueBytes -= message.length;
    const stdout = this.#stdout;
    if (
      stdout?.isPaused() === true &&
      this.#queue.length <= STDOUT_LOW_WATER_MESSAGES &&
      this.#queueBytes <= STDOUT_LOW_WATER_BYTES
    )
      stdout.resume();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /** Writes one message to the process's stdin; resolves once the pipe took it. */
  async tx(message: Uint8Array): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.stdin.destroyed) {
      throw new RttError("RTT_ERR_LANE_PEER_GONE", `process ${this.#spec.command} is not running`, {
        ...(this.#err === undefined ? {} : { hint: this.#err }),
      });
    }
    if (!child.stdin.write(encodeMessage(this.#spec.framing, message))) {
      await new Promise<void>((resolve) => {
        child.stdin.once("drain", resolve);
        child.once("exit", () => resolve());
      });
    }
  }

  /** Messages from stdout, across respawns, until the endpoint is closed or the process is gone for good. */
  async *messages(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        this.#dequeued(next);
        yield next;
        continue;
      }
      const policy = this.#spec.respawn ?? "never";
      // Not before its stdout has closed: what it wrote before exiting may still be in the pipe
      // (paused by backpressure, or simply not read yet when 'exit' came).
      const gone =
        this.#child === undefined &&
        this.#stdout === undefined &&
        (this.#closing ||
          policy === "never" ||
          (policy === "on-failure" && this.#lastExit?.code === 0));
      if (gone && this.#lastExit !== undefined) return;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
  }

  health(): ProcessHealth {
    // A program that finished with exit 0 and is not to be respawned (a hook run once) is done,
    // not down: only a missing process that should be running is unhealthy.
    const finished =
      this.#child === undefined &&
      this.#lastExit?.code === 0 &&
      (this.#spec.respawn ?? "never") !== "always";
    return {
      ok: this.#child !== undefined || finished,
      pid: this.#child?.pid,
      restarts: this.#restarts,
      ...(this.#lastExit === undefined ? {} : { lastExit: this.#lastExit }),
      ...(this.#err === undefined ? {} : { err: this.#err }),
    };
  }

  #killGroup(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Ends the process group (TERM, then KILL after the grace) and waits until it is reaped. */
  async close(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    if (child !== undefined) {
      child.stdin.end();
      this.#killGroup("SIGTERM");
      const timer = setTimeout(() => this.#killGroup("SIGKILL"), this.#spec.killGraceMs ?? 2000);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#wake();
  }
}

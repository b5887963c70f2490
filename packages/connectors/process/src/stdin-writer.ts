/**
 * Messages into a supervised program's stdin (docs/design.md §Connectors), across its respawns.
 *
 * Between a crash and its respawn a message waits for the next program — and so does the
 * link's queue behind it, so the route's QoS acts at the source — rather than being dropped. A
 * write the dying program's pipe refused goes to the next one whole (that pipe, and any part of
 * the message in it, went with the program), once: a message its program dies on must not
 * stall the route through every restart. A message is refused once no program will run again,
 * and by a program that closed its stdin and runs on. Each write a pipe refused (EPIPE from a
 * program that died or closed its stdin) counts in `failedWrites`: a route error.
 */
import { writeSync } from "node:fs";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Supervisor } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import {
  encodeMessageInto,
  encodeMessages,
  type Framing,
  framedLength,
  framedParts,
} from "./framing.ts";
import type { Program } from "./program.ts";

/** How often `stdinDrained` looks at what is still buffered. */
const DRAIN_POLL_MS = 10;
/**
 * POSIX's PIPE_BUF on Linux: a pipe takes a write(2) of at most this many bytes whole or not at
 * all, so several messages in one such write still leave whole messages in the pipe.
 */
const PIPE_BUF = 4096;

/**
 * One write(2) into a program's stdin, awaited: whole messages, several only when they fit in
 * PIPE_BUF bytes (a write that size is atomic), so a driver killed between two writes leaves
 * whole messages in the pipe; one write at a time, so the stream never merges two into a
 * writev past PIPE_BUF; and "written" means the kernel has it — what a journaled route's mark
 * records. Resolves to the write's error, if any.
 */
function writeWhole(stdin: Writable, parts: readonly Uint8Array[]): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const last = parts.length - 1;
    // Corked, the parts go down in one writev(2); the last one's callback comes after it.
    if (last > 0) stdin.cork();
    for (let k = 0; k < last; k++) stdin.write(parts[k]);
    stdin.write(parts[last], (error) => resolve(error ?? undefined));
    if (last > 0) stdin.uncork();
  });
}

/**
 * The descriptor of `stdin`'s pipe while its stream owns one (undefined once it is closed, so a
 * number the kernel gave to another file is never written to). Both kinds of stdin are
 * non-blocking (a child's pipe as libuv opens it; a FIFO opened O_NONBLOCK): a write(2) on it
 * never waits.
 */
function pipeFd(stdin: Writable): number | undefined {
  const fd = (stdin as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/**
 * One write(2) of `bytes` straight to the pipe, without the stream's request, callback tick and
 * promise: how many bytes the pipe took (0 when full, or on an error the stream's own write then
 * reports). At most PIPE_BUF bytes on a pipe are all or nothing; a socket pair may take a part.
 */
function writeNow(fd: number, bytes: Uint8Array): number {
  try {
    return writeSync(fd, bytes);
  } catch {
    return 0;
  }
}

/** Whether all that was written to `stdin` reaches its pipe within `graceMs`. */
export async function stdinDrained(stdin: Writable, graceMs: number): Promise<boolean> {
  for (let waited = 0; stdin.writableLength > 0; waited += DRAIN_POLL_MS) {
    if (waited >= graceMs || stdin.destroyed) return false;
    await sleep(DRAIN_POLL_MS);
  }
  return true;
}

/**
 * Messages `from`..`to` framed, as the parts of one write: copied together into one buffer, but
 * a message longer than PIPE_BUF (alone) is written as it is, its delimiter or prefix beside it.
 */
function framed(
  framing: Framing,
  messages: readonly Uint8Array[],
  from: number,
  to: number,
  length = framedLength(framing, messages[from] as Uint8Array),
): Uint8Array[] {
  if (length > PIPE_BUF) return framedParts(framing, messages[from] as Uint8Array);
  return [encodeMessages(framing, messages, from, to, length)];
}

export class StdinWriter {
  readonly #supervisor: Supervisor<Program>;
  readonly #framing: Framing;
  /** The program's name in errors. */
  readonly #name: string;
  #failedWrites = 0;
  /** Where a message of at most PIPE_BUF bytes is framed for its direct write (see write). */
  readonly #scratch = new Uint8Array(PIPE_BUF);
  /** Messages a pipe took, over every program: what a drain reports as taken (ADR 0024). */
  #taken = 0;

  constructor(supervisor: Supervisor<Program>, framing: Framing, name: string) {
    this.#supervisor = supervisor;
    this.#framing = framing;
    this.#name = name;
  }

  /** Writes its pipe refused so far (cumulative). */
  get failedWrites(): number {
    return this.#failedWrites;
  }

  /** How many messages the programs' pipes have taken. */
  get taken(): number {
    return this.#taken;
  }

  /**
   * Writes one message to the program's stdin; resolves once the pipe has its bytes — or is
   * done at return (undefined) when the pipe took them in the write itself, as it does while
   * the program keeps up: no promise and no wait for a callback per message.
   */
  write(message: Uint8Array): Promise<void> | undefined {
    const program = this.#supervisor.stopping ? undefined : this.#supervisor.current;
    const stdin = program?.stdin;
    // Only onto an idle stdin: one write at a time still, never merged with another.
    if (program === undefined || stdin === undefined || stdin.destroyed || stdin.writableLength > 0)
      return this.#writeParts(framed(this.#framing, [message], 0, 1), 1);
    // Not past its end(): a write then is the stream's error to report, not a message taken.
    const length = framedLength(this.#framing, message);
    const fd = length <= PIPE_BUF && stdin.writable ? pipeFd(stdin) : undefined;
    if (fd !== undefined) {
      // One message in one buffer, framed into the scratch: written here when the pipe has
      // room — the kernel has it at return, and the scratch is free again — else it goes
      // through the stream, which waits, in a copy of its own.
      const bytes = this.#scratch.subarray(0, length);
      encodeMessageInto(this.#framing, message, bytes);
      const n = writeNow(fd, bytes);
      if (n === length) {
        this.#taken++;
        return undefined;
      }
      // The rest, of a copy (the scratch is used again): none on a full pipe, what a socket
      // pair did not take.
      const whole = bytes.slice();
      const written = writeWhole(stdin, [n === 0 ? whole : whole.subarray(n)]);
      return this.#writeParts([whole], 1, { program, written });
    }
    const parts = framed(this.#framing, [message], 0, 1);
    const written = writeWhole(stdin, parts);
    // The write(2) completed within the call (Node settles it at once): the kernel has it.
    if (stdin.writableLength === 0 && stdin.errored === null && !stdin.destroyed) {
      this.#taken++;
      return undefined;
    }
    return this.#writeParts(parts, 1, { program, written });
  }

  /**
   * Writes `messages` in order, as few write(2)s as PIPE_BUF allows (a message longer than that
   * alone); resolves with how many the pipes took, and the error of the write that failed, if
   * one did (its messages not taken).
   */
  async writeMany(messages: readonly Uint8Array[]): Promise<{ taken: number; error?: unknown }> {
    const framing = this.#framing;
    let at = 0;
    while (at < messages.length) {
      let to = at + 1;
      let length = framedLength(framing, messages[at] as Uint8Array);
      for (; to < messages.length; to++) {
        const next = framedLength(framing, messages[to] as Uint8Array);
        if (length + next > PIPE_BUF) break;
        length += next;
      }
      try {
        await this.#writeParts(framed(framing, messages, at, to, length), to - at);
      } catch (error) {
        return { taken: at, error };
      }
      at = to;
    }
    return { taken: at };
  }

  /**
   * One write of `count` whole messages, to the next program when this one died on it; `started`:
   * the first attempt, already made.
   */
  async #writeParts(
    parts: readonly Uint8Array[],
    count: number,
    started?: { readonly program: Program; readonly written: Promise<Error | undefined> },
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const program =
        attempt === 1 && started !== undefined ? started.program : await this.#nextProgram();
      if (program === undefined) {
        const err = this.#supervisor.health().err;
        throw new RttError("RTT_ERR_LANE_PEER_GONE", `process ${this.#name} is not running`, {
          ...(err === undefined ? {} : { hint: err }),
        });
      }
      const error = await (attempt === 1 && started !== undefined
        ? started.written
        : writeWhole(program.stdin, parts));
      if (error === undefined) {
        this.#taken += count;
        return;
      }
      this.#failedWrites++;
      if (attempt > 1 || !(await this.#supervisor.exitsSoon(program)))
        throw new RttError(
          "RTT_ERR_LANE_PEER_GONE",
          `process ${this.#name}: stdin: ${error.message}`,
          attempt > 1 ? { hint: "the message went to two programs and each died on it" } : {},
        );
    }
  }

  /** The running program (its stdin open), after the respawn when one is due; undefined: none will run. */
  async #nextProgram(): Promise<Program | undefined> {
    const supervisor = this.#supervisor;
    for (;;) {
      if (supervisor.stopping) return undefined;
      const program = supervisor.current;
      if (program !== undefined && !program.stdin.destroyed) return program;
      const respawning = supervisor.respawning;
      if (program !== undefined) {
        // Its stdin is gone: a dying program's exit decides whether a respawn is due; one that
        // runs on (it closed its stdin), or one not watched, takes nothing more.
        if (!(await supervisor.exitsSoon(program)) || supervisor.current === program)
          return undefined;
      } else if (respawning !== undefined) await respawning;
      else return undefined;
    }
  }
}

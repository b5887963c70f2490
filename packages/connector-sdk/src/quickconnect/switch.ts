/**
 * Hot swap (docs/design.md §The life of a route: hot swap; `rtt qc A -> B`): a source writing to
 * target A moves to target B at a frame boundary, without losing or repeating a frame.
 *
 *   1. B is prepared beforehand — a warm spare: handshake done, lanes bound (`addSpare`) —
 *      or, failing that, on demand by the `prepare` option.
 *   2. `switchTo("B")` proves B is alive right now (its `probe`: a ping on its control link);
 *      frames keep flowing to A meanwhile.
 *   3. The flip: one synchronous step, so it falls between two writes — a frame boundary. The
 *      next write goes to B; A's lane gets EOS behind everything already written to it.
 *   4. A's reader drains to EOS and closes. Requests sent to A before the flip are still
 *      answered by A, on A's response lane; A ends that lane once it has answered them all,
 *      and only then is A retired (`retired` resolves; A's control link is released).
 *
 * Every frame goes to exactly one lane — the current one when it is written — and each lane
 * delivers everything written before its EOS, so every frame reaches exactly one target.
 * Idempotent: a second `switchTo("B")` while the first runs returns the same promise; once B
 * is current it changes nothing. A switch to a target that is gone fails with
 * RTT_ERR_QC_SWITCH and leaves the source where it was.
 */
import { EventEmitter } from "node:events";
import { RttError } from "@rtt/core";
import type { Frame, LaneReader, LaneWriter, WriteOptions } from "@rtt/fabric";
import { type Cancel, type Clock, systemClock } from "../clock.ts";

/** One place a source can write to. */
export interface SwitchTarget {
  readonly id: string;
  /** Frames to the target. */
  readonly writer: LaneWriter;
  /** The target's answers, matched to requests by correlation id. */
  readonly responses?: LaneReader;
  /** Proves the target is alive now (e.g. a ping on its control link); rejects if it is not. */
  readonly probe?: (timeoutMs: number) => Promise<unknown>;
  /** Lets go of the rest of the target (its control link) once it has retired. */
  readonly release?: () => void;
}

export interface Response {
  /** The target whose response lane it came on. */
  readonly target: string;
  readonly correlation: number;
  readonly payload: Uint8Array;
}

export interface Retired {
  readonly id: string;
  /** Requests to this target that never got an answer (failed with RTT_ERR_QC_SWITCH). */
  readonly unanswered: number;
  /** Why it did not drain cleanly, if it did not. */
  readonly error?: Error;
}

export type SwitchResult =
  | { readonly switched: false; readonly current: string }
  | {
      readonly switched: true;
      readonly from: string;
      readonly to: string;
      /** Messages written before the flip: all to `from`; every later one goes to `to`. */
      readonly atMessage: number;
      /** Resolves once `from` has drained to EOS and answered its in-flight requests. */
      readonly retired: Promise<Retired>;
    };

export interface SwitchingSourceOptions {
  readonly clock?: Clock;
  /** How long a switch waits for the new target's probe (default 1000 ms). */
  readonly probeTimeoutMs?: number;
  /** How long a retiring target may take to drain and answer (default 10 s). */
  readonly drainTimeoutMs?: number;
  /**
   * Prepares a target that is not a warm spare when a switch asks for it (handshake, lanes).
   * Without it, only spares added with `addSpare` can be switched to.
   */
  readonly prepare?: (id: string) => Promise<SwitchTarget>;
}

type SlotState = "spare" | "current" | "retiring" | "retired";

interface Slot {
  readonly target: SwitchTarget;
  state: SlotState;
  dead: Error | undefined;
  responsesEnded: boolean;
  inflight: number;
  /** Called when something a retirement waits for happens. */
  onChange: (() => void) | undefined;
}

interface Pending {
  readonly slot: Slot;
  readonly resolve: (response: Response) => void;
  readonly reject: (error: Error) => void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A source's outlet that can move between targets. Write to it like a lane writer: `write`
 * returns false when the current lane is full; wait for `drain`.
 *
 * Events: `drain`; `switch` {from, to, atMessage}; `retired` (Retired); `lost` {id, error}
 * when the current target dies; `stray` {target, correlation} for a response that answers no
 * request sent to that target.
 */
export class SwitchingSource extends EventEmitter {
  readonly #clock: Clock;
  readonly #probeTimeoutMs: number;
  readonly #drainTimeoutMs: number;
  readonly #prepare: ((id: string) => Promise<SwitchTarget>) | undefined;
  #current: Slot;
  readonly #spares = new Map<string, Slot>();
  readonly #pending = new Map<number, Pending>();
  readonly #retiring = new Set<Promise<Retired>>();
  #written = 0;
  #nextCorrelation = 1;
  #switching: { readonly to: string; readonly promise: Promise<SwitchResult> } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #wantDrain = false;
  #ended: Promise<Retired[]> | undefined;

  constructor(initial: SwitchTarget, options: SwitchingSourceOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.#prepare = options.prepare;
    this.#current = this.#slot(initial, "current");
  }

  /** The id of the target written to now. */
  get current(): string {
    return this.#current.target.id;
  }

  /** Messages written so far, to whichever target. */
  get written(): number {
    return this.#written;
  }

  /** Requests sent and not yet answered, per target id. */
  get inflight(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const p of this.#pending.values()) {
      out.set(p.slot.target.id, (out.get(p.slot.target.id) ?? 0) + 1);
    }
    return out;
  }

  /** Ids of the warm spares ready to switch to. */
  get spares(): string[] {
    return [...this.#spares.keys()];
  }

  /** Adds a warm spare: a target whose lanes are bound and ready, to switch to later. */
  addSpare(target: SwitchTarget): void {
    if (target.id === this.current || this.#spares.has(target.id)) {
      throw new RttError("RTT_ERR_QC_SWITCH", `a target "${target.id}" is already attached`);
    }
    this.#spares.set(target.id, this.#slot(target, "spare"));
  }

  #slot(target: SwitchTarget, state: SlotState): Slot {
    const slot: Slot = {
      target,
      state,
      dead: undefined,
      responsesEnded: false,
      inflight: 0,
      onChange: undefined,
    };
    const { writer, responses } = target;
    writer.on("drain", () => {
      if (slot !== this.#current || !this.#wantDrain) return;
      this.#wantDrain = false;
      this.emit("drain");
    });
    writer.on("error", (error: Error) => this.#lost(slot, error));
    writer.on("close", () => {
      if (slot.state === "retiring" || slot.state === "retired") return;
      this.#lost(
        slot,
        new RttError("RTT_ERR_LANE_PEER_GONE", `target "${target.id}": its lane closed`),
      );
    });
    if (responses !== undefined) {
      responses.on("frame", (frame: Frame) => this.#onResponse(slot, frame));
      responses.on("end", () => this.#responsesEnded(slot));
      responses.on("close", () => this.#responsesEnded(slot));
      responses.on("error", (error: Error) => this.#lost(slot, error));
    }
    return slot;
  }

  #lost(slot: Slot, error: Error): void {
    if (slot.dead !== undefined || slot.state === "retired") return;
    slot.dead = error;
    this.#failUnanswered(slot, `target "${slot.target.id}" went away: ${error.message}`);
    if (slot.state === "current") this.emit("lost", { id: slot.target.id, error });
    slot.onChange?.();
  }

  #responsesEnded(slot: Slot): void {
    if (slot.responsesEnded) return;
    slot.responsesEnded = true;
    slot.onChange?.();
  }

  #onResponse(slot: Slot, frame: Frame): void {
    const pending = this.#pending.get(frame.correlation);
    if (pending === undefined || pending.slot !== slot) {
      this.emit("stray", { target: slot.target.id, correlation: frame.correlation });
      return;
    }
    this.#pending.delete(frame.correlation);
    slot.inflight--;
    pending.resolve({
      target: slot.target.id,
      correlation: frame.correlation,
      payload: frame.payload.slice(),
    });
    slot.onChange?.();
  }

  /** Fails the requests still waiting on `slot`; returns how many there were. */
  #failUnanswered(slot: Slot, why: string): number {
    let count = 0;
    for (const [correlation, p] of this.#pending) {
      if (p.slot !== slot) continue;
      this.#pending.delete(correlation);
      count++;
      p.reject(
        new RttError("RTT_ERR_QC_SWITCH", `request ${correlation} was not answered: ${why}`),
      );
    }
    slot.inflight -= count;
    return count;
  }

  /** Writes one frame to the current target. False: the lane is full, wait for `drain`. */
  write(payload: Uint8Array, options: WriteOptions = {}): boolean {
    if (this.#ended !== undefined) {
      throw new RttError("RTT_ERR_LANE_CLOSED", "switching source: write after end");
    }
    const ok = this.#current.target.writer.write(payload, options);
    this.#written++;
    if (!ok) this.#wantDrain = true;
    return ok;
  }

  /**
   * Writes a request: a frame with a correlation id (given, or the next free one) whose answer
   * must come back on the response lane of the target it was written to.
   */
  request(
    payload: Uint8Array,
    options: WriteOptions = {},
  ): { correlation: number; written: boolean; response: Promise<Response> } {
    const correlation = options.correlation ?? this.#nextCorrelation++;
    if (correlation <= 0 || this.#pending.has(correlation)) {
      throw new RangeError(`correlation id ${correlation} is 0 or already awaiting an answer`);
    }
    const slot = this.#current;
    const { promise: response, resolve, reject } = Promise.withResolvers<Response>();
    this.#pending.set(correlation, { slot, resolve, reject });
    slot.inflight++;
    try {
      const written = this.write(payload, { ...options, correlation });
      return { correlation, written, response };
    } catch (error) {
      this.#pending.delete(correlation);
      slot.inflight--;
      throw error;
    }
  }

  /**
   * Moves to the target `id` (a spare) at the next frame boundary. Idempotent: while a switch
   * to `id` runs, asking again returns the same promise; once `id` is current, it resolves
   * `{switched: false}`. Rejects with RTT_ERR_QC_SWITCH — the source still on its old target —
   * when `id` is not prepared, is dead, or does not answer its probe.
   */
  switchTo(id: string): Promise<SwitchResult> {
    const running = this.#switching;
    if (running !== undefined && running.to === id) return running.promise;
    const promise = this.#queue.then(() => this.#switch(id));
    const entry = { to: id, promise };
    this.#switching = entry;
    this.#queue = promise.catch(() => {});
    promise
      .finally(() => {
        if (this.#switching === entry) this.#switching = undefined;
      })
      .catch(() => {});
    return promise;
  }

  #refuse(id: string, why: string, cause?: unknown): RttError {
    return new RttError(
      "RTT_ERR_QC_SWITCH",
      `cannot switch to "${id}": ${why}; the source stays on "${this.current}"`,
      {
        hint: "prepare the target again (handshake to READY), then retry the switch",
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }

  async #switch(id: string): Promise<SwitchResult> {
    if (this.current === id) return { switched: false, current: id };
    if (this.#ended !== undefined) throw this.#refuse(id, "the source has ended");
    const slot = this.#spares.get(id) ?? (await this.#prepared(id));
    try {
      if (slot.dead !== undefined) throw slot.dead;
      const probe = slot.target.probe;
      if (probe !== undefined) await this.#within(probe(this.#probeTimeoutMs), id);
      if (slot.dead !== undefined) throw slot.dead;
    } catch (error) {
      this.#spares.delete(id);
      this.#discard(slot);
      throw this.#refuse(id, `it is not there (${message(error)})`, error);
    }
    if (this.#ended !== undefined) throw this.#refuse(id, "the source has ended");
    // The flip. Synchronous from here to the return: no write can come in between, so the
    // last frame to `from` and the first frame to `id` are neighbours — a frame boundary.
    const from = this.#current;
    const atMessage = this.#written;
    this.#spares.delete(id);
    slot.state = "current";
    this.#current = slot;
    const retired = this.#retire(from);
    if (this.#wantDrain) {
      // The app is waiting for room; the new lane has it.
      this.#wantDrain = false;
      queueMicrotask(() => this.emit("drain"));
    }
    this.emit("switch", { from: from.target.id, to: id, atMessage });
    return { switched: true, from: from.target.id, to: id, atMessage, retired };
  }

  /** A spare made on demand by the `prepare` option, or the refusal to switch. */
  async #prepared(id: string): Promise<Slot> {
    if (this.#prepare === undefined) {
      const spares = this.spares.join(", ") || "none";
      throw this.#refuse(id, `it is not a prepared spare (spares: ${spares})`);
    }
    let target: SwitchTarget;
    try {
      target = await this.#prepare(id);
    } catch (error) {
      throw this.#refuse(id, `it could not be prepared (${message(error)})`, error);
    }
    if (target.id !== id) {
      this.#discard(this.#slot(target, "spare"));
      throw this.#refuse(id, `preparing it made "${target.id}" instead`);
    }
    const slot = this.#slot(target, "spare");
    this.#spares.set(id, slot);
    return slot;
  }

  #within<T>(promise: Promise<T>, id: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.#clock.schedule(this.#probeTimeoutMs, () =>
        reject(new Error(`no answer to its probe within ${this.#probeTimeoutMs} ms (${id})`)),
      );
      promise.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }

  /** Drops a spare that cannot be used. */
  #discard(slot: Slot): void {
    slot.state = "retired";
    slot.target.writer.destroy();
    slot.target.responses?.close();
    slot.target.release?.();
  }

  /**
   * EOS to `slot`, then wait until it has drained (its reader consumed EOS) and answered (its
   * response lane ended), or died, or the drain timeout passed.
   */
  #retire(slot: Slot): Promise<Retired> {
    slot.state = "retiring";
    const id = slot.target.id;
    const done = new Promise<Retired>((resolve) => {
      let eosDelivered = false;
      let finished = false;
      let cancel: Cancel = () => {};
      const finish = (error: Error | undefined) => {
        if (finished) return;
        finished = true;
        cancel();
        slot.onChange = undefined;
        if (!slot.responsesEnded) slot.target.responses?.close();
        const unanswered = this.#failUnanswered(
          slot,
          error === undefined
            ? `target "${id}" ended its response lane without answering`
            : `target "${id}" did not drain: ${error.message}`,
        );
        slot.state = "retired";
        slot.target.release?.();
        const result: Retired =
          error === undefined ? { id, unanswered } : { id, unanswered, error };
        this.emit("retired", result);
        resolve(result);
      };
      const check = () => {
        if (slot.dead !== undefined) finish(slot.dead);
        else if (eosDelivered && (slot.target.responses === undefined || slot.responsesEnded)) {
          finish(undefined);
        }
      };
      slot.onChange = check;
      cancel = this.#clock.schedule(this.#drainTimeoutMs, () =>
        finish(
          new RttError(
            "RTT_ERR_QC_TIMEOUT",
            `target "${id}" did not drain and answer within ${this.#drainTimeoutMs} ms`,
          ),
        ),
      );
      slot.target.writer.end().then(
        () => {
          eosDelivered = true;
          check();
        },
        (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.#retiring.add(done);
    done.then(() => this.#retiring.delete(done));
    return done;
  }

  /**
   * Ends the source: EOS to the current target and every spare; resolves when all of them,
   * and any target still retiring from an earlier switch, have drained.
   */
  end(): Promise<Retired[]> {
    if (this.#ended !== undefined) return this.#ended;
    const earlier = [...this.#retiring];
    const run = async (): Promise<Retired[]> => {
      // A switch already past its probe flips before this runs; one not yet there is refused.
      await this.#queue;
      const slots = [this.#current, ...this.#spares.values()];
      this.#spares.clear();
      const now = slots.map((slot) => this.#retire(slot));
      return Promise.all([...earlier, ...now]);
    };
    this.#ended = run();
    return this.#ended;
  }
}

/** What `serveTarget` saw by the time its source's lane closed. */
export interface Drained {
  /** DATA frames read before EOS. */
  readonly frames: number;
  /** Responses written. */
  readonly answered: number;
}

export interface ServeTargetOptions {
  readonly forward: LaneReader;
  readonly responses?: LaneWriter;
  /**
   * Handles one frame. For a frame with a correlation id, a payload returned (or resolved) is
   * written back on the response lane with that id. The frame's payload is valid only during
   * the call: copy what an asynchronous answer needs.
   */
  readonly onFrame: (frame: Frame) => Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/**
 * The target's side of a link: reads frames until EOS, answers requests on the response lane
 * — all of them, including ones whose answer is still being worked out at EOS — then ends the
 * response lane (EOS) and resolves once the forward lane has closed. Rejects if the source goes
 * away before EOS.
 */
export function serveTarget(options: ServeTargetOptions): Promise<Drained> {
  const { forward, responses, onFrame } = options;
  return new Promise<Drained>((resolve, reject) => {
    let frames = 0;
    let answered = 0;
    let working = 0;
    let eos = false;
    let closed = false;
    let responsesDone = responses === undefined;
    let ending = false;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const settle = () => {
      if (failed || !eos || working > 0) return;
      if (!ending && responses !== undefined) {
        ending = true;
        responses.end().then(
          () => {
            responsesDone = true;
            settle();
          },
          (error: unknown) => fail(error),
        );
      }
      if (closed && responsesDone) resolve({ frames, answered });
    };
    const answer = (correlation: number, payload: Uint8Array | undefined) => {
      if (payload === undefined || responses === undefined || failed) return;
      responses.write(payload, { correlation });
      answered++;
    };
    forward.on("frame", (frame: Frame) => {
      frames++;
      let out: Uint8Array | undefined | Promise<Uint8Array | undefined>;
      try {
        out = onFrame(frame);
      } catch (error) {
        fail(error);
        return;
      }
      const correlation = frame.correlation;
      if (correlation === 0) return;
      if (out instanceof Promise) {
        working++;
        out.then(
          (payload) => {
            working--;
            answer(correlation, payload);
            settle();
          },
          (error: unknown) => fail(error),
        );
      } else {
        answer(correlation, out);
      }
    });
    forward.on("end", () => {
      eos = true;
      settle();
    });
    forward.on("close", () => {
      closed = true;
      if (!eos) fail(new RttError("RTT_ERR_LANE_PEER_GONE", "the source's lane closed before EOS"));
      else settle();
    });
    forward.on("error", (error: Error) => fail(error));
    responses?.on("error", (error: Error) => fail(error));
  });
}

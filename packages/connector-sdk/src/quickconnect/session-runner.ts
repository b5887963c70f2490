/**
 * Running a handshake machine over a pair of real control lanes: each end holds a writer to the
 * other and a reader from it. The runner turns lane events into machine inputs and machine
 * effects into frames, timers (on an injected clock) and calls to the host's hooks, which each
 * end (session.ts) handles: `bind` on the initiator, `attach` on the responder.
 *
 * A session owns its control lanes: when the link trips or is closed it ends them.
 */
import { EventEmitter } from "node:events";
import { errorMessage } from "@rtt/core";
import type { LaneReader, LaneWriter } from "@rtt/fabric";
import type { Cancel, Clock } from "../clock.ts";
import type { CommonInput, Effect, LinkFields, Step } from "./machine.ts";
import { type Ack, type Bind, type ControlMessage, encodeControl, type Trip } from "./messages.ts";
import { QuickConnectError } from "./trip.ts";

/** The two control lanes at one end: a writer to the peer, a reader from it. */
export interface ControlLanes {
  readonly writer: LaneWriter;
  readonly reader: LaneReader;
}

/** A link that reached READY: what was agreed, and what the host's hook made of it. */
export interface EstablishedLink<T> {
  readonly ack: Ack;
  readonly bind: Bind;
  readonly value: T;
}

/** The QuickConnectError a TRIP becomes at this end, naming who tripped the link. */
export function tripError(trip: Trip, by: "local" | "peer", peer: string): QuickConnectError {
  const who = by === "peer" ? `${peer} tripped the link` : "link tripped here";
  return new QuickConnectError(
    trip.reason,
    by,
    `QuickConnect: ${who}: ${trip.reason}: ${trip.detail}`,
  );
}

interface PendingPing {
  readonly resolve: (rttMs: number) => void;
  readonly reject: (error: Error) => void;
  readonly sentAt: number;
  readonly cancel: Cancel;
}

/**
 * The machinery both ends share: one machine, one timer, inputs queued so an effect that feeds
 * the machine (a failed write) never re-enters it. `I` is the role's own inputs; the inputs
 * both machines take (`CommonInput`: frames, timers, pings, the peer gone, close) are made here.
 */
export abstract class Session<
  S extends LinkFields & { readonly phase: string },
  I,
  T,
> extends EventEmitter {
  readonly ready: Promise<EstablishedLink<T>>;
  protected readonly clock: Clock;
  protected readonly control: ControlLanes;
  protected state: S;
  protected value: { readonly value: T } | undefined;
  readonly #step: (s: S, input: I | CommonInput) => Step<S>;
  readonly #release: ((value: T) => void) | undefined;
  readonly #queue: (I | CommonInput)[] = [];
  #busy = false;
  #timer: Cancel | undefined;
  #settle: { resolve: (link: EstablishedLink<T>) => void; reject: (e: Error) => void } | undefined;
  readonly #pings = new Map<number, PendingPing>();
  #shut = false;

  constructor(
    control: ControlLanes,
    clock: Clock,
    initial: S,
    step: (s: S, input: I | CommonInput) => Step<S>,
    release: ((value: T) => void) | undefined,
  ) {
    super();
    this.control = control;
    this.clock = clock;
    this.state = initial;
    this.#step = step;
    this.#release = release;
    this.ready = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Nobody has to await `ready`; a failure is also an event.
    this.ready.catch(() => {});
    const gone = (detail: string) => this.feed(this.#peerGone(detail));
    control.reader.on("frame", (frame: { type: number; payload: Uint8Array }) => {
      // The payload is only valid during this call: copy it if the machine is busy.
      const payload = this.#busy ? frame.payload.slice() : frame.payload;
      this.feed({ kind: "frame", type: frame.type, payload, now: this.clock.now() });
    });
    control.reader.on("end", () => gone("the peer ended its control lane"));
    control.reader.on("error", (error: Error) => gone(error.message));
    control.reader.on("close", () => gone("the control lane from the peer closed"));
    control.writer.on("error", (error: Error) => gone(error.message));
    control.writer.on("close", () => gone("the control lane to the peer closed"));
  }

  #peerGone(detail: string): CommonInput {
    return { kind: "peer-gone", detail, now: this.clock.now() };
  }

  /** Who the peer is, for messages. */
  protected abstract peerName(): string;
  /** Effects only one role has. */
  protected abstract onEffect(effect: Effect): void;

  get phase(): S["phase"] {
    return this.state.phase;
  }

  /** The machine's state, for tests and `rtt tap`. */
  get snapshot(): S {
    return this.state;
  }

  protected feed(input: I | CommonInput): void {
    this.#queue.push(input);
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const { state, effects } = this.#step(this.state, next);
        this.state = state;
        for (const effect of effects) this.#apply(effect);
      }
    } finally {
      this.#busy = false;
    }
    if (this.state.phase === "closed") this.#finish(undefined);
  }

  #apply(effect: Effect): void {
    switch (effect.kind) {
      case "send":
        this.#send(effect.message);
        return;
      case "arm":
        this.#timer?.();
        this.#timer = this.clock.schedule(effect.ms, () => {
          this.#timer = undefined;
          this.feed({ kind: "timer", now: this.clock.now() });
        });
        return;
      case "disarm":
        this.#timer?.();
        this.#timer = undefined;
        return;
      case "ready": {
        const held = this.value;
        if (held === undefined) return;
        this.#settle?.resolve({ ack: effect.ack, bind: effect.bind, value: held.value });
        this.#settle = undefined;
        this.emit("ready");
        return;
      }
      case "pong": {
        const pending = this.#pings.get(effect.n);
        if (pending === undefined) return;
        this.#pings.delete(effect.n);
        pending.cancel();
        pending.resolve(this.clock.now() - pending.sentAt);
        return;
      }
      case "tripped":
        this.#finish(tripError(effect.trip, effect.by, this.peerName()));
        return;
      default:
        this.onEffect(effect);
    }
  }

  #send(message: ControlMessage): void {
    if (this.#shut) return;
    const { type, payload } = encodeControl(message);
    try {
      this.control.writer.write(payload, { type });
    } catch (error) {
      this.feed(this.#peerGone(errorMessage(error)));
    }
  }

  /** The link is over: settle everything, release what the hook made, end the lanes. */
  #finish(error: QuickConnectError | undefined): void {
    if (this.#shut) return;
    this.#shut = true;
    this.#timer?.();
    this.#timer = undefined;
    const failure =
      error ?? new QuickConnectError("closed", "local", "QuickConnect: the link was closed");
    for (const pending of this.#pings.values()) {
      pending.cancel();
      pending.reject(failure);
    }
    this.#pings.clear();
    if (this.#settle !== undefined) {
      this.#settle.reject(failure);
      this.#settle = undefined;
    } else if (error !== undefined) {
      this.emit("trip", error);
    }
    if (this.value !== undefined && this.#release !== undefined) this.#release(this.value.value);
    // Let the TRIP (if any) go out ahead of EOS, then let go of both lanes.
    this.control.writer.end().catch(() => {});
    this.control.reader.close();
    this.emit("closed", error);
  }

  /** True once the link tripped or was closed. */
  get over(): boolean {
    return this.#shut;
  }

  /**
   * A liveness probe: a heartbeat the peer must answer at once. Resolves with the round trip in
   * ms; rejects with RTT_ERR_QC_TIMEOUT if no answer comes within `timeoutMs`, or with the
   * link's error if it trips first. Only in READY.
   */
  ping(timeoutMs: number): Promise<number> {
    if (this.#shut || this.state.phase !== "ready") {
      return Promise.reject(
        new QuickConnectError(
          "protocol",
          "local",
          `QuickConnect: cannot ping a link in phase ${this.state.phase}`,
        ),
      );
    }
    this.feed({ kind: "ping", now: this.clock.now() });
    const n = this.state.beats;
    return new Promise((resolve, reject) => {
      const cancel = this.clock.schedule(timeoutMs, () => {
        this.#pings.delete(n);
        reject(
          new QuickConnectError(
            "timeout",
            "local",
            `QuickConnect: ${this.peerName()} did not answer a ping within ${timeoutMs} ms`,
          ),
        );
      });
      this.#pings.set(n, { resolve, reject, sentAt: this.clock.now(), cancel });
    });
  }

  /** Ends the link: TRIP "closed" to the peer, then EOS on the control lane. */
  close(): void {
    this.feed({ kind: "close", now: this.clock.now() });
    this.#finish(undefined);
  }

  protected holdValue(value: T): void {
    if (this.#shut) {
      this.#release?.(value);
      return;
    }
    this.value = { value };
  }
}

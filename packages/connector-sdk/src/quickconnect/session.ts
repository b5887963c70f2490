/**
 * Running the handshake machines (machine.ts) over a pair of real control lanes: each end holds
 * a writer to the other and a reader from it. The runner turns lane events into machine inputs
 * and machine effects into frames, timers (on an injected clock) and calls to the host's hooks
 * — `bind` on the initiator (make the data lanes), `attach` on the responder (reach them).
 *
 * A session owns its control lanes: when the link trips or is closed it ends them.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { LANE_KINDS, type LaneKind } from "@rtt/core";
import {
  DEFAULT_MAX_PAYLOAD,
  type LaneAddress,
  type LaneReader,
  type LaneWriter,
} from "@rtt/fabric";
import { type Cancel, type Clock, systemClock } from "./clock.ts";
import {
  type InitiatorInput,
  type InitiatorState,
  initialInitiator,
  stepInitiator,
} from "./initiator-machine.ts";
import { DEFAULT_TIMINGS, type Effect, type Step, type Timings } from "./machine.ts";
import {
  type Ack,
  type Bind,
  type ControlMessage,
  encodeControl,
  parseControl,
  type Syn,
  type Trip,
} from "./messages.ts";
import {
  initialResponder,
  type ResponderInput,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";
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

export const DEFAULT_LINK_HEARTBEAT_MS = 1000;
/** Ring bytes a responder asks for when the lane is shm. */
export const DEFAULT_RING_CAPACITY = 8 * 1024 * 1024;

function tripError(trip: Trip, by: "local" | "peer", peer: string): QuickConnectError {
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
 * the machine (a failed write) never re-enters it.
 */
abstract class Session<S extends { readonly phase: string }, I, T> extends EventEmitter {
  readonly ready: Promise<EstablishedLink<T>>;
  protected readonly clock: Clock;
  protected readonly control: ControlLanes;
  protected state: S;
  protected value: { readonly value: T } | undefined;
  readonly #step: (s: S, input: I) => Step<S>;
  readonly #release: ((value: T) => void) | undefined;
  readonly #queue: I[] = [];
  #busy = false;
  #timer: Cancel | undefined;
  #settle: { resolve: (link: EstablishedLink<T>) => void; reject: (e: Error) => void } | undefined;
  readonly #pings = new Map<number, PendingPing>();
  #shut = false;

  constructor(
    control: ControlLanes,
    clock: Clock,
    initial: S,
    step: (s: S, input: I) => Step<S>,
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
    const gone = (detail: string) => this.feed(this.peerGone(detail));
    control.reader.on("frame", (frame: { type: number; payload: Uint8Array }) => {
      // The payload is only valid during this call: copy it if the machine is busy.
      const payload = this.#busy ? frame.payload.slice() : frame.payload;
      this.feed(this.frameInput(frame.type, payload));
    });
    control.reader.on("end", () => gone("the peer ended its control lane"));
    control.reader.on("error", (error: Error) => gone(error.message));
    control.reader.on("close", () => gone("the control lane from the peer closed"));
    control.writer.on("error", (error: Error) => gone(error.message));
    control.writer.on("close", () => gone("the control lane to the peer closed"));
  }

  protected abstract frameInput(type: number, payload: Uint8Array): I;
  protected abstract peerGone(detail: string): I;
  protected abstract pingInput(): I;
  protected abstract closeInput(): I;
  protected abstract beats(): number;
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

  protected feed(input: I): void {
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
          this.feed(this.timerInput());
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

  protected abstract timerInput(): I;

  #send(message: ControlMessage): void {
    if (this.#shut) return;
    const { type, payload } = encodeControl(message);
    try {
      this.control.writer.write(payload, { type });
    } catch (error) {
      this.feed(this.peerGone(error instanceof Error ? error.message : String(error)));
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
    this.feed(this.pingInput());
    const n = this.beats();
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
    this.feed(this.closeInput());
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

// ---------------------------------------------------------------------------------------------
// Initiator

export interface InitiateOptions<T> {
  /** This end's concrete address. */
  readonly saddr: string;
  /** The contract hash the target must have. */
  readonly contractHash: string;
  readonly caps?: readonly string[];
  /** Capabilities the target must offer. */
  readonly require?: readonly string[];
  /** Lane kinds this end can make, most preferred first (default: every kind). */
  readonly lanes?: readonly LaneKind[];
  readonly maxFrame?: number;
  readonly heartbeatMs?: number;
  /** Default: 128 random bits. Tests pass their own. */
  readonly nonce?: string;
  readonly clock?: Clock;
  readonly timings?: Partial<Timings>;
  /** Makes the data lanes the ACK asks for; their addresses go out in BIND. */
  readonly bind: (
    ack: Ack,
  ) => Promise<{ readonly lanes: readonly LaneAddress[]; readonly value: T }>;
  /** Lets go of what `bind` made, when the link trips or closes. */
  readonly release?: (value: T) => void;
}

export class Initiator<T> extends Session<InitiatorState, InitiatorInput, T> {
  readonly #bind: InitiateOptions<T>["bind"];

  constructor(control: ControlLanes, options: InitiateOptions<T>) {
    const syn: Syn = {
      nonce: options.nonce ?? randomBytes(16).toString("hex"),
      saddr: options.saddr,
      contract_hash: options.contractHash,
      caps: [...(options.caps ?? [])],
      require: [...(options.require ?? [])],
      lanes: [...(options.lanes ?? LANE_KINDS)],
      max_frame: options.maxFrame ?? DEFAULT_MAX_PAYLOAD,
      heartbeat_ms: options.heartbeatMs ?? DEFAULT_LINK_HEARTBEAT_MS,
    };
    // Refuse a SYN the peer would refuse as malformed, here and now, with the same message.
    const { type, payload } = encodeControl({ kind: "SYN", body: syn });
    parseControl(type, payload);
    const clock = options.clock ?? systemClock;
    super(
      control,
      clock,
      initialInitiator(syn, { ...DEFAULT_TIMINGS, ...options.timings }),
      stepInitiator,
      options.release,
    );
    this.#bind = options.bind;
  }

  get nonce(): string {
    return this.state.syn.nonce;
  }

  /** Sends the first SYN. */
  start(): this {
    this.feed({ kind: "start", now: this.clock.now() });
    return this;
  }

  protected frameInput(type: number, payload: Uint8Array): InitiatorInput {
    return { kind: "frame", type, payload, now: this.clock.now() };
  }
  protected peerGone(detail: string): InitiatorInput {
    return { kind: "peer-gone", detail, now: this.clock.now() };
  }
  protected pingInput(): InitiatorInput {
    return { kind: "ping", now: this.clock.now() };
  }
  protected closeInput(): InitiatorInput {
    return { kind: "close", now: this.clock.now() };
  }
  protected timerInput(): InitiatorInput {
    return { kind: "timer", now: this.clock.now() };
  }
  protected beats(): number {
    return this.state.beats;
  }
  protected peerName(): string {
    return "the target";
  }

  protected onEffect(effect: Effect): void {
    if (effect.kind !== "bind") return;
    this.#bind(effect.ack).then(
      ({ lanes, value }) => {
        this.holdValue(value);
        this.feed({ kind: "bound", lanes, now: this.clock.now() });
      },
      (error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        this.feed({ kind: "bind-failed", detail, now: this.clock.now() });
      },
    );
  }
}

/**
 * Starts a handshake as the initiator (the source end). `ready` resolves at READY with the
 * agreed ACK and what `bind` made; it rejects with a QuickConnectError naming the reason
 * (RTT_ERR_QC_REFUSED for a refusal, RTT_ERR_QC_TIMEOUT when the target never answers, …).
 * After READY, a trip is the `trip` event.
 */
export function initiate<T>(control: ControlLanes, options: InitiateOptions<T>): Initiator<T> {
  return new Initiator(control, options).start();
}

// ---------------------------------------------------------------------------------------------
// Responder

export interface RespondOptions<T> {
  /** This end's contract hash. */
  readonly contractHash: string;
  readonly caps?: readonly string[];
  /** Capabilities the initiator must offer. */
  readonly require?: readonly string[];
  /** Lane kinds this end can reach (default: every kind). */
  readonly lanes?: readonly LaneKind[];
  /** Ring bytes to ask for on an shm lane (default 8 MiB). */
  readonly capacity?: number;
  readonly maxFrame?: number;
  readonly minHeartbeatMs?: number;
  readonly clock?: Clock;
  readonly timings?: Partial<Timings>;
  /** Reaches the lanes named in BIND (nonce and all), as the ACK agreed. */
  readonly attach: (bind: Bind, ack: Ack) => Promise<T>;
  /** Lets go of what `attach` made, when the link trips or closes. */
  readonly release?: (value: T) => void;
}

export class Responder<T> extends Session<ResponderState, ResponderInput, T> {
  readonly #attach: RespondOptions<T>["attach"];

  constructor(control: ControlLanes, options: RespondOptions<T>) {
    const clock = options.clock ?? systemClock;
    super(
      control,
      clock,
      initialResponder(
        {
          contractHash: options.contractHash,
          caps: [...(options.caps ?? [])],
          require: [...(options.require ?? [])],
          lanes: [...(options.lanes ?? LANE_KINDS)],
          capacity: options.capacity ?? DEFAULT_RING_CAPACITY,
          maxFrame: options.maxFrame ?? DEFAULT_MAX_PAYLOAD,
          minHeartbeatMs: options.minHeartbeatMs ?? 10,
        },
        { ...DEFAULT_TIMINGS, ...options.timings },
      ),
      stepResponder,
      options.release,
    );
    this.#attach = options.attach;
  }

  protected frameInput(type: number, payload: Uint8Array): ResponderInput {
    return { kind: "frame", type, payload, now: this.clock.now() };
  }
  protected peerGone(detail: string): ResponderInput {
    return { kind: "peer-gone", detail, now: this.clock.now() };
  }
  protected pingInput(): ResponderInput {
    return { kind: "ping", now: this.clock.now() };
  }
  protected closeInput(): ResponderInput {
    return { kind: "close", now: this.clock.now() };
  }
  protected timerInput(): ResponderInput {
    return { kind: "timer", now: this.clock.now() };
  }
  protected beats(): number {
    return this.state.beats;
  }
  protected peerName(): string {
    return "the source";
  }

  protected onEffect(effect: Effect): void {
    if (effect.kind === "refused") {
      const error = tripError(effect.trip, "local", this.peerName());
      this.emit("refused", error, effect.syn);
      return;
    }
    if (effect.kind !== "attach") return;
    const nonce = effect.bind.nonce;
    this.#attach(effect.bind, effect.ack).then(
      (value) => {
        this.holdValue(value);
        this.feed({ kind: "attached", nonce, now: this.clock.now() });
      },
      (error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        this.feed({ kind: "attach-failed", nonce, detail, now: this.clock.now() });
      },
    );
  }
}

/**
 * Answers handshakes as the responder (the target end). `ready` resolves at READY; a refused
 * SYN is the `refused` event (the responder keeps listening); after READY a trip is `trip`.
 */
export function respond<T>(control: ControlLanes, options: RespondOptions<T>): Responder<T> {
  return new Responder(control, options);
}

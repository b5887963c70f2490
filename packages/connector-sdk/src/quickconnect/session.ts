/**
 * The two ends of a QuickConnect handshake over a pair of control lanes (session-runner.ts runs
 * their machines): at the ACK the initiator (source end) has its `bind` hook name the data lanes
 * for BIND — a route's is the one lane its target listens on — and at BIND the responder
 * (target end) has its `attach` hook reach or check them.
 */
import { randomBytes } from "node:crypto";
import { errorMessage, LANE_KINDS, type LaneKind } from "@rtt/core";
import { DEFAULT_MAX_PAYLOAD, type LaneAddress } from "@rtt/fabric";
import { type Clock, systemClock } from "../clock.ts";
import {
  type InitiatorInput,
  type InitiatorState,
  initialInitiator,
  stepInitiator,
} from "./initiator-machine.ts";
import { DEFAULT_TIMINGS, type Effect, type Timings } from "./machine.ts";
import { type Ack, type Bind, encodeControl, parseControl, type Syn } from "./messages.ts";
import {
  initialResponder,
  type ResponderInput,
  type ResponderPolicy,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";
import { type ControlLanes, Session, tripError } from "./session-runner.ts";

export const DEFAULT_LINK_HEARTBEAT_MS = 1000;
/** Ring bytes a responder asks for when the lane is shm. */
export const DEFAULT_RING_CAPACITY = 8 * 1024 * 1024;

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
  /** The route token the panel gave this end, sent in the SYN (ADR 0018). */
  readonly token?: string;
  readonly clock?: Clock;
  readonly timings?: Partial<Timings>;
  /** Makes (or names) the data lanes the ACK asks for; their addresses go out in BIND. */
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
      ...(options.token === undefined ? {} : { token: options.token }),
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
        const detail = errorMessage(error);
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
  /** Admits a SYN or says why not (a route token check); absent: every SYN is admitted. */
  readonly admit?: ResponderPolicy["admit"];
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
          ...(options.admit === undefined ? {} : { admit: options.admit }),
        },
        { ...DEFAULT_TIMINGS, ...options.timings },
      ),
      stepResponder,
      options.release,
    );
    this.#attach = options.attach;
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
        const detail = errorMessage(error);
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

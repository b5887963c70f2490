/**
 * The QuickConnect handshake (ADR 0011) as two explicit state machines, one per end:
 *
 *   initiator (source end)                      responder (target end)
 *   idle ──start──▶ syn-sent ──SYN──────────▶  listen
 *                   │ (no answer in T: resend SYN, same nonce, at most maxRetries times)
 *                   ◀────────────────ACK─────  acked        (or TRIP: refused, reason named)
 *   binding ◀───────┘  host makes the lanes
 *   bind-sent ──────────────BIND────────────▶  attaching    host reaches the lanes
 *                   (no answer in T: resend BIND, same content)
 *   ready ◀─────────────────READY───────────  ready
 *   ◀───────────── HEARTBEAT every heartbeat_ms, both ways ─────────────▶
 *
 * Each machine is a pure function `step(state, input) → { state, effects }`: no I/O, no clock,
 * no timers. Time comes in as `now` on every input and leaves as `arm`/`disarm` effects (one
 * timer per machine); frames come in raw and leave as `send` effects; the work only the host
 * can do (make lanes, reach lanes) leaves as `bind`/`attach` effects and comes back as inputs.
 * session.ts runs a machine over real lanes and a real (or fake) clock; the machine tests run it
 * with nothing at all.
 *
 * Idempotence: the responder caches its answer to each SYN by nonce, so a repeated SYN (a
 * retry, or a probe) gets the same bytes back and changes nothing; a repeated BIND gets READY
 * again. Every message carries the nonce; a message with another nonce is stale and ignored.
 *
 * Failure is a TRIP: the end that gives up sends TRIP {reason, detail} (unless the peer is
 * gone) and stops; the other end stops too on reading it. A responder that refuses a SYN
 * (other contract, missing capability, no common lane kind) answers TRIP but keeps listening,
 * so a corrected SYN with a new nonce can still succeed.
 *
 * Here: what both machines share — timings, effects, inputs, and the steps that end a link.
 * The machines are initiator-machine.ts and responder-machine.ts; heartbeats.ts is the
 * liveness both keep in READY.
 */
import { errorMessage } from "@rtt/core";
import {
  type Ack,
  type Bind,
  type ControlMessage,
  controlKindOf,
  parseControl,
  type Syn,
  type Trip,
} from "./messages.ts";
import type { TripReason } from "./trip.ts";

export interface Timings {
  /** How long to wait for an answer to SYN or BIND before sending it again. */
  readonly answerTimeoutMs: number;
  /** Resends of SYN (or BIND) before the initiator gives up with TRIP "timeout". */
  readonly maxRetries: number;
  /** Heartbeat intervals without a frame from the peer before the link trips ("heartbeat"). */
  readonly missedHeartbeats: number;
}

export const DEFAULT_TIMINGS: Timings = {
  answerTimeoutMs: 1000,
  maxRetries: 3,
  missedHeartbeats: 3,
};

export type Effect =
  /** Write this control frame to the peer. */
  | { readonly kind: "send"; readonly message: ControlMessage }
  /** (Re)arm the machine's one timer: feed `timer` in `ms`. */
  | { readonly kind: "arm"; readonly ms: number }
  | { readonly kind: "disarm" }
  /** Initiator: make the lanes the ACK asks for, then feed `bound` or `bind-failed`. */
  | { readonly kind: "bind"; readonly ack: Ack }
  /** Responder: reach the lanes named in BIND, then feed `attached` or `attach-failed`. */
  | { readonly kind: "attach"; readonly ack: Ack; readonly bind: Bind }
  /** The link is up. */
  | { readonly kind: "ready"; readonly ack: Ack; readonly bind: Bind }
  /** The peer answered the ping numbered `n`. */
  | { readonly kind: "pong"; readonly n: number }
  /** Responder: a SYN was refused with this TRIP; the responder keeps listening. */
  | { readonly kind: "refused"; readonly syn: Syn; readonly trip: Trip }
  /** The link is over: tripped here (`local`) or by a TRIP from the peer. */
  | { readonly kind: "tripped"; readonly trip: Trip; readonly by: "local" | "peer" };

export interface At {
  readonly now: number;
}

export type CommonInput =
  | ({ readonly kind: "frame"; readonly type: number; readonly payload: Uint8Array } & At)
  | ({ readonly kind: "timer" } & At)
  /** Send a heartbeat that asks for an immediate answer (a liveness probe). */
  | ({ readonly kind: "ping" } & At)
  /** The control lanes closed or failed under the machine. */
  | ({ readonly kind: "peer-gone"; readonly detail: string } & At)
  /** The owner ends the link. */
  | ({ readonly kind: "close" } & At);

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

/** What both machines keep once a link is being set up. */
export interface LinkFields {
  readonly timings: Timings;
  readonly ack: Ack | undefined;
  readonly bind: Bind | undefined;
  readonly trip: Trip | undefined;
  /** `now` of the last frame from the peer that belonged to this link. */
  readonly lastHeard: number;
  /** Heartbeats sent; the last one's `n`. */
  readonly beats: number;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const same = <S>(state: S): Step<S> => ({ state, effects: [] });
export const send = (message: ControlMessage): Effect => ({ kind: "send", message });

export function isOver(phase: string): boolean {
  return phase === "tripped" || phase === "closed";
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Trips the link from this end: TRIP to the peer (unless it is gone), then stop. */
export function tripLocal<S extends LinkFields & { readonly phase: string }>(
  s: S,
  nonce: string,
  reason: TripReason,
  detail: string,
): Step<S> {
  const trip: Trip = { nonce, reason, detail };
  const effects: Effect[] = [{ kind: "disarm" }];
  if (reason !== "peer-gone") effects.push(send({ kind: "TRIP", body: trip }));
  effects.push({ kind: "tripped", trip, by: "local" });
  return { state: { ...s, phase: "tripped", trip }, effects };
}

export function tripByPeer<S extends LinkFields & { readonly phase: string }>(
  s: S,
  trip: Trip,
): Step<S> {
  return {
    state: { ...s, phase: "tripped", trip },
    effects: [{ kind: "disarm" }, { kind: "tripped", trip, by: "peer" }],
  };
}

export function closeLocal<S extends LinkFields & { readonly phase: string }>(
  s: S,
  nonce: string | undefined,
): Step<S> {
  const effects: Effect[] = [{ kind: "disarm" }];
  let trip: Trip | undefined;
  if (nonce !== undefined) {
    trip = { nonce, reason: "closed", detail: "the link was closed by its owner" };
    effects.push(send({ kind: "TRIP", body: trip }));
  }
  return { state: { ...s, phase: "closed", trip }, effects };
}

/** Parses a frame, or says why the link must trip over it. */
export function read(
  type: number,
  payload: Uint8Array,
): { message: ControlMessage } | { reason: TripReason; detail: string } {
  if (controlKindOf(type) === undefined) {
    return { reason: "protocol", detail: `frame type ${type} is not a control frame` };
  }
  try {
    return { message: parseControl(type, payload) };
  } catch (error) {
    return { reason: "malformed", detail: errorMessage(error) };
  }
}

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
 * session.ts runs a machine over real lanes and a real (or fake) clock; machine.test.ts runs it
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
 */
import type { LaneKind } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
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

interface At {
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

export type InitiatorInput =
  | CommonInput
  | ({ readonly kind: "start" } & At)
  | ({ readonly kind: "bound"; readonly lanes: readonly LaneAddress[] } & At)
  | ({ readonly kind: "bind-failed"; readonly detail: string } & At);

export type ResponderInput =
  | CommonInput
  | ({ readonly kind: "attached"; readonly nonce: string } & At)
  | ({ readonly kind: "attach-failed"; readonly nonce: string; readonly detail: string } & At);

export interface Step<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}

/** What both machines keep once a link is being set up. */
interface LinkFields {
  readonly timings: Timings;
  readonly ack: Ack | undefined;
  readonly bind: Bind | undefined;
  readonly trip: Trip | undefined;
  /** `now` of the last frame from the peer that belonged to this link. */
  readonly lastHeard: number;
  /** Heartbeats sent; the last one's `n`. */
  readonly beats: number;
}

export type InitiatorPhase =
  | "idle"
  | "syn-sent"
  | "binding"
  | "bind-sent"
  | "ready"
  | "tripped"
  | "closed";

export interface InitiatorState extends LinkFields {
  readonly role: "initiator";
  readonly phase: InitiatorPhase;
  readonly syn: Syn;
  /** Times the frame of the current step (SYN or BIND) has been sent. */
  readonly sends: number;
}

export type ResponderPhase = "listen" | "acked" | "attaching" | "ready" | "tripped" | "closed";

/** What a responder accepts. */
export interface ResponderPolicy {
  /** This end's contract hash: a SYN expecting another one is refused. */
  readonly contractHash: string;
  readonly caps: readonly string[];
  /** Capabilities the initiator must offer. */
  readonly require: readonly string[];
  /** Lane kinds this end can reach. */
  readonly lanes: readonly LaneKind[];
  /** Ring bytes to ask for when the lane is shm. */
  readonly capacity: number;
  /** The largest payload this end takes in one frame. */
  readonly maxFrame: number;
  /** Heartbeats no more often than this, whatever the initiator asks. */
  readonly minHeartbeatMs: number;
}

export interface ResponderState extends LinkFields {
  readonly role: "responder";
  readonly phase: ResponderPhase;
  readonly policy: ResponderPolicy;
  /** The answer (ACK or TRIP) given to each nonce, oldest first; at most ANSWER_CACHE. */
  readonly answers: ReadonlyMap<string, ControlMessage>;
  /** The nonce of the link being set up or up; undefined while listening. */
  readonly nonce: string | undefined;
  readonly syn: Syn | undefined;
  /**
   * Heard from the initiator since READY. Until then the initiator may not have READY yet (it
   * can be slow, or resending BIND), so silence is judged by its retry budget, not heartbeats.
   */
  readonly confirmed: boolean;
}

export const ANSWER_CACHE = 16;

// ---------------------------------------------------------------------------------------------
// Shared pieces

const same = <S>(state: S): Step<S> => ({ state, effects: [] });
const send = (message: ControlMessage): Effect => ({ kind: "send", message });

function isOver(phase: string): boolean {
  return phase === "tripped" || phase === "closed";
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Trips the link from this end: TRIP to the peer (unless it is gone), then stop. */
function tripLocal<S extends LinkFields & { readonly phase: string }>(
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

function tripByPeer<S extends LinkFields & { readonly phase: string }>(s: S, trip: Trip): Step<S> {
  return {
    state: { ...s, phase: "tripped", trip },
    effects: [{ kind: "disarm" }, { kind: "tripped", trip, by: "peer" }],
  };
}

function closeLocal<S extends LinkFields & { readonly phase: string }>(
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

/** The heartbeat timer in READY: trip if the peer went quiet, else beat and re-arm. */
function beat<S extends LinkFields & { readonly phase: string }>(
  s: S,
  nonce: string,
  heartbeatMs: number,
  now: number,
  patient = false,
): Step<S> {
  const quiet = now - s.lastHeard;
  const { missedHeartbeats, answerTimeoutMs, maxRetries } = s.timings;
  const limit = heartbeatMs * missedHeartbeats;
  if (quiet >= (patient ? Math.max(limit, answerTimeoutMs * (maxRetries + 1)) : limit)) {
    return tripLocal(
      s,
      nonce,
      "heartbeat",
      `nothing from the peer for ${Math.round(quiet)} ms (${missedHeartbeats} heartbeat intervals of ${heartbeatMs} ms)`,
    );
  }
  const n = s.beats + 1;
  return {
    state: { ...s, beats: n },
    effects: [send({ kind: "HEARTBEAT", body: { nonce, n } }), { kind: "arm", ms: heartbeatMs }],
  };
}

function ping<S extends LinkFields & { readonly phase: string }>(s: S, nonce: string): Step<S> {
  if (s.phase !== "ready") return same(s);
  const n = s.beats + 1;
  return {
    state: { ...s, beats: n },
    effects: [send({ kind: "HEARTBEAT", body: { nonce, n, ping: true } })],
  };
}

/** A heartbeat from the peer in READY: answer its ping, report its pong. */
function heartbeat<S extends LinkFields & { readonly phase: string }>(
  s: S,
  nonce: string,
  body: { readonly n: number; readonly ping?: boolean; readonly pong?: number },
): Step<S> {
  if (s.phase !== "ready") return same(s);
  const effects: Effect[] = [];
  let state = s;
  if (body.ping === true) {
    const n = s.beats + 1;
    state = { ...s, beats: n };
    effects.push(send({ kind: "HEARTBEAT", body: { nonce, n, pong: body.n } }));
  }
  if (body.pong !== undefined) effects.push({ kind: "pong", n: body.pong });
  return { state, effects };
}

/** Parses a frame, or says why the link must trip over it. */
function read(
  type: number,
  payload: Uint8Array,
): { message: ControlMessage } | { reason: TripReason; detail: string } {
  if (controlKindOf(type) === undefined) {
    return { reason: "protocol", detail: `frame type ${type} is not a control frame` };
  }
  try {
    return { message: parseControl(type, payload) };
  } catch (error) {
    return { reason: "malformed", detail: error instanceof Error ? error.message : String(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Initiator

export function initialInitiator(syn: Syn, timings: Timings = DEFAULT_TIMINGS): InitiatorState {
  return {
    role: "initiator",
    phase: "idle",
    syn,
    timings,
    sends: 0,
    ack: undefined,
    bind: undefined,
    trip: undefined,
    lastHeard: 0,
    beats: 0,
  };
}

/** An ACK must be an answer to this SYN: anything else is the responder breaking protocol. */
function ackProblem(syn: Syn, ack: Ack): string | undefined {
  const extra = ack.caps.filter((c) => !syn.caps.includes(c));
  if (extra.length > 0) return `ACK negotiates caps ${extra.join(", ")} that SYN did not offer`;
  const missing = syn.require.filter((c) => !ack.caps.includes(c));
  if (missing.length > 0) return `ACK leaves out required caps ${missing.join(", ")}`;
  if (!syn.lanes.includes(ack.lane)) {
    return `ACK picks lane kind ${ack.lane}; SYN offered ${syn.lanes.join(", ")}`;
  }
  if (ack.lane === "shm" && ack.buffer.capacity === 0) return "ACK picks shm with no ring capacity";
  if (ack.buffer.max_frame > syn.max_frame) {
    return `ACK max_frame ${ack.buffer.max_frame} exceeds SYN max_frame ${syn.max_frame}`;
  }
  return undefined;
}

function initiatorTimer(s: InitiatorState, now: number): Step<InitiatorState> {
  const nonce = s.syn.nonce;
  if (s.phase === "ready" && s.ack !== undefined) return beat(s, nonce, s.ack.heartbeat_ms, now);
  if (s.phase !== "syn-sent" && s.phase !== "bind-sent") return same(s);
  const { answerTimeoutMs, maxRetries } = s.timings;
  const message: ControlMessage | undefined =
    s.phase === "syn-sent"
      ? { kind: "SYN", body: s.syn }
      : s.bind === undefined
        ? undefined
        : { kind: "BIND", body: s.bind };
  if (message === undefined) return same(s);
  if (s.sends > maxRetries) {
    return tripLocal(
      s,
      nonce,
      "timeout",
      `no answer to ${message.kind} after ${s.sends} sends, ${answerTimeoutMs} ms apart`,
    );
  }
  return {
    state: { ...s, sends: s.sends + 1 },
    effects: [send(message), { kind: "arm", ms: answerTimeoutMs }],
  };
}

function initiatorFrame(
  s: InitiatorState,
  type: number,
  payload: Uint8Array,
  now: number,
): Step<InitiatorState> {
  const nonce = s.syn.nonce;
  const got = read(type, payload);
  if ("reason" in got) return tripLocal(s, nonce, got.reason, got.detail);
  const m = got.message;
  if (m.kind === "TRIP") {
    return m.body.nonce === nonce || m.body.nonce === "" ? tripByPeer(s, m.body) : same(s);
  }
  if (m.body.nonce !== nonce) return same(s);
  const heard: InitiatorState = { ...s, lastHeard: now };
  switch (m.kind) {
    case "SYN":
    case "BIND":
      return tripLocal(heard, nonce, "protocol", `the initiator received ${m.kind}`);
    case "ACK": {
      if (s.phase !== "syn-sent") {
        return s.ack !== undefined && sameJson(s.ack, m.body)
          ? same(heard)
          : tripLocal(heard, nonce, "protocol", `an ACK in phase ${s.phase}, unlike the first`);
      }
      const problem = ackProblem(s.syn, m.body);
      if (problem !== undefined) return tripLocal(heard, nonce, "protocol", problem);
      return {
        state: { ...heard, phase: "binding", ack: m.body, sends: 0 },
        effects: [{ kind: "disarm" }, { kind: "bind", ack: m.body }],
      };
    }
    case "READY": {
      if (s.phase === "ready") return same(heard);
      if (s.phase !== "bind-sent" || s.ack === undefined || s.bind === undefined) {
        return tripLocal(heard, nonce, "protocol", `READY in phase ${s.phase}, before BIND`);
      }
      const n = s.beats + 1;
      return {
        state: { ...heard, phase: "ready", beats: n },
        effects: [
          { kind: "ready", ack: s.ack, bind: s.bind },
          send({ kind: "HEARTBEAT", body: { nonce, n } }),
          { kind: "arm", ms: s.ack.heartbeat_ms },
        ],
      };
    }
    case "HEARTBEAT":
      return heartbeat(heard, nonce, m.body);
  }
}

export function stepInitiator(s: InitiatorState, input: InitiatorInput): Step<InitiatorState> {
  if (isOver(s.phase)) return same(s);
  const nonce = s.syn.nonce;
  switch (input.kind) {
    case "start":
      if (s.phase !== "idle") return same(s);
      return {
        state: { ...s, phase: "syn-sent", sends: 1, lastHeard: input.now },
        effects: [
          send({ kind: "SYN", body: s.syn }),
          { kind: "arm", ms: s.timings.answerTimeoutMs },
        ],
      };
    case "timer":
      return initiatorTimer(s, input.now);
    case "frame":
      return initiatorFrame(s, input.type, input.payload, input.now);
    case "bound": {
      if (s.phase !== "binding") return same(s);
      const bind: Bind = { nonce, lanes: input.lanes };
      return {
        state: { ...s, phase: "bind-sent", bind, sends: 1 },
        effects: [
          send({ kind: "BIND", body: bind }),
          { kind: "arm", ms: s.timings.answerTimeoutMs },
        ],
      };
    }
    case "bind-failed":
      if (s.phase !== "binding") return same(s);
      return tripLocal(s, nonce, "bind-failed", `could not make the lanes: ${input.detail}`);
    case "ping":
      return ping(s, nonce);
    case "peer-gone":
      return tripLocal(s, nonce, "peer-gone", input.detail);
    case "close":
      return closeLocal(s, s.phase === "idle" ? undefined : nonce);
  }
}

// ---------------------------------------------------------------------------------------------
// Responder

export function initialResponder(
  policy: ResponderPolicy,
  timings: Timings = DEFAULT_TIMINGS,
): ResponderState {
  return {
    role: "responder",
    phase: "listen",
    policy,
    timings,
    answers: new Map(),
    nonce: undefined,
    syn: undefined,
    confirmed: false,
    ack: undefined,
    bind: undefined,
    trip: undefined,
    lastHeard: 0,
    beats: 0,
  };
}

/** The responder's answer to a SYN it has not seen: ACK, or TRIP naming the refusal. */
export function evaluateSyn(policy: ResponderPolicy, syn: Syn): ControlMessage {
  const refuse = (reason: TripReason, detail: string): ControlMessage => ({
    kind: "TRIP",
    body: { nonce: syn.nonce, reason, detail },
  });
  if (syn.contract_hash !== policy.contractHash) {
    return refuse(
      "contract-mismatch",
      `the initiator expects contract ${syn.contract_hash}; this end has ${policy.contractHash}`,
    );
  }
  const missingHere = syn.require.filter((c) => !policy.caps.includes(c));
  if (missingHere.length > 0) {
    return refuse(
      "caps-missing",
      `the initiator requires ${missingHere.join(", ")}, which this end does not offer`,
    );
  }
  const missingThere = policy.require.filter((c) => !syn.caps.includes(c));
  if (missingThere.length > 0) {
    return refuse(
      "caps-missing",
      `this end requires ${missingThere.join(", ")}, which the initiator does not offer`,
    );
  }
  const lane = syn.lanes.find((k) => policy.lanes.includes(k));
  if (lane === undefined) {
    return refuse(
      "no-lane",
      `the initiator can make ${syn.lanes.join(", ")}; this end can reach ${policy.lanes.join(", ") || "none"}`,
    );
  }
  return {
    kind: "ACK",
    body: {
      nonce: syn.nonce,
      caps: syn.caps.filter((c) => policy.caps.includes(c)).sort(),
      lane,
      buffer: {
        capacity: lane === "shm" ? policy.capacity : 0,
        max_frame: Math.min(syn.max_frame, policy.maxFrame),
      },
      heartbeat_ms: Math.max(syn.heartbeat_ms, policy.minHeartbeatMs),
    },
  };
}

/** Adds an answer to the cache, dropping the oldest beyond ANSWER_CACHE (never the live one). */
function remember(
  s: ResponderState,
  nonce: string,
  answer: ControlMessage,
  live: string | undefined,
): ReadonlyMap<string, ControlMessage> {
  const answers = new Map(s.answers);
  answers.set(nonce, answer);
  for (const key of answers.keys()) {
    if (answers.size <= ANSWER_CACHE) break;
    if (key !== live) answers.delete(key);
  }
  return answers;
}

function responderSyn(s: ResponderState, syn: Syn, now: number): Step<ResponderState> {
  const cached = s.answers.get(syn.nonce);
  if (cached !== undefined) {
    return { state: s.nonce === syn.nonce ? { ...s, lastHeard: now } : s, effects: [send(cached)] };
  }
  const answer: ControlMessage =
    s.phase === "attaching" || s.phase === "ready"
      ? {
          kind: "TRIP",
          body: {
            nonce: syn.nonce,
            reason: "protocol",
            detail: `a link (nonce ${s.nonce}) is already ${s.phase === "ready" ? "up" : "binding"} on these control lanes`,
          },
        }
      : evaluateSyn(s.policy, syn);
  if (answer.kind === "TRIP") {
    return {
      state: { ...s, answers: remember(s, syn.nonce, answer, s.nonce) },
      effects: [send(answer), { kind: "refused", syn, trip: answer.body }],
    };
  }
  if (answer.kind !== "ACK") return same(s);
  const { answerTimeoutMs, maxRetries } = s.timings;
  return {
    state: {
      ...s,
      phase: "acked",
      answers: remember(s, syn.nonce, answer, syn.nonce),
      nonce: syn.nonce,
      syn,
      ack: answer.body,
      bind: undefined,
      lastHeard: now,
    },
    // The initiator may spend its whole retry budget on BIND; wait that long for it.
    effects: [send(answer), { kind: "arm", ms: answerTimeoutMs * (maxRetries + 1) }],
  };
}

function bindProblem(ack: Ack, bind: Bind): string | undefined {
  for (const [i, lane] of bind.lanes.entries()) {
    if (lane.kind !== ack.lane)
      return `BIND lane ${i} is ${lane.kind}; the ACK agreed on ${ack.lane}`;
    if (lane.kind === "shm" && lane.capacity !== ack.buffer.capacity) {
      return `BIND lane ${i} has a ${lane.capacity}-byte ring; the ACK agreed on ${ack.buffer.capacity}`;
    }
  }
  return undefined;
}

function responderBind(s: ResponderState, bind: Bind, now: number): Step<ResponderState> {
  const nonce = bind.nonce;
  const heard: ResponderState = { ...s, lastHeard: now };
  if (s.phase === "acked" && s.ack !== undefined) {
    const problem = bindProblem(s.ack, bind);
    if (problem !== undefined) return tripLocal(heard, nonce, "protocol", problem);
    return {
      state: { ...heard, phase: "attaching", bind },
      effects: [{ kind: "disarm" }, { kind: "attach", ack: s.ack, bind }],
    };
  }
  if (!sameJson(s.bind, bind)) {
    return tripLocal(heard, nonce, "protocol", `a second, different BIND in phase ${s.phase}`);
  }
  // A resent BIND: answer READY again once up; while attaching, READY is on its way.
  return s.phase === "ready"
    ? { state: heard, effects: [send({ kind: "READY", body: { nonce } })] }
    : same(heard);
}

function responderFrame(
  s: ResponderState,
  type: number,
  payload: Uint8Array,
  now: number,
): Step<ResponderState> {
  const got = read(type, payload);
  if ("reason" in got) return tripLocal(s, s.nonce ?? "", got.reason, got.detail);
  const m = got.message;
  switch (m.kind) {
    case "SYN":
      return responderSyn(s, m.body, now);
    case "TRIP":
      if (m.body.nonce === "" || (s.nonce !== undefined && m.body.nonce === s.nonce)) {
        return tripByPeer(s, m.body);
      }
      return same(s);
    default:
      break;
  }
  if (s.nonce === undefined || m.body.nonce !== s.nonce) return same(s);
  switch (m.kind) {
    case "BIND":
      // A resent BIND means the initiator has not seen READY: it does not confirm the link.
      return responderBind(s, m.body, now);
    case "HEARTBEAT":
      // The initiator heartbeats from READY on: it has seen READY.
      return heartbeat(
        { ...s, lastHeard: now, confirmed: s.confirmed || s.phase === "ready" },
        s.nonce,
        m.body,
      );
    case "ACK":
    case "READY":
      return tripLocal(s, s.nonce, "protocol", `the responder received ${m.kind}`);
  }
}

export function stepResponder(s: ResponderState, input: ResponderInput): Step<ResponderState> {
  if (isOver(s.phase)) return same(s);
  const nonce = s.nonce ?? "";
  switch (input.kind) {
    case "frame":
      return responderFrame(s, input.type, input.payload, input.now);
    case "timer":
      if (s.phase === "ready" && s.ack !== undefined) {
        return beat(s, nonce, s.ack.heartbeat_ms, input.now, !s.confirmed);
      }
      if (s.phase === "acked") {
        return tripLocal(s, nonce, "timeout", "no BIND after the ACK");
      }
      return same(s);
    case "attached": {
      if (s.phase !== "attaching" || input.nonce !== s.nonce) return same(s);
      if (s.ack === undefined || s.bind === undefined) return same(s);
      const n = s.beats + 1;
      return {
        state: { ...s, phase: "ready", beats: n, lastHeard: input.now },
        effects: [
          send({ kind: "READY", body: { nonce } }),
          { kind: "ready", ack: s.ack, bind: s.bind },
          send({ kind: "HEARTBEAT", body: { nonce, n } }),
          { kind: "arm", ms: s.ack.heartbeat_ms },
        ],
      };
    }
    case "attach-failed":
      if (s.phase !== "attaching" || input.nonce !== s.nonce) return same(s);
      return tripLocal(s, nonce, "bind-failed", `could not reach the lanes: ${input.detail}`);
    case "ping":
      return ping(s, nonce);
    case "peer-gone":
      return tripLocal(s, nonce, "peer-gone", input.detail);
    case "close":
      return closeLocal(s, s.nonce);
  }
}

/**
 * The responder's machine (the target end): answers each SYN by its policy — ACK, or a TRIP
 * naming the refusal, cached by nonce so a repeat gets the same bytes — then, at BIND, has the
 * host reach the lanes and answers READY. See machine.ts for the whole exchange and what both
 * machines share.
 */
import type { LaneKind } from "@rtt/core";
import { beat, heartbeat, ping } from "./heartbeats.ts";
import {
  type At,
  type CommonInput,
  closeLocal,
  DEFAULT_TIMINGS,
  isOver,
  type LinkFields,
  read,
  type Step,
  same,
  sameJson,
  send,
  type Timings,
  tripByPeer,
  tripLocal,
} from "./machine.ts";
import type { Ack, Bind, ControlMessage, Syn } from "./messages.ts";
import type { TripReason } from "./trip.ts";

export type ResponderInput =
  | CommonInput
  | ({ readonly kind: "attached"; readonly nonce: string } & At)
  | ({ readonly kind: "attach-failed"; readonly nonce: string; readonly detail: string } & At);

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
  /**
   * Admits a SYN before anything else is looked at (a route token, ADR 0018): undefined to go
   * on, else why it is refused (trip reason unauthorized). Absent: every SYN is admitted. It
   * reads wall time itself if it needs it (token expiry); the machine's time is monotonic.
   */
  readonly admit?: (syn: Syn) => string | undefined;
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

/**
 * The responder's answer to a SYN it has not seen: ACK, or TRIP naming the refusal. An
 * unadmitted initiator learns nothing of this end's contract, so admission comes first.
 */
export function evaluateSyn(policy: ResponderPolicy, syn: Syn): ControlMessage {
  const refuse = (reason: TripReason, detail: string): ControlMessage => ({
    kind: "TRIP",
    body: { nonce: syn.nonce, reason, detail },
  });
  const unadmitted = policy.admit?.(syn);
  if (unadmitted !== undefined) return refuse("unauthorized", unadmitted);
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

/**
 * The initiator's machine (the source end): SYN, resent with the same nonce until answered or
 * out of retries; at the ACK the host makes the lanes; BIND, resent the same way; READY. See
 * machine.ts for the whole exchange and what both machines share.
 */
import type { LaneAddress } from "@rtt/fabric";
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

export type InitiatorInput =
  | CommonInput
  | ({ readonly kind: "start" } & At)
  | ({ readonly kind: "bound"; readonly lanes: readonly LaneAddress[] } & At)
  | ({ readonly kind: "bind-failed"; readonly detail: string } & At);

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

/**
 * Test-only: a SYN, a responder policy and timings the machine tests share, and helpers that
 * feed a machine and read its effects.
 */
import assert from "node:assert/strict";
import type { LaneAddress } from "@rtt/fabric";
import { type InitiatorState, initialInitiator } from "./initiator-machine.ts";
import type { Effect, Step, Timings } from "./machine.ts";
import { type ControlMessage, encodeControl, type Syn } from "./messages.ts";
import {
  initialResponder,
  type ResponderPolicy,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";

export const HASH = "c".repeat(64);
export const SYN: Syn = {
  nonce: "nonce-0001",
  saddr: "rtt://app/api/source@1.0.0",
  contract_hash: HASH,
  caps: ["json", "gzip", "trace"],
  require: ["json"],
  lanes: ["shm", "uds"],
  max_frame: 65536,
  heartbeat_ms: 100,
};
export const POLICY: ResponderPolicy = {
  contractHash: HASH,
  caps: ["json", "trace", "zstd"],
  require: [],
  lanes: ["uds", "shm", "tcp"],
  capacity: 1 << 20,
  maxFrame: 4096,
  minHeartbeatMs: 10,
};
export const T: Timings = { answerTimeoutMs: 1000, maxRetries: 3, missedHeartbeats: 3 };
export const LANES: LaneAddress[] = [
  { kind: "shm", segment: "rtt-1", path: "/tmp/a.sock", capacity: 1 << 20 },
  { kind: "shm", segment: "rtt-2", path: "/tmp/b.sock", capacity: 1 << 20 },
];

/** A control frame as the peer would write it. */
export function frame(
  m: ControlMessage,
  now = 0,
): { kind: "frame"; type: number; payload: Buffer; now: number } {
  const { type, payload } = encodeControl(m);
  return { kind: "frame", type, payload, now };
}

export function sent(effects: readonly Effect[]): ControlMessage[] {
  return effects.flatMap((e) => (e.kind === "send" ? [e.message] : []));
}

export function only(effects: readonly Effect[], kind: Effect["kind"]): Effect[] {
  return effects.filter((e) => e.kind === kind);
}

export function run<S, I>(
  step: (s: S, i: I) => Step<S>,
  s: S,
  inputs: I[],
): { state: S; effects: Effect[] } {
  let state = s;
  const effects: Effect[] = [];
  for (const input of inputs) {
    const r = step(state, input);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

export const init = (timings: Timings = T): InitiatorState => initialInitiator(SYN, timings);
export const resp = (policy: ResponderPolicy = POLICY): ResponderState =>
  initialResponder(policy, T);

/** The ACK POLICY gives SYN. */
export function ackFor(policy: ResponderPolicy = POLICY) {
  const answer = stepResponder(resp(policy), frame({ kind: "SYN", body: SYN }));
  const ack = sent(answer.effects)[0];
  assert.ok(ack?.kind === "ACK");
  return ack.body;
}

/**
 * Liveness in READY, the same at both ends: a heartbeat every `heartbeat_ms` on the machine's
 * one timer, a trip when the peer has been quiet for `missedHeartbeats` intervals, and pings —
 * heartbeats the peer answers at once with a pong.
 */
import { type Effect, type LinkFields, type Step, same, send, tripLocal } from "./machine.ts";

/** The heartbeat timer in READY: trip if the peer went quiet, else beat and re-arm. */
export function beat<S extends LinkFields & { readonly phase: string }>(
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

export function ping<S extends LinkFields & { readonly phase: string }>(
  s: S,
  nonce: string,
): Step<S> {
  if (s.phase !== "ready") return same(s);
  const n = s.beats + 1;
  return {
    state: { ...s, beats: n },
    effects: [send({ kind: "HEARTBEAT", body: { nonce, n, ping: true } })],
  };
}

/** A heartbeat from the peer in READY: answer its ping, report its pong. */
export function heartbeat<S extends LinkFields & { readonly phase: string }>(
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

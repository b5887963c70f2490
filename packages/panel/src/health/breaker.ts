/**
 * A circuit breaker per route (docs/design.md §The life of a route: health): closed → open →
 * half-open, as a pure state machine. No timers and no `Date.now()` inside: the caller passes `now`
 * (epoch ms) and a `random` in [0, 1) for the jitter, and gets back a new plain-JSON state plus the
 * transitions it caused, each with a reason for the audit ledger and `rtt tap`.
 *
 * What "open" means here: the panel does not sit on the data path — admitting frames is the
 * driver's job. For the panel, "open" = move the route to its failover target, degrade it to a
 * stub, or hold it (daemon/fallback.ts); "half-open" = back on its real target with a bounded
 * trial: the daemon throttles the route's source to `probeMax` messages every `probeWindowMs`
 * (the Throttle RPC), the rest waits at the source; "closed" = unbounded.
 *
 * Usage in the daemon (one breaker per route):
 *
 *   const cfg = breakerConfig(panelYaml.health, policy.failoverFor(route.from)?.health ?? []);
 *   let b = journaled === undefined ? newBreaker(clock.now()) : restoreBreaker(cfg, journaled, clock.now());
 *   function feed(event: BreakerEvent): void {  // per heartbeat sample, `rtt trip`/`rtt heal`, and
 *     const r = stepBreaker(cfg, b, event, { now: clock.now(), random: Math.random }); // a tick
 *     b = r.state;                               // at nextDeadline(b) on the coarse shared timer
 *     for (const t of r.transitions) { wal.journal(route.id, b); audit(t); act(t.to); }
 *   }
 *   samples.add(sample, now); feed(sample.ok ? { kind: "success" } : { kind: "error", detail: sample.err });
 *   feed({ kind: "slo", observed: sloObservation(samples.stats(now)) });
 *   // act("open") = fail over / degrade / hold; act("half-open") = the throttled trial; act("closed") = unbounded
 *
 * Choices that must hold:
 * - Closed trips when `tripErrors` errors fall within `tripWindowMs` (panel.yaml
 *   `health.trip_threshold`), or when `sloSamples` consecutive SLO observations break the route's
 *   failover health bounds (`p95<5ms,err<0.1%`). Only the last `tripErrors` error times are kept,
 *   so the state stays small.
 * - Backoff for the n-th consecutive open: floor(base · 2^(n−1) · (1 + r/2)), r ∈ [0,1), capped at
 *   `backoffCapMs`. The jitter factor lies in [1, 1.5), so step n+1's lowest value (base·2^n) is
 *   above step n's highest (0.75·base·2^n): the delay never shrinks while a route keeps failing;
 *   a `max` with the previous delay guards the rounding anyway.
 * - Half-open admits a bounded sample, neither everyone nor one probe: at most `probeMax`
 *   messages every `probeWindowMs` (20 a second by default) reach the real target; the rest
 *   wait at the source under the route's QoS.
 * - Half-open closes after `successesToClose` successes with no error; one error or one SLO
 *   violation re-opens it with the next backoff step.
 * - A manual trip (`rtt trip`) holds the breaker open until a manual heal (`rtt heal`): an operator
 *   who opened a route must not see it re-bound by a timer. Heal goes to half-open at once.
 * - The state carries absolute epoch-ms deadlines, so a restore after a restart recomputes the
 *   remaining backoff from the clock. A clock that jumped back cannot stretch a wait beyond the
 *   cap: deadlines further than `backoffCapMs` ahead are pulled in.
 */
import {
  backoffDelay,
  type HealthBound,
  type HealthMetric,
  type PanelConfig,
  RttError,
} from "@rtt/core";

export const BREAKER_STATES = ["closed", "open", "half-open"] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

export interface BreakerConfig {
  /** Errors within `tripWindowMs` that trip a closed breaker (panel.yaml trip_threshold.errors). */
  readonly tripErrors: number;
  readonly tripWindowMs: number;
  /** The route's failover health bounds; empty = no SLO trips. */
  readonly slo: readonly HealthBound[];
  /** Consecutive violating observations that trip a closed breaker. */
  readonly sloSamples: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly successesToClose: number;
  /** Half-open budget: at most `probeMax` messages every `probeWindowMs` reach the target. */
  readonly probeWindowMs: number;
  readonly probeMax: number;
}

export const BREAKER_DEFAULTS: BreakerConfig = {
  tripErrors: 5,
  tripWindowMs: 5000,
  slo: [],
  sloSamples: 3,
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  successesToClose: 5,
  probeWindowMs: 1000,
  probeMax: 20,
};

/** The config for one route from panel.yaml's health section and the policy's failover bounds. */
export function breakerConfig(
  health: PanelConfig["health"] | undefined,
  slo: readonly HealthBound[] = [],
  overrides: Partial<BreakerConfig> = {},
): BreakerConfig {
  const config: BreakerConfig = {
    ...BREAKER_DEFAULTS,
    tripErrors: health?.trip_threshold?.errors ?? BREAKER_DEFAULTS.tripErrors,
    tripWindowMs: health?.trip_threshold?.window_ms ?? BREAKER_DEFAULTS.tripWindowMs,
    slo,
    ...overrides,
  };
  const positive = [
    "tripErrors",
    "tripWindowMs",
    "sloSamples",
    "backoffBaseMs",
    "successesToClose",
    "probeWindowMs",
    "probeMax",
  ] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new RangeError(`breaker config ${key} must be a positive integer, got ${config[key]}`);
  }
  if (!(config.backoffCapMs >= config.backoffBaseMs))
    throw new RangeError(`breaker config backoffCapMs must be ≥ backoffBaseMs`);
  return config;
}

/** Plain JSON: journal it in the WAL as is; `restoreBreaker` reads it back. */
export interface BreakerState {
  readonly v: 1;
  readonly state: BreakerStateName;
  /** Epoch ms of the last transition. */
  readonly since: number;
  /** Why the breaker is in this state (the last transition's reason). */
  readonly reason: string;
  /** Closed: the most recent error times (at most tripErrors, oldest first). */
  readonly errorTimes: readonly number[];
  /** Closed: consecutive SLO observations that broke a bound. */
  readonly sloStreak: number;
  /** Consecutive opens since the breaker last closed (the backoff step). */
  readonly opens: number;
  /** The last backoff delay; 0 once closed. */
  readonly backoffMs: number;
  /** Open: when it becomes half-open (epoch ms); null when held by a manual trip or not open. */
  readonly retryAt: number | null;
  /** Open by a manual trip: stays open until a heal. */
  readonly held: boolean;
  /** Half-open: successes so far. */
  readonly successes: number;
}

/** What an SLO observation may report; a metric left out is not judged. */
export type SloObservation = { readonly [M in HealthMetric]?: number };

export type BreakerEvent =
  | { readonly kind: "success" }
  /** `count`: how many failed messages the sample saw (default 1), each one of the threshold's. */
  | { readonly kind: "error"; readonly detail?: string; readonly count?: number }
  | { readonly kind: "slo"; readonly observed: SloObservation }
  | { readonly kind: "trip"; readonly who: string; readonly why?: string }
  | { readonly kind: "heal"; readonly who: string }
  /** Only lets time pass: an open breaker whose backoff ended becomes half-open. */
  | { readonly kind: "tick" };

export interface BreakerEnv {
  readonly now: number;
  /** In [0, 1); used only for the backoff jitter. */
  readonly random: () => number;
}

export interface BreakerTransition {
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly at: number;
  readonly reason: string;
  /** Set when `to` is open and a timer will half-open it. */
  readonly retryAt?: number;
}

export interface BreakerStep {
  readonly state: BreakerState;
  /** In order; usually none or one, two when a due backoff and the event both act. */
  readonly transitions: readonly BreakerTransition[];
}

export function newBreaker(now: number): BreakerState {
  return {
    v: 1,
    state: "closed",
    since: now,
    reason: "new",
    errorTimes: [],
    sloStreak: 0,
    opens: 0,
    backoffMs: 0,
    retryAt: null,
    held: false,
    successes: 0,
  };
}

/** When the daemon should next send a `tick`, or undefined when no time-based change is pending. */
export function nextDeadline(state: BreakerState): number | undefined {
  return state.state === "open" && state.retryAt !== null ? state.retryAt : undefined;
}

/** The backoff for the `opens`-th consecutive open, never below `previousMs`. */
export function breakerBackoff(
  config: BreakerConfig,
  opens: number,
  previousMs: number,
  r: number,
): number {
  const delay = backoffDelay(
    opens - 1,
    { baseMs: config.backoffBaseMs, maxMs: config.backoffCapMs, jitter: "upward" },
    () => r,
  );
  return Math.min(config.backoffCapMs, Math.max(previousMs, delay));
}

const fmt = (n: number): string => String(Number(n.toFixed(3)));

/** The first bound the observation breaks, described for a reason string; undefined when healthy. */
export function sloViolation(
  bounds: readonly HealthBound[],
  observed: SloObservation,
): string | undefined {
  for (const b of bounds) {
    const value = observed[b.metric];
    if (value === undefined || Number.isNaN(value)) continue;
    const ok = b.op === "<" ? value < b.limit : value <= b.limit;
    if (ok) continue;
    const sign = value > b.limit ? ">" : "≥";
    return b.metric === "err"
      ? `err ${fmt(value * 100)}% ${sign} ${fmt(b.limit * 100)}%`
      : `${b.metric} ${fmt(value)} ms ${sign} ${fmt(b.limit)} ms`;
  }
  return undefined;
}

function toOpen(
  config: BreakerConfig,
  s: BreakerState,
  reason: string,
  env: BreakerEnv,
  out: BreakerTransition[],
): BreakerState {
  const opens = s.opens + 1;
  const backoffMs = breakerBackoff(config, opens, s.backoffMs, env.random());
  const retryAt = env.now + backoffMs;
  out.push({ from: s.state, to: "open", at: env.now, reason, retryAt });
  return {
    ...s,
    state: "open",
    since: env.now,
    reason,
    errorTimes: [],
    sloStreak: 0,
    opens,
    backoffMs,
    retryAt,
    held: false,
    successes: 0,
  };
}

function toHalfOpen(
  s: BreakerState,
  reason: string,
  now: number,
  out: BreakerTransition[],
): BreakerState {
  out.push({ from: s.state, to: "half-open", at: now, reason });
  return {
    ...s,
    state: "half-open",
    since: now,
    reason,
    retryAt: null,
    held: false,
    successes: 0,
    sloStreak: 0,
  };
}

/**
 * Brings a state in line with `now` without emitting anything: error times outside the window
 * (or in the future, after a clock jump back) are dropped, and an open deadline is pulled in to at
 * most `backoffCapMs` ahead. Identity on a state that is already consistent with `now`.
 */
function normalize(config: BreakerConfig, s: BreakerState, now: number): BreakerState {
  let next = s;
  const kept = s.errorTimes.filter((t) => t <= now && t > now - config.tripWindowMs);
  if (kept.length !== s.errorTimes.length) next = { ...next, errorTimes: kept };
  if (s.retryAt !== null && s.retryAt > now + config.backoffCapMs)
    next = { ...next, retryAt: now + config.backoffCapMs };
  return next;
}

/**
 * What time alone does before an event is applied: `normalize`, then an open breaker whose
 * backoff has ended becomes half-open.
 */
function afterElapsedTime(
  config: BreakerConfig,
  state: BreakerState,
  now: number,
  out: BreakerTransition[],
): BreakerState {
  const s = normalize(config, state, now);
  if (s.state === "open" && s.retryAt !== null && now >= s.retryAt)
    return toHalfOpen(s, `half-open after ${s.backoffMs} ms`, now, out);
  return s;
}

/** Applies one event at `env.now`: first what time alone does (a due backoff), then the event. */
export function stepBreaker(
  config: BreakerConfig,
  state: BreakerState,
  event: BreakerEvent,
  env: BreakerEnv,
): BreakerStep {
  const out: BreakerTransition[] = [];
  const s = afterElapsedTime(config, state, env.now, out);
  return { state: applyEvent(config, s, event, env, out), transitions: out };
}

function applyEvent(
  config: BreakerConfig,
  s: BreakerState,
  event: BreakerEvent,
  env: BreakerEnv,
  out: BreakerTransition[],
): BreakerState {
  switch (event.kind) {
    case "tick":
      return s;
    case "trip":
      return onManualTrip(s, event, env.now, out);
    case "heal":
      return s.state === "open" ? toHalfOpen(s, `heal by ${event.who}`, env.now, out) : s;
    case "success":
      return onSuccess(config, s, env.now, out);
    case "error":
      return onError(config, s, event, env, out);
    case "slo":
      return onSloObservation(config, s, event.observed, env, out);
  }
}

/** Holds the breaker open with no timer until a heal; a breaker already held stays as it is. */
function onManualTrip(
  s: BreakerState,
  event: Extract<BreakerEvent, { kind: "trip" }>,
  now: number,
  out: BreakerTransition[],
): BreakerState {
  if (s.state === "open" && s.held) return s;
  const reason = `manual trip by ${event.who}${event.why === undefined ? "" : `: ${event.why}`}`;
  out.push({ from: s.state, to: "open", at: now, reason });
  return {
    ...s,
    state: "open",
    since: now,
    reason,
    errorTimes: [],
    sloStreak: 0,
    retryAt: null,
    held: true,
    successes: 0,
  };
}

/** Counts a half-open success; the `successesToClose`-th closes the breaker and resets backoff. */
function onSuccess(
  config: BreakerConfig,
  s: BreakerState,
  now: number,
  out: BreakerTransition[],
): BreakerState {
  if (s.state !== "half-open") return s;
  const successes = s.successes + 1;
  if (successes < config.successesToClose) return { ...s, successes };
  const reason = `${successes} successes in half-open`;
  out.push({ from: "half-open", to: "closed", at: now, reason });
  return {
    ...s,
    state: "closed",
    since: now,
    reason,
    errorTimes: [],
    sloStreak: 0,
    opens: 0,
    backoffMs: 0,
    successes: 0,
  };
}

/** One error re-opens a half-open breaker; a closed one opens on `tripErrors` in the window. */
function onError(
  config: BreakerConfig,
  s: BreakerState,
  { detail, count = 1 }: Extract<BreakerEvent, { kind: "error" }>,
  env: BreakerEnv,
  out: BreakerTransition[],
): BreakerState {
  const suffix = detail === undefined || detail === "" ? "" : `: ${detail}`;
  if (s.state === "half-open") return toOpen(config, s, `error in half-open${suffix}`, env, out);
  if (s.state !== "closed") return s;
  // A sample's errors all happened since the last one: each counts, at the sample's time.
  const n = Math.min(config.tripErrors, Math.max(1, Math.floor(count)));
  const errorTimes = [...s.errorTimes, ...new Array<number>(n).fill(env.now)].slice(
    -config.tripErrors,
  );
  if (errorTimes.length < config.tripErrors) return { ...s, errorTimes };
  const reason = `${errorTimes.length} errors in ${config.tripWindowMs} ms${suffix}`;
  return toOpen(config, s, reason, env, out);
}

/**
 * One violating observation re-opens a half-open breaker; a closed one opens after `sloSamples`
 * in a row, and a healthy observation ends the streak. An open breaker ignores observations.
 */
function onSloObservation(
  config: BreakerConfig,
  s: BreakerState,
  observed: SloObservation,
  env: BreakerEnv,
  out: BreakerTransition[],
): BreakerState {
  if (s.state === "open") return s;
  const broken = sloViolation(config.slo, observed);
  if (broken === undefined) return s.sloStreak === 0 ? s : { ...s, sloStreak: 0 };
  if (s.state === "half-open") return toOpen(config, s, `${broken} in half-open`, env, out);
  const sloStreak = s.sloStreak + 1;
  if (sloStreak < config.sloSamples) return { ...s, sloStreak };
  return toOpen(config, s, `${broken} for ${sloStreak} samples`, env, out);
}

function corrupt(why: string): RttError {
  return new RttError("RTT_ERR_WAL_CORRUPT", `journaled breaker state is not usable: ${why}`, {
    hint: "the route's breaker can be reset with `rtt heal`",
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * Reads a journaled state back (after `JSON.parse`), checked field by field, and brings it in
 * line with `now` (see `normalize`). An open breaker stays open: its absolute deadline decides,
 * so the remaining backoff is what is left on the clock. Send a `tick` right after to emit a
 * half-open transition that fell due while the panel was down. The `probe` counters journals
 * written before the trial became a throttle carry are ignored.
 */
export function restoreBreaker(config: BreakerConfig, json: unknown, now: number): BreakerState {
  if (!isObject(json)) throw corrupt("not an object");
  if (json.v !== 1) throw corrupt(`unknown format ${JSON.stringify(json.v)}`);
  const state = json.state;
  if (!BREAKER_STATES.some((n) => n === state)) throw corrupt(`unknown state ${String(state)}`);
  const { since, reason, errorTimes, sloStreak, opens, backoffMs, retryAt, held, successes } = json;
  if (!isTime(since)) throw corrupt("since");
  if (typeof reason !== "string") throw corrupt("reason");
  if (!Array.isArray(errorTimes) || !errorTimes.every(isTime)) throw corrupt("errorTimes");
  if (!isCount(sloStreak) || !isCount(opens) || !isCount(backoffMs) || !isCount(successes))
    throw corrupt("counters");
  if (!(retryAt === null || isTime(retryAt))) throw corrupt("retryAt");
  if (typeof held !== "boolean") throw corrupt("held");
  const restored: BreakerState = {
    v: 1,
    state: state as BreakerStateName,
    since,
    reason,
    errorTimes: (errorTimes as number[]).slice(-config.tripErrors),
    sloStreak,
    opens,
    backoffMs,
    retryAt: state === "open" && !held && retryAt === null ? now : retryAt,
    held,
    successes,
  };
  return normalize(config, restored, now);
}

/**
 * Restart delays for a crashed driver: exponential, capped, and jittered so that drivers that
 * crashed together (a shared dependency went away) do not all come back in the same
 * millisecond. "Equal jitter": half the delay is fixed, half random, so a restart is never
 * immediate and never later than the cap.
 */

export interface BackoffPolicy {
  /** Delay before the first restart, before jitter (default 100 ms). */
  readonly baseMs: number;
  /** The cap (default 30 s). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 30_000 };

/**
 * The delay before restart number `attempt` (0 = the first): `d = min(max, base * 2^attempt)`,
 * then uniformly in [d/2, d]. `random` returns [0, 1), like Math.random; tests pass their own.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.max(0, policy.baseMs);
  const cap = Math.max(base, policy.maxMs);
  // 2^attempt overflows to Infinity for large attempts, which min() then caps.
  const d = Math.min(cap, base * 2 ** Math.max(0, Math.floor(attempt)));
  const drawn = random();
  const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0;
  return Math.round(d / 2 + (r * d) / 2);
}

/**
 * Retry delays, the one formula behind every backoff in RTT (a crashed driver's restart, a
 * respawned program, a route breaker's open, a failed failover): the n-th retry (0 = the first)
 * waits about `base · 2^n`, capped at `max`. Pure: the caller passes the random source, as
 * Math.random would give it ([0, 1)); tests pass their own.
 *
 * The jitter keeps things that failed together (drivers whose shared dependency went away) from
 * all coming back in the same millisecond. Its shape is what the caller must guarantee:
 * - "equal" (the default): `d = min(max, base · 2^n)`, then uniformly in [d/2, d], rounded to
 *   the millisecond. Half the delay is fixed and half random, so a retry is never immediate and
 *   never later than the cap.
 * - "upward": `min(max, floor(base · 2^n · (1 + r/2)))`. The factor lies in [1, 1.5), so retry
 *   n+1's lowest value (base · 2^(n+1)) is above retry n's highest (0.75 · base · 2^(n+1)): the
 *   delay never shrinks while failures go on.
 * - "none": `min(max, base · 2^n)`, the random source unused.
 */

export type BackoffJitter = "equal" | "upward" | "none";

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter (default 100 ms). */
  readonly baseMs: number;
  /** The cap (default 30 s). */
  readonly maxMs: number;
  /** The jitter's shape (default "equal"). */
  readonly jitter?: BackoffJitter;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 30_000 };

/**
 * 2^n stops growing here: base · 2^40 ms is past any cap (decades at 1 ms), and a zero base
 * stays 0 instead of becoming 0 · ∞ = NaN.
 */
const MAX_DOUBLINGS = 40;

/**
 * The delay in milliseconds before retry number `attempt` (0 = the first). A `random` that
 * strays from [0, 1) (or returns NaN) is pulled back into it: it cannot escape the bounds.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.max(0, policy.baseMs);
  const cap = Math.max(base, policy.maxMs);
  const doubled = base * 2 ** Math.min(MAX_DOUBLINGS, Math.max(0, Math.floor(attempt)));
  switch (policy.jitter ?? "equal") {
    case "none":
      return Math.min(cap, doubled);
    case "upward": {
      // Below 1, so the factor stays below 1.5 for any random source.
      const factor = 1 + clampedRandom(random, 0.999_999) / 2;
      return Math.min(cap, Math.floor(doubled * factor));
    }
    case "equal": {
      const d = Math.min(cap, doubled);
      const r = clampedRandom(random, 1);
      return Math.round(d / 2 + (r * d) / 2);
    }
  }
}

function clampedRandom(random: () => number, highest: number): number {
  const drawn = random();
  return Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), highest) : 0;
}

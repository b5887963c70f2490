/**
 * A token bucket: the rate limiter behind every route's QoS `rate` and `burst`
 * (docs/design.md §Data plane: backpressure).
 *
 * It starts full (`burst` tokens), refills continuously at `rate` tokens per second and never
 * holds more than `burst`. Over any window of `t` ms it therefore grants at most
 * `burst + rate * t / 1000` tokens; the property tests hold it to that.
 *
 * The clock is injected (milliseconds, e.g. `performance.now`) so tests drive time by hand and
 * the bucket never reads a timer itself. A clock that steps backwards is ignored (no refill)
 * rather than trusted, so a jump back and forth cannot credit the same time twice.
 */

export interface TokenBucketOptions {
  /** Tokens added per second; finite and > 0. */
  readonly rate: number;
  /** Capacity, and the tokens the bucket starts with; finite and >= 1. */
  readonly burst: number;
}

/** Relative shortfall of tokens that counts as float rounding, not as missing tokens. */
const ROUNDING_SLACK = 1e-9;

export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  /** The clock reading the tokens were last brought up to date at. */
  #last: number;

  constructor(opts: TokenBucketOptions, now: () => number) {
    const { rate, burst } = opts;
    if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) {
      throw new RangeError(`token bucket rate must be a finite number > 0 tokens/s; got ${rate}`);
    }
    if (typeof burst !== "number" || !Number.isFinite(burst) || burst < 1) {
      throw new RangeError(`token bucket burst must be a finite number >= 1 tokens; got ${burst}`);
    }
    this.rate = rate;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  #refill(): void {
    const t = this.#now();
    if (t > this.#last) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) * this.rate) / 1000);
      this.#last = t;
    }
  }

  /** Takes `n` tokens if they are all there; otherwise takes none and returns false. */
  tryTake(n = 1): boolean {
    checkCount(n);
    this.#refill();
    // A clock read as a sum of float steps can fall a rounding error short of what msUntil
    // promised (the property test found 624.9999999999999 ms for 625): such a shortfall is n.
    if (this.#tokens < n - ROUNDING_SLACK * n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /** Tokens in the bucket now; may be fractional while it refills. */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /**
   * Milliseconds until `n` tokens will be there, in whole milliseconds rounded up, so a timer set
   * for it finds them (0 if they are there now). `Infinity` if `n` exceeds `burst`: the bucket
   * can never hold that many.
   */
  msUntil(n = 1): number {
    checkCount(n);
    this.#refill();
    const missing = n - this.#tokens;
    if (missing <= 0) return 0;
    if (n > this.burst) return Number.POSITIVE_INFINITY;
    let ms = Math.ceil((missing * 1000) / this.rate);
    // Guard against float rounding: after `ms` the refill must really reach n.
    while (this.#tokens + (ms * this.rate) / 1000 < n) ms += 1;
    return ms;
  }
}

function checkCount(n: number): void {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
    throw new RangeError(`token count must be a finite number >= 0; got ${n}`);
  }
}

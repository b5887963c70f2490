/**
 * Time, injected (docs/design.md §Principles: no globals). The handshake's timeouts, retries
 * and heartbeats read the time and set timers only through a `Clock`, so tests drive them with
 * `FakeClock` — deterministic, instant — and production uses `systemClock`. DriverHost's start
 * timeout and restart backoff go through it too: one notion of time on both sides of the SDK,
 * monotonic, so a wall-clock step can neither fire a timer early nor stretch a wait.
 */

/** Cancels a timer; calling it after the timer fired, or twice, does nothing. */
export type Cancel = () => void;

export interface ScheduleOptions {
  /** Let this process exit meanwhile: the timer keeps nothing alive (default: it does). */
  readonly unref?: boolean;
}

export interface Clock {
  /** Milliseconds on a monotonic scale (not wall time: it never jumps back). */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  schedule(ms: number, fn: () => void, options?: ScheduleOptions): Cancel;
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(ms, fn, options) {
    const timer = setTimeout(fn, Math.max(0, ms));
    if (options?.unref === true) timer.unref();
    return () => clearTimeout(timer);
  },
};

interface FakeTimer {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A test double of `Clock` (named as such, docs/design.md §Principles: real parts in tests): time
 * stands still until `advance` moves it, firing every timer that falls due, in order of due time,
 * then of scheduling.
 */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  #timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, fn: () => void): Cancel {
    const timer: FakeTimer = {
      at: this.#now + Math.max(0, ms),
      order: this.#order++,
      fn,
      cancelled: false,
    };
    this.#timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing the timers that fall due (including ones they set). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      let next: FakeTimer | undefined;
      for (const t of this.#timers) {
        if (t.at > until) continue;
        if (next === undefined || t.at < next.at || (t.at === next.at && t.order < next.order)) {
          next = t;
        }
      }
      if (next === undefined) break;
      next.cancelled = true;
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = until;
  }
}

/**
 * Whether and when a crashed driver is started again (docs/design.md §Processes and sockets:
 * driver processes): after a capped, jittered exponential backoff (`backoffDelay`), counted in
 * restarts in a row, which a run that lasted `resetAfterMs` starts over, until `maxRestarts`.
 * Time is the host's `Clock`, so a test drives the delays by hand. The host does the restart
 * itself and says so (DriverHost's 'restart', 'restart-failed' and 'give-up' events). A
 * supervised program's respawn (process/supervisor.ts) is paced here too.
 */
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "@rtt/core";
import type { Cancel, Clock, ScheduleOptions } from "../clock.ts";

export interface RestartOptions extends BackoffPolicy {
  /** Give up after this many restarts in a row (default: never). */
  readonly maxRestarts: number;
  /** A driver that ran this long before crashing starts the backoff over (default 10 s). */
  readonly resetAfterMs: number;
}

export interface DriverRestart {
  readonly driver: string;
  /** 1 for the first restart after a crash, 2 for the next, ... */
  readonly attempt: number;
  readonly delayMs: number;
  readonly pid: number;
  readonly previousPid: number;
}

/** The next restart: its number in a row (from 1) and how long it waits. */
export interface PlannedRestart {
  readonly attempt: number;
  readonly delayMs: number;
}

/** The restart policy with its defaults filled in, or false to leave a crashed driver down. */
export function restartPolicy(
  option: Partial<RestartOptions> | false | undefined,
): RestartOptions | false {
  if (option === false) return false;
  return {
    ...DEFAULT_BACKOFF,
    maxRestarts: Number.POSITIVE_INFINITY,
    resetAfterMs: 10_000,
    ...option,
  };
}

export class RestartPacer {
  readonly #policy: RestartOptions;
  readonly #clock: Clock;
  /** [0, 1), for the backoff's jitter. */
  readonly #random: () => number;
  /** Restarts in a row since the last stable run. */
  #attempt = 0;
  #cancel: Cancel | undefined;

  constructor(policy: RestartOptions, clock: Clock, random: () => number) {
    this.#policy = policy;
    this.#clock = clock;
    this.#random = random;
  }

  /** Restarts made in a row since the last stable run. */
  get restarts(): number {
    return this.#attempt;
  }

  /** The driver crashed after running `ranMs`: a stable run starts the backoff over. */
  crashed(ranMs: number): void {
    if (ranMs >= this.#policy.resetAfterMs) this.#attempt = 0;
  }

  /** The next restart, or undefined once `maxRestarts` were made in a row: give up. */
  next(): PlannedRestart | undefined {
    if (this.#attempt >= this.#policy.maxRestarts) return undefined;
    const delayMs = backoffDelay(this.#attempt, this.#policy, this.#random);
    return { attempt: ++this.#attempt, delayMs };
  }

  /** Calls `restart` once the planned delay has passed on the clock. */
  schedule(planned: PlannedRestart, restart: () => void, options?: ScheduleOptions): void {
    this.#cancel = this.#clock.schedule(
      planned.delayMs,
      () => {
        this.#cancel = undefined;
        restart();
      },
      options,
    );
  }

  /** Drops the restart still waiting for its delay, if any. */
  cancel(): void {
    this.#cancel?.();
  }
}

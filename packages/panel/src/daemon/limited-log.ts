/**
 * A log for what any client can cause at will (a refused request): each line costs the
 * panel's disk, so at most `max` such lines are written per `windowMs`; past that they are
 * counted, and the next line written says how many were left out (issue 15).
 */
import type { Log } from "./call-handlers.ts";

export interface LimitedLogOptions {
  readonly max?: number;
  readonly windowMs?: number;
  /** The clock (ms): performance.now by default. */
  readonly now?: () => number;
}

export function limitedLog(log: Log, options: LimitedLogOptions = {}): Log {
  const { max = 20, windowMs = 10_000, now = () => performance.now() } = options;
  let windowStart = Number.NEGATIVE_INFINITY;
  let written = 0;
  let skipped = 0;
  return (line) => {
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      written = 0;
    }
    if (written >= max) {
      skipped += 1;
      return;
    }
    written += 1;
    log(skipped === 0 ? line : `${line} (${skipped} more like it before were not logged)`);
    skipped = 0;
  };
}

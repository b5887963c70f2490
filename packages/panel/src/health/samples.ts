/**
 * Rolling statistics of one route from its driver's periodic health samples
 * (docs/design.md §The life of a route: health): p50/p95/p99 latency, error rate, throughput, queue
 * depth, drops, and a short history for a sparkline. No clock inside: the caller passes `now`
 * (epoch ms, the panel's clock when the sample arrived) to `add` and `stats`.
 *
 * Choices that must hold:
 * - Percentiles are exact (nearest rank) over a bounded ring of the most recent latencies that
 *   fall in the window — deterministic, unlike a sketch, and small enough to sort per call
 *   (1024 values by default). A driver that reports no per-frame latencies contributes its
 *   `lag_ms`, one value per sample.
 * - Driver counters (`frames_in`, `frames_out`, `drops`) are cumulative; a counter that goes down
 *   means the driver restarted, and the new value counts from zero.
 * - Error rate = errors / frames in the window, where a sample's frames are max(Δin, Δout) and its
 *   errors are `errors` when the driver reports them, else 1 for a not-ok sample. Errors with no
 *   frames count as rate 1; the rate is clamped to [0, 1].
 * - Throughput = Δframes_out / elapsed time over the window's samples (frames per second).
 */
import type { HealthMetric } from "@rtt/core";

/** What the panel needs from a sample; the connector SDK's HealthSample fits as is. */
export interface HealthInput {
  readonly ok: boolean;
  readonly lag_ms: number;
  readonly err: string;
  readonly qdepth: number;
  /** Cumulative. */
  readonly frames_in: number;
  /** Cumulative: what the route delivered, the throughput's count. */
  readonly frames_out: number;
  /** Per-frame latencies since the previous sample, when the driver measures them. */
  readonly latencies_ms?: readonly number[];
  /** Failed frames since the previous sample; absent = 1 when not ok, else 0. */
  readonly errors?: number;
  /** Cumulative frames the route's QoS kept from the target (the source's drops and nacks). */
  readonly drops?: number;
}

export interface RouteSamplesOptions {
  /** The statistics window (default 10 000 ms). */
  readonly windowMs?: number;
  /** Latencies kept, a power of two (default 1024). */
  readonly latencyCapacity?: number;
  /** Samples kept for the window, a power of two (default 256). */
  readonly sampleCapacity?: number;
  /** Sparkline points kept (default 60). */
  readonly historyLength?: number;
}

export interface RouteStats {
  /** Samples in the window. */
  readonly samples: number;
  readonly windowMs: number;
  /** Undefined when no latency fell in the window. */
  readonly p50_ms: number | undefined;
  readonly p95_ms: number | undefined;
  readonly p99_ms: number | undefined;
  readonly frames: number;
  readonly errors: number;
  /** In [0, 1]. */
  readonly err_rate: number;
  /** Frames per second out. */
  readonly throughput: number;
  /** Dropped frames in the window. */
  readonly drops: number;
  /** From the last sample; 0 before any. */
  readonly qdepth: number;
  readonly lag_ms: number;
  readonly ok: boolean;
  /** The last sample's `err`. */
  readonly err: string;
}

/** One sparkline point per sample. */
export interface HistoryPoint {
  readonly at: number;
  /** The highest latency in this sample (or its lag). */
  readonly latency_ms: number;
  /** Frames per second out since the previous sample. */
  readonly fps: number;
  readonly errors: number;
  readonly qdepth: number;
  readonly ok: boolean;
}

interface Entry {
  readonly at: number;
  readonly dt: number;
  readonly frames: number;
  readonly out: number;
  readonly errors: number;
  readonly drops: number;
}

const delta = (cur: number, prev: number | undefined): number =>
  prev === undefined ? 0 : cur >= prev ? cur - prev : cur;

function powerOfTwo(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0)
    throw new RangeError(`${name} must be a power of two, got ${n}`);
  return n;
}

/** Nearest-rank percentile of an ascending array; monotone in `p`. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/**
 * The statistics of one route. Rings, oldest overwritten:
 *
 *   latencies:  [ v0 | v1 | … | vN-1 ]  times: [ t0 | t1 | … ]   index = count & mask
 *   entries:    [ e0 | e1 | … | eM-1 ]   one per sample (deltas, not counters)
 */
export class RouteSamples {
  readonly windowMs: number;
  readonly #lat: Float64Array;
  readonly #latAt: Float64Array;
  #latCount = 0;
  readonly #entries: (Entry | undefined)[];
  #entryCount = 0;
  readonly #history: HistoryPoint[] = [];
  readonly #historyLength: number;
  #last: { at: number; sample: HealthInput } | undefined;

  constructor(options: RouteSamplesOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be positive`);
    const latCap = powerOfTwo("latencyCapacity", options.latencyCapacity ?? 1024);
    this.#lat = new Float64Array(latCap);
    this.#latAt = new Float64Array(latCap);
    this.#entries = new Array<Entry | undefined>(
      powerOfTwo("sampleCapacity", options.sampleCapacity ?? 256),
    ).fill(undefined);
    this.#historyLength = options.historyLength ?? 60;
  }

  add(sample: HealthInput, now: number): void {
    const prev = this.#last;
    const dt = prev === undefined ? 0 : Math.max(0, now - prev.at);
    const frames = Math.max(
      delta(sample.frames_in, prev?.sample.frames_in),
      delta(sample.frames_out, prev?.sample.frames_out),
    );
    const out = delta(sample.frames_out, prev?.sample.frames_out);
    const errors = Math.max(0, sample.errors ?? (sample.ok ? 0 : 1));
    const drops =
      sample.drops === undefined ? 0 : delta(sample.drops, prev?.sample.drops ?? sample.drops);
    const mask = this.#entries.length - 1;
    this.#entries[this.#entryCount & mask] = { at: now, dt, frames, out, errors, drops };
    this.#entryCount++;

    const lats =
      sample.latencies_ms !== undefined && sample.latencies_ms.length > 0
        ? sample.latencies_ms
        : [sample.lag_ms];
    let highest = 0;
    const latMask = this.#lat.length - 1;
    for (const v of lats) {
      if (!Number.isFinite(v) || v < 0) continue;
      this.#lat[this.#latCount & latMask] = v;
      this.#latAt[this.#latCount & latMask] = now;
      this.#latCount++;
      highest = Math.max(highest, v);
    }

    this.#history.push({
      at: now,
      latency_ms: highest,
      fps: dt > 0 ? (out * 1000) / dt : 0,
      errors,
      qdepth: sample.qdepth,
      ok: sample.ok,
    });
    if (this.#history.length > this.#historyLength) this.#history.shift();
    this.#last = { at: now, sample };
  }

  stats(now: number): RouteStats {
    const from = now - this.windowMs;
    const inWindow = (t: number): boolean => t > from && t <= now;
    let samples = 0;
    let frames = 0;
    let errors = 0;
    let out = 0;
    let elapsed = 0;
    let drops = 0;
    for (const e of this.#entries) {
      if (e === undefined || !inWindow(e.at)) continue;
      samples++;
      frames += e.frames;
      errors += e.errors;
      out += e.out;
      elapsed += e.dt;
      drops += e.drops;
    }
    const lats: number[] = [];
    const kept = Math.min(this.#latCount, this.#lat.length);
    for (let i = 0; i < kept; i++) {
      const at = this.#latAt[i];
      const v = this.#lat[i];
      if (at !== undefined && v !== undefined && inWindow(at)) lats.push(v);
    }
    lats.sort((a, b) => a - b);
    const errRate = frames === 0 ? (errors > 0 ? 1 : 0) : Math.min(1, errors / frames);
    const last = this.#last?.sample;
    return {
      samples,
      windowMs: this.windowMs,
      p50_ms: percentile(lats, 50),
      p95_ms: percentile(lats, 95),
      p99_ms: percentile(lats, 99),
      frames,
      errors,
      err_rate: errRate,
      throughput: elapsed > 0 ? (out * 1000) / elapsed : 0,
      drops,
      qdepth: last?.qdepth ?? 0,
      lag_ms: last?.lag_ms ?? 0,
      ok: last?.ok ?? false,
      err: last?.err ?? "",
    };
  }

  /** The last `historyLength` points, oldest first. */
  history(): readonly HistoryPoint[] {
    return [...this.#history];
  }
}

/** The metrics a health expression (`p95<5ms,err<0.1%`) judges, from one stats reading. */
export function sloObservation(stats: RouteStats): { [M in HealthMetric]?: number } {
  const o: { [M in HealthMetric]?: number } = { err: stats.err_rate, lag: stats.lag_ms };
  if (stats.p50_ms !== undefined) o.p50 = stats.p50_ms;
  if (stats.p95_ms !== undefined) o.p95 = stats.p95_ms;
  if (stats.p99_ms !== undefined) o.p99 = stats.p99_ms;
  return o;
}

/**
 * A link's latency probes (docs/design.md §The life of a route: health): once an interval its
 * outbound lane gets a HEARTBEAT stamped with its send time, and the HEARTBEATs that reach its
 * inbound lane tell how late that lane's frames arrive.
 */
import { FrameType, type LaneWriter } from "@rtt/fabric";
import type { LinkCounters } from "./link-scope.ts";

/** How far back health looks at latency probes. */
const PROBE_WINDOW_MS = 1000;

/** A HEARTBEAT payload: the send time, CLOCK_MONOTONIC nanoseconds, u64 little-endian. */
function probePayload(): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(process.hrtime.bigint(), 0);
  return b;
}

export class LatencyProbes {
  readonly #counters: LinkCounters;
  /** Latency probes (HEARTBEATs) that arrived within the last PROBE_WINDOW_MS: arrival and age. */
  #probes: { at: number; ms: number }[] = [];

  constructor(counters: LinkCounters) {
    this.#counters = counters;
  }

  /**
   * Writes a HEARTBEAT on the outbound lane, so a reader never waits more than an interval to
   * hear from a live writer; its payload, the send time, is the reader's latency probe.
   */
  send(out: LaneWriter): void {
    try {
      out.write(probePayload(), { type: FrameType.HEARTBEAT });
      this.#counters.heartbeatsOut++;
    } catch {
      // The lane is closing; its error event reports why.
    }
  }

  /**
   * A HEARTBEAT's payload is its writer's CLOCK_MONOTONIC send time (the same clock in every
   * process on the host): its age on arrival is the lane's latency, queueing behind the frames
   * written before it included. Health reports the highest age of the probes that arrived in
   * the last PROBE_WINDOW_MS — a window, not "since the last sample", because several watchers
   * (the host's liveness watch, the panel's health loop) sample the same link.
   */
  arrived(payload: Uint8Array): void {
    if (payload.length !== 8) return; // an empty heartbeat (older writer): liveness only
    const now = process.hrtime.bigint();
    const sent = Buffer.from(payload.buffer, payload.byteOffset, 8).readBigUInt64LE(0);
    const ms = Number(now - sent) / 1e6;
    if (!(ms >= 0)) return;
    const at = Number(now / 1_000_000n);
    this.#probes = this.#probes.filter((p) => at - p.at < PROBE_WINDOW_MS);
    this.#probes.push({ at, ms });
  }

  /** The inbound lane's latency: the highest age of the probes of the last PROBE_WINDOW_MS. */
  lagMs(): number {
    const at = Number(process.hrtime.bigint() / 1_000_000n);
    return Math.max(0, ...this.#probes.filter((p) => at - p.at < PROBE_WINDOW_MS).map((p) => p.ms));
  }
}

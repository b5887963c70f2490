/**
 * What bench/lanes/run.ts (the sender) and bench/lanes/peer.ts (the receiver) share: the
 * contenders, the clock, the send stamp in each message, and the JSON lines the peer prints.
 *
 * The clock. `process.hrtime.bigint()` is libuv's `uv_hrtime()`, which on Linux reads
 * `clock_gettime(CLOCK_MONOTONIC)`: one clock for every process on the host, not a
 * per-process origin like `performance.now()` (whose `timeOrigin` differs between processes).
 * So a nanosecond stamp taken by the sender and one taken by the receiver can be subtracted.
 */
import type { LaneAddress } from "@rtt/fabric";

export const CONTENDERS = ["shm", "uds", "tcp", "node-uds", "zeromq-ipc", "nats"] as const;
export type Contender = (typeof CONTENDERS)[number];
/** The contenders that are RTT lanes (made by @rtt/fabric's factory). */
export type RttLane = Extract<Contender, "shm" | "uds" | "tcp">;

export function isContender(value: string): value is Contender {
  return (CONTENDERS as readonly string[]).includes(value);
}

export function isRttLane(value: Contender): value is RttLane {
  return value === "shm" || value === "uds" || value === "tcp";
}

/** CLOCK_MONOTONIC in nanoseconds, as a double: exact below 2^53 ns (104 days of uptime). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

// The stamp is the sender's nowNs() as a little-endian float64 in the message's first 8 bytes.
export const STAMP_BYTES = 8;
const stampValue = new Float64Array(1);
const stampBytes = new Uint8Array(stampValue.buffer);

export function writeStamp(message: Uint8Array, ns: number): void {
  stampValue[0] = ns;
  message.set(stampBytes, 0);
}

export function readStamp(message: Uint8Array): number {
  for (let i = 0; i < STAMP_BYTES; i++) stampBytes[i] = message[i] as number;
  return stampValue[0] as number;
}

/** How the sender reaches the peer. */
export type PeerAddress =
  | { readonly kind: "lane"; readonly address: LaneAddress }
  | { readonly kind: "node-uds"; readonly path: string }
  | { readonly kind: "zeromq-ipc"; readonly endpoint: string }
  | { readonly kind: "nats"; readonly url: string; readonly subject: string };

/** The nats-server run.ts starts for the `nats` contender (its peers read it from here). */
export const NATS_URL_ENV = "RTT_BENCH_NATS_URL";

export interface LatencyReport {
  /** Samples recorded (after the warm-up). */
  readonly samples: number;
  readonly p50_ns: number;
  readonly p99_ns: number;
  readonly p999_ns: number;
  readonly min_ns: number;
  readonly max_ns: number;
  /** Arrival stamped before the send stamp: must be 0 if the clock is shared. */
  readonly negative: number;
  /** Messages whose length was not the expected size: must be 0. */
  readonly bad: number;
}

export interface ThroughputReport {
  readonly messages: number;
  readonly bytes: number;
  /** The first message's send stamp. */
  readonly first_stamp_ns: number;
  /** When the receiver saw end-of-stream (EOS frame, FIN, or the empty terminator message). */
  readonly end_ns: number;
  readonly bad: number;
}

/**
 * What the peer prints on stdout, one JSON object a line, plus the bare line `a` for each
 * latency message it received (the acknowledgement that lets the sender send the next one).
 */
export type PeerLine =
  | { readonly address: PeerAddress }
  | { readonly latency: LatencyReport }
  | { readonly throughput: ThroughputReport }
  | { readonly error: string };

/** Latency phases before the throughput phase: back-to-back, then paced. */
export const LATENCY_PHASES = 2;
/** The command the sender writes to the peer's stdin to end a latency phase. */
export const CMD_NEXT = "n";
export const ACK_LINE = "a";

/**
 * bench/lanes's one JSON object: the machine, how each figure is measured, the settings, every
 * cell's row, and the targets checked against those rows.
 */
import { availableParallelism, cpus, release, type } from "node:os";
import { type Row, round } from "./cell.ts";
import type { Contender } from "./common.ts";
import type { Settings } from "./settings.ts";

/** A contender left out of the run, and why. */
export interface Skipped {
  lane: Contender;
  reason: string;
}

function latencyMethod(settings: Settings): string {
  const { warmup, gapUs, pacedWarmup } = settings;
  return (
    "one-way, one message in flight: the sender writes process.hrtime.bigint() nanoseconds " +
    "(CLOCK_MONOTONIC, one clock for all processes on a Linux host) into the payload's first 8 " +
    "bytes just before calling the transport's send/write; the receiving process subtracts it " +
    "from its own hrtime when the whole message has arrived, records it in an HDR histogram " +
    "(hdr-histogram-js, pure-JS build, 3 significant digits) and acknowledges on its stdout " +
    "pipe; the next message is sent only after the acknowledgement, so nothing queues and the " +
    "acknowledgement is outside the measured interval. Not RTT/2 (that assumes symmetric " +
    `paths; the shm ring is not). First ${warmup} messages per cell not recorded. p50/p99/p999 ` +
    "are back-to-back (the next message leaves as soon as the ack is in); *_paced_us repeat " +
    `the measurement with a ${gapUs} µs busy-waited gap before each send (${pacedWarmup} ` +
    "warm-up); with the ack's own time the gap exceeds the shm reader's longest poll " +
    "(200 µs, adaptive), so at the default gap every message meets a parked reader (shm: " +
    "doorbell wake-up; sockets: epoll wake-up) — the sparse-traffic case; a shorter --gap-us " +
    "shows the poll catching messages."
  );
}

function throughputMethod(settings: Settings): string {
  return (
    `a separate phase per cell: the sender writes for ${settings.throughputSeconds} s as fast as the ` +
    "transport's backpressure allows (RTT lanes: write() false -> wait for drain; node-uds: " +
    "socket.write() false -> drain; zeromq: await send()), then ends the stream; " +
    "msgs_per_s = messages received / (receiver's end-of-stream time - first message's send " +
    "stamp); gb_per_s counts payload bytes only (1 GB = 1e9 B)."
  );
}

const verdict = (ok: boolean | undefined): boolean | null => (ok === undefined ? null : ok);
const atMost = (value: number | undefined, limit: number) =>
  verdict(value === undefined ? undefined : value <= limit);

/** The targets, each with the figures it was checked on and whether it was met. */
function checks(results: readonly Row[]) {
  const find = (lane: Contender, size: number): Row | undefined =>
    results.find((r) => r.lane === lane && r.size === size && r.error === undefined);
  const shm64k = find("shm", 65536);
  const nodeUds64k = find("node-uds", 65536);
  const shm64 = find("shm", 64);
  const uds64 = find("uds", 64);

  /** p99 of `r` in µs, back-to-back or paced; undefined if the cell is missing. */
  const p99 = (r: Row | undefined, paced: boolean): number | undefined =>
    (paced ? r?.p99_paced_us : r?.p99_us) ?? undefined;
  const latencyChecks = (paced: boolean) => {
    const shmP99 = p99(shm64k, paced);
    const shm64P99 = p99(shm64, paced);
    const uds64P99 = p99(uds64, paced);
    return {
      shm_p99_64KiB_le_1500us: { shm_p99_us: shmP99 ?? null, met: atMost(shmP99, 1500) },
      shm_p99_64KiB_le_100us: { shm_p99_us: shmP99 ?? null, met: atMost(shmP99, 100) },
      shm_p99_64B_lt_uds_p99: {
        shm_p99_us: shm64P99 ?? null,
        uds_p99_us: uds64P99 ?? null,
        met: verdict(
          shm64P99 === undefined || uds64P99 === undefined ? undefined : shm64P99 < uds64P99,
        ),
      },
    };
  };
  const shmRate = shm64k?.msgs_per_s ?? undefined;
  const udsRate = nodeUds64k?.msgs_per_s ?? undefined;
  const ratio = shmRate !== undefined && udsRate !== undefined ? shmRate / udsRate : undefined;
  return {
    ...latencyChecks(false),
    shm_throughput_64KiB_ge_2x_node_uds: {
      shm_msgs_per_s: shmRate ?? null,
      node_uds_msgs_per_s: udsRate ?? null,
      ratio: ratio === undefined ? null : round(ratio, 3),
      met: verdict(ratio === undefined ? undefined : ratio >= 2),
    },
    /** The latency targets again on the paced measurement (sparse traffic, parked readers). */
    paced: latencyChecks(true),
  };
}

/** The report of a run that took `elapsedS` seconds. */
export function summary(
  settings: Settings,
  run: {
    readonly zmqVersion: string | undefined;
    readonly skipped: readonly Skipped[];
    readonly results: readonly Row[];
    readonly elapsedS: number;
  },
) {
  const cpuList = cpus();
  return {
    bench: "lanes",
    machine: {
      cpu: cpuList[0]?.model ?? "unknown",
      cores: availableParallelism(),
      node: process.version,
      os: `${type()} ${release()} ${process.arch}`,
    },
    latency_method: latencyMethod(settings),
    throughput_method: throughputMethod(settings),
    settings: {
      sizes: settings.sizes,
      latency_seconds: settings.latencySeconds,
      max_samples: settings.maxSamples,
      warmup: settings.warmup,
      paced_seconds: settings.pacedSeconds,
      paced_gap_us: settings.gapUs,
      paced_warmup: settings.pacedWarmup,
      throughput_seconds: settings.throughputSeconds,
      shm_reader_options: settings.shmOptions,
      quick: settings.quick,
    },
    contenders: {
      shm: "RTT shm lane: SPSC ring in POSIX shared memory + doorbell Unix socket (defaults: 8 MiB ring, an adaptive poll of at most 200 µs before parking)",
      uds: "RTT uds lane: RTT frames over a Unix stream socket",
      tcp: "RTT tcp lane: RTT frames over loopback TCP (127.0.0.1, TCP_NODELAY)",
      "node-uds": "raw node:net over a Unix stream socket, no framing, receiver counts bytes",
      "zeromq-ipc": `npm zeromq 6.8.0 (libzmq ${run.zmqVersion ?? "not loaded"}) PUSH/PULL over ipc://, default options; prebuilt addon shipped inside the npm package, its install script only loads it (no download)`,
    },
    skipped: run.skipped,
    results: run.results,
    targets: {
      shm_p99_us_at_64KiB_max: 1500,
      shm_p99_us_at_64KiB_stretch: 100,
      shm_msgs_per_s_at_64KiB_vs_node_uds_min_ratio: 2,
      shm_p99_at_64B_below_uds_lane_p99: true,
    },
    checks: checks(run.results),
    elapsed_s: run.elapsedS,
  };
}

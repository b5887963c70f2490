/**
 * bench/lanes — RTT's lanes (shm, uds, tcp) against two peers that are not RTT, in the same
 * run: raw Node `net` over a Unix socket with no framing (`node-uds`) and ZeroMQ PUSH/PULL over
 * `ipc://` (`zeromq-ipc`, npm `zeromq` v6), and core NATS publish/subscribe through a
 * `nats-server` on loopback (`nats`, what the nats connector carries a route across machines
 * with; ADR 0032). Two OS processes on one host: this one sends,
 * bench/lanes/peer.ts receives; one peer process per (contender, size) cell.
 *
 * Message sizes 64 B, 4 KiB, 64 KiB, 1 MiB (the application payload; RTT lanes add their
 * 32-byte frame header, the raw peers add nothing). Each cell measures, on one connection:
 *
 * - One-way latency (p50/p99/p99.9, µs, HDR histogram). One message in flight: the sender
 *   stamps CLOCK_MONOTONIC nanoseconds (process.hrtime.bigint(), system-wide on Linux, so both
 *   processes read the same clock) into the payload's first 8 bytes right before handing the
 *   message to the transport's API (so framing, copies and syscalls are inside the figure);
 *   the receiver subtracts the stamp from its own clock reading when the whole message has
 *   arrived (frame event / last byte / ZeroMQ message), records it, and acknowledges on a side
 *   channel (its stdout pipe); only then does the sender send the next. So no queue builds up,
 *   and the acknowledgement's own cost is outside the measured interval. Not round-trip/2: that
 *   would assume both directions cost the same, which is false for the shm ring (the writer
 *   never parks, the reader does). The first WARMUP messages are not recorded. Measured twice:
 *   back-to-back (the next message leaves as soon as the ack is in: the figures the targets
 *   are checked on), then paced (a busy-waited GAP_US before each send; with the ack's time
 *   the default 200 µs exceeds the shm reader's longest poll, so every message meets a parked
 *   reader: the sparse-traffic case; a shorter --gap-us shows the adaptive poll at work).
 * - Throughput (msgs/s, GB/s = 1e9 payload bytes/s). A separate phase: the sender writes as
 *   fast as each transport's backpressure allows for a fixed time, then ends the stream; rate
 *   = messages received / (receiver's end-of-stream time − first message's send stamp).
 *
 * Prints progress on stderr and one JSON object as the last line of stdout (report.ts). The
 * parts: settings.ts (the options), peer-process.ts (the peers), senders.ts (one per
 * contender), cell.ts (the measurement of one cell), report.ts (the JSON).
 * Usage: npm run bench:lanes [-- --quick] [--only shm,uds] [--sizes 64,65536]
 *          [--latency-seconds S] [--paced-seconds S] [--gap-us US] [--throughput-seconds S]
 *          [--samples N] [--prof-dir DIR] [--shm-spin-us US] [--shm-busy-poll]
 * --prof-dir runs every peer (the receiving side) with --cpu-prof into DIR; to profile the
 * sending side too, run `npx node --cpu-prof bench/lanes/run.ts …`. --shm-spin-us and
 * --shm-busy-poll set the shm reader's ShmOptions (default: the lane's defaults).
 */
import { mkdirSync } from "node:fs";
import { errorMessage } from "@rtt/core";
import { loadShm, shmUnavailableReason } from "@rtt/fabric";
import { NatsServer, skipWithoutNats } from "../../test/support/nats-server.ts";
import { cleanUpOnExit } from "../clean-up-on-exit.ts";
import { type Row, round, runCell } from "./cell.ts";
import { CONTENDERS, NATS_URL_ENV, nowNs } from "./common.ts";
import { PeerProcesses } from "./peer-process.ts";
import { type Skipped, summary } from "./report.ts";
import type { Zmq } from "./senders.ts";
import { parseSettings } from "./settings.ts";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const settings = parseSettings();
const peers = new PeerProcesses(settings);
cleanUpOnExit("bench:lanes", () => {
  peers.cleanUp();
  void nats?.dispose();
});

const skipped: Skipped[] = [];
if (settings.only.includes("shm") && loadShm() === undefined) {
  skipped.push({ lane: "shm", reason: shmUnavailableReason() ?? "shm unavailable" });
}
let zmq: Zmq | undefined;
let zmqVersion: string | undefined;
if (settings.only.includes("zeromq-ipc")) {
  try {
    zmq = await import("zeromq");
    zmqVersion = zmq.version;
  } catch (error) {
    skipped.push({
      lane: "zeromq-ipc",
      reason: `zeromq failed to load: ${errorMessage(error)}`,
    });
  }
}
let nats: NatsServer | undefined;
if (settings.only.includes("nats")) {
  if (skipWithoutNats !== false) skipped.push({ lane: "nats", reason: skipWithoutNats });
  else {
    nats = await NatsServer.start();
    process.env[NATS_URL_ENV] = nats.url;
  }
}
for (const s of skipped) log(`skipping ${s.lane}: ${s.reason}`);
const contenders = CONTENDERS.filter(
  (c) => settings.only.includes(c) && !skipped.some((s) => s.lane === c),
);
if (settings.profDir !== undefined) mkdirSync(settings.profDir, { recursive: true });

const started = nowNs();
const results: Row[] = [];
for (const size of settings.sizes) {
  for (const contender of contenders) {
    const r = await runCell(contender, size, { settings, peers, zmq, log });
    results.push(r);
    if (r.error === undefined) {
      log(
        `${contender.padEnd(10)} ${String(size).padStart(7)} B  latency p50/p99/p99.9 ` +
          `${r.p50_us}/${r.p99_us}/${r.p999_us} µs (${r.latency_samples}), paced ` +
          `${r.p50_paced_us}/${r.p99_paced_us}/${r.p999_paced_us} µs (${r.paced_samples})  ` +
          `throughput ${r.msgs_per_s} msg/s, ${r.gb_per_s} GB/s`,
      );
    }
  }
}

await nats?.dispose();
const elapsedS = round((nowNs() - started) / 1e9, 3);
const report = summary(settings, { zmqVersion, skipped, results, elapsedS });
log(`bench:lanes done in ${report.elapsed_s} s`);
process.stdout.write(`${JSON.stringify(report)}\n`);
// The JSON is printed whatever happened; a cell that failed still fails the run.
if (results.some((r) => r.error !== undefined)) process.exitCode = 1;

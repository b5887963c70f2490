/**
 * The measurement of one cell, a (contender, message size) pair, on one connection to its own
 * peer process: latency back-to-back, latency paced, then throughput (run.ts describes each).
 * A cell that fails or times out is a row with its error, not the end of the run.
 */
import { errorMessage } from "@rtt/core";
import {
  CMD_NEXT,
  type Contender,
  type LatencyReport,
  nowNs,
  type PeerLine,
  type ThroughputReport,
  writeStamp,
} from "./common.ts";
import type { Peer, PeerProcesses } from "./peer-process.ts";
import { connectSender, type Sender, type Zmq } from "./senders.ts";
import type { Settings } from "./settings.ts";

/** One cell's figures, as the report prints them. */
export interface Row {
  lane: Contender;
  size: number;
  p50_us: number | null;
  p99_us: number | null;
  p999_us: number | null;
  msgs_per_s: number | null;
  gb_per_s: number | null;
  latency_samples: number;
  p50_paced_us: number | null;
  p99_paced_us: number | null;
  p999_paced_us: number | null;
  paced_samples: number;
  throughput_messages: number;
  throughput_seconds: number | null;
  error?: string;
}

/** What a cell needs from the run. */
export interface CellBench {
  readonly settings: Settings;
  readonly peers: PeerProcesses;
  /** The zeromq module, when it loaded. */
  readonly zmq: Zmq | undefined;
  readonly log: (line: string) => void;
}

const us = (ns: number): number => Math.round(ns / 10) / 100;
export const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

function expectLine<K extends "address" | "latency" | "throughput">(
  line: PeerLine,
  key: K,
): Extract<PeerLine, Record<K, unknown>> {
  if (!(key in line)) throw new Error(`peer sent ${JSON.stringify(line)}, expected ${key}`);
  return line as Extract<PeerLine, Record<K, unknown>>;
}

export async function runCell(contender: Contender, size: number, bench: CellBench): Promise<Row> {
  const { settings, log } = bench;
  const peer = bench.peers.start(contender, size);
  let sender: Sender | undefined;
  const timer = setTimeout(() => {
    log(`  ${contender} ${size} B: timed out after ${settings.cellTimeoutMs} ms, killing the peer`);
    sender?.destroy();
    peer.kill();
  }, settings.cellTimeoutMs);
  try {
    const { address } = expectLine(await peer.nextLine(), "address");
    sender = await connectSender(address, bench.zmq);
    const cell = { contender, size, peer, sender };
    // Latency: one message in flight, stamped right before it is handed over; back-to-back,
    // then paced.
    const message = new Uint8Array(size).fill(0xa5);
    const { maxSamples } = settings;
    const latency = await latencyPhase(cell, message, maxSamples, {
      warmup: settings.warmup,
      seconds: settings.latencySeconds,
      gapUs: 0,
    });
    const paced = await latencyPhase(cell, message, maxSamples, {
      warmup: settings.pacedWarmup,
      seconds: settings.pacedSeconds,
      gapUs: settings.gapUs,
    });
    const throughput = await measureThroughput(cell, settings.throughputSeconds);
    sender.destroy();
    await peer.stop();
    return row(contender, size, latency, paced, throughput);
  } catch (error) {
    sender?.destroy();
    peer.kill();
    await peer.exited;
    const message = errorMessage(error);
    log(`  ${contender} ${size} B: FAILED: ${message}`);
    return failedRow(contender, size, message);
  } finally {
    clearTimeout(timer);
  }
}

/** The cell being measured: its contender and size, its peer and the sender connected to it. */
interface Cell {
  readonly contender: Contender;
  readonly size: number;
  readonly peer: Peer;
  readonly sender: Sender;
}

/** A latency phase's own settings: back-to-back (no gap) or paced. */
interface LatencyPhase {
  readonly warmup: number;
  readonly seconds: number;
  /** The busy-waited gap before each send. */
  readonly gapUs: number;
}

/** One latency phase: measured, ended with CMD_NEXT, and the peer's report checked. */
async function latencyPhase(
  cell: Cell,
  message: Uint8Array,
  maxSamples: number,
  { warmup, seconds, gapUs }: LatencyPhase,
): Promise<LatencyReport> {
  await measureLatency(cell, message, warmup, maxSamples, seconds, gapUs * 1000);
  cell.peer.command(CMD_NEXT);
  const { latency } = expectLine(await cell.peer.nextLine(), "latency");
  checkLatency(cell.contender, cell.size, latency);
  return latency;
}

/** Sends one message at a time, each after the previous one's ack (and `gapNs` more). */
async function measureLatency(
  { peer, sender }: Cell,
  message: Uint8Array,
  warmup: number,
  maxSamples: number,
  seconds: number,
  gapNs: number,
): Promise<void> {
  const deadline = nowNs() + seconds * 1e9;
  for (let i = 0; i < warmup + maxSamples; i++) {
    if (gapNs > 0) {
      const until = nowNs() + gapNs;
      while (nowNs() < until) {
        // busy-wait: a timer cannot sleep 200 µs, and the peer must find nothing to read
      }
    }
    const ack = peer.nextAck();
    ack.catch(() => {}); // awaited below; if send() throws first, the rejection is not stray
    writeStamp(message, nowNs());
    const pending = sender.send(message);
    if (pending !== undefined) await pending;
    await ack;
    if (i >= warmup && nowNs() > deadline) break;
  }
}

/**
 * Throughput: as fast as backpressure allows, for `seconds`, then the end of the stream. The
 * first message gets its own buffer (its stamp starts the clock); the rest share one that never
 * changes.
 */
async function measureThroughput(
  { size, peer, sender }: Cell,
  seconds: number,
): Promise<ThroughputReport> {
  const first = new Uint8Array(size).fill(0x5a);
  const body = new Uint8Array(size).fill(0x5a);
  const stop = nowNs() + seconds * 1e9;
  writeStamp(first, nowNs());
  let pending = sender.send(first);
  if (pending !== undefined) await pending;
  for (;;) {
    for (let i = 0; i < 32; i++) {
      pending = sender.send(body);
      if (pending !== undefined) await pending;
    }
    if (nowNs() >= stop) break;
  }
  const ended = sender.end();
  ended.catch(() => {}); // a failure shows up as the peer's; never an unhandled rejection
  const { throughput } = expectLine(await peer.nextLine(), "throughput");
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 3000))]);
  return throughput;
}

function checkLatency(contender: Contender, size: number, latency: LatencyReport): void {
  if (latency.negative > 0 || latency.bad > 0) {
    throw new Error(
      `${contender} ${size} B: ${latency.negative} negative latencies, ${latency.bad} wrong sizes`,
    );
  }
}

function row(
  contender: Contender,
  size: number,
  latency: LatencyReport,
  paced: LatencyReport,
  throughput: ThroughputReport,
): Row {
  if (throughput.bad > 0) throw new Error(`${throughput.bad} messages of the wrong size`);
  const seconds = (throughput.end_ns - throughput.first_stamp_ns) / 1e9;
  const rate = throughput.messages / seconds;
  return {
    lane: contender,
    size,
    p50_us: us(latency.p50_ns),
    p99_us: us(latency.p99_ns),
    p999_us: us(latency.p999_ns),
    msgs_per_s: Math.round(rate),
    gb_per_s: round((rate * size) / 1e9, 4),
    latency_samples: latency.samples,
    p50_paced_us: us(paced.p50_ns),
    p99_paced_us: us(paced.p99_ns),
    p999_paced_us: us(paced.p999_ns),
    paced_samples: paced.samples,
    throughput_messages: throughput.messages,
    throughput_seconds: round(seconds, 4),
  };
}

function failedRow(contender: Contender, size: number, error: string): Row {
  return {
    lane: contender,
    size,
    p50_us: null,
    p99_us: null,
    p999_us: null,
    msgs_per_s: null,
    gb_per_s: null,
    latency_samples: 0,
    p50_paced_us: null,
    p99_paced_us: null,
    p999_paced_us: null,
    paced_samples: 0,
    throughput_messages: 0,
    throughput_seconds: null,
    error,
  };
}

/**
 * bench/lanes — RTT's lanes (shm, uds, tcp) against two peers that are not RTT, in the same
 * run: raw Node `net` over a Unix socket with no framing (`node-uds`) and ZeroMQ PUSH/PULL over
 * `ipc://` (`zeromq-ipc`, npm `zeromq` v6). Two OS processes on one host: this one sends,
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
 *   are checked on), then paced (a busy-waited GAP_US before each send, longer than the shm
 *   reader's 50 µs spin, so every message meets a parked reader: the sparse-traffic case).
 * - Throughput (msgs/s, GB/s = 1e9 payload bytes/s). A separate phase: the sender writes as
 *   fast as each transport's backpressure allows for a fixed time, then ends the stream; rate
 *   = messages received / (receiver's end-of-stream time − first message's send stamp).
 *
 * Prints progress on stderr and one JSON object as the last line of stdout.
 * Usage: npm run bench:lanes [-- --quick] [--only shm,uds] [--sizes 64,65536]
 *          [--latency-seconds S] [--paced-seconds S] [--gap-us US] [--throughput-seconds S]
 *          [--samples N] [--prof-dir DIR] [--shm-spin-us US] [--shm-busy-poll]
 * --prof-dir runs every peer (the receiving side) with --cpu-prof into DIR; to profile the
 * sending side too, run `npx node --cpu-prof bench/lanes/run.ts …`. --shm-spin-us and
 * --shm-busy-poll set the shm reader's ShmOptions (default: the lane's defaults).
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { availableParallelism, cpus, release, tmpdir, type } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { childTarget, terminate } from "@rtt/connector-sdk";
import { errorMessage } from "@rtt/core";
import { connectWriter, type LaneWriter, loadShm, shmUnavailableReason } from "@rtt/fabric";
import {
  ACK_LINE,
  CMD_NEXT,
  CONTENDERS,
  type Contender,
  isContender,
  type LatencyReport,
  nowNs,
  type PeerAddress,
  type PeerLine,
  type ThroughputReport,
  writeStamp,
} from "./common.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    sizes: { type: "string" },
    "latency-seconds": { type: "string" },
    "throughput-seconds": { type: "string" },
    samples: { type: "string" },
    "paced-seconds": { type: "string" },
    "gap-us": { type: "string" },
    "prof-dir": { type: "string" },
    "shm-spin-us": { type: "string" },
    "shm-busy-poll": { type: "boolean", default: false },
  },
});

const SIZES = (values.sizes ?? "64,4096,65536,1048576").split(",").map(Number);
const ONLY = values.only?.split(",") ?? [...CONTENDERS];
for (const name of ONLY) {
  if (!isContender(name)) throw new Error(`--only: unknown contender ${name}`);
}
const LATENCY_S = Number(values["latency-seconds"] ?? (values.quick ? 0.4 : 1.5));
/** The paced latency phase: a busy-waited gap between an ack and the next send. */
const PACED_S = Number(values["paced-seconds"] ?? (values.quick ? 0.3 : 1));
const GAP_US = Number(values["gap-us"] ?? 200);
const THROUGHPUT_S = Number(values["throughput-seconds"] ?? (values.quick ? 0.4 : 1.5));
/** Latency samples per cell at most (the time limit usually stops 64 KiB and 1 MiB first). */
const MAX_SAMPLES = Number(values.samples ?? (values.quick ? 5000 : 20000));
const WARMUP = values.quick ? 100 : 300;
const PACED_WARMUP = 20;
const PROF_DIR = values["prof-dir"];
/** The shm reader's options; the lane's defaults unless these flags are given. */
const SHM_OPTIONS = {
  ...(values["shm-spin-us"] === undefined ? {} : { spinMicros: Number(values["shm-spin-us"]) }),
  ...(values["shm-busy-poll"] ? { busyPoll: true } : {}),
};
const PEER = new URL("./peer.ts", import.meta.url).pathname;
/** A cell that takes longer than this is killed and reported as an error. */
const CELL_TIMEOUT_MS = 20_000 + 4_000 * (LATENCY_S + PACED_S + THROUGHPUT_S);

const LATENCY_METHOD =
  "one-way, one message in flight: the sender writes process.hrtime.bigint() nanoseconds " +
  "(CLOCK_MONOTONIC, one clock for all processes on a Linux host) into the payload's first 8 " +
  "bytes just before calling the transport's send/write; the receiving process subtracts it " +
  "from its own hrtime when the whole message has arrived, records it in an HDR histogram " +
  "(hdr-histogram-js, pure-JS build, 3 significant digits) and acknowledges on its stdout " +
  "pipe; the next message is sent only after the acknowledgement, so nothing queues and the " +
  "acknowledgement is outside the measured interval. Not RTT/2 (that assumes symmetric " +
  `paths; the shm ring is not). First ${WARMUP} messages per cell not recorded. p50/p99/p999 ` +
  "are back-to-back (the next message leaves as soon as the ack is in); *_paced_us repeat " +
  `the measurement with a ${GAP_US} µs busy-waited gap before each send (${PACED_WARMUP} ` +
  "warm-up), longer than the shm reader's 50 µs spin, so every message meets a parked " +
  "reader (shm: doorbell wake-up; sockets: epoll wake-up) — the sparse-traffic case.";

const THROUGHPUT_METHOD =
  `a separate phase per cell: the sender writes for ${THROUGHPUT_S} s as fast as the ` +
  "transport's backpressure allows (RTT lanes: write() false -> wait for drain; node-uds: " +
  "socket.write() false -> drain; zeromq: await send()), then ends the stream; " +
  "msgs_per_s = messages received / (receiver's end-of-stream time - first message's send " +
  "stamp); gb_per_s counts payload bytes only (1 GB = 1e9 B).";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Every process this bench starts is killed on the way out, however it goes out.

const children = new Set<ChildProcess>();
const WORK_PREFIX = "rtt-bench-lanes-";
// A run killed with SIGKILL cannot clean up: its peers exit when their stdin closes, but its
// folder stays. The folder's name carries the pid, so the next run removes it.
for (const entry of readdirSync(tmpdir())) {
  const pid = Number(/^rtt-bench-lanes-(\d+)-/.exec(entry)?.[1]);
  if (pid > 0 && !isAlive(pid)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
}
const workDir = mkdtempSync(join(tmpdir(), `${WORK_PREFIX}${process.pid}-`));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
function cleanUp(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
  rmSync(workDir, { recursive: true, force: true });
}
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`bench:lanes: ${signal}, stopping`);
    cleanUp();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// The peer process and its stdout protocol (common.ts).

class Peer {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  #text = "";
  #acks = 0;
  #ackWaiter: (() => void) | undefined;
  readonly #lines: PeerLine[] = [];
  #lineWaiter: ((line: PeerLine) => void) | undefined;
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  constructor(contender: Contender, size: number) {
    const prof =
      PROF_DIR === undefined
        ? []
        : [
            "--cpu-prof",
            `--cpu-prof-dir=${PROF_DIR}`,
            `--cpu-prof-name=peer-${contender}-${size}.cpuprofile`,
          ];
    this.child = spawn(
      process.execPath,
      [
        ...prof,
        PEER,
        contender,
        String(size),
        `${WARMUP},${PACED_WARMUP}`,
        workDir,
        JSON.stringify(SHM_OPTIONS),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    children.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        children.delete(this.child);
        if (code !== 0) this.#fail(new Error(`peer exited with ${signal ?? `code ${code}`}`));
        resolve();
      });
    });
    this.child.once("error", (error) => this.#fail(error));
    this.child.stdin?.on("error", () => {});
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.#onData(chunk));
  }

  #onData(chunk: string): void {
    this.#text += chunk;
    let nl = this.#text.indexOf("\n");
    while (nl >= 0) {
      const line = this.#text.slice(0, nl);
      this.#text = this.#text.slice(nl + 1);
      nl = this.#text.indexOf("\n");
      if (line === ACK_LINE) {
        const waiter = this.#ackWaiter;
        if (waiter === undefined) this.#acks++;
        else {
          this.#ackWaiter = undefined;
          waiter();
        }
        continue;
      }
      const parsed = JSON.parse(line) as PeerLine;
      if ("error" in parsed) {
        this.#fail(new Error(`peer: ${parsed.error}`));
        continue;
      }
      const waiter = this.#lineWaiter;
      if (waiter === undefined) this.#lines.push(parsed);
      else {
        this.#lineWaiter = undefined;
        waiter(parsed);
      }
    }
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#onFailure?.(error);
  }

  /** Rejects as soon as the peer fails; `work` runs against that. */
  #guard<T>(work: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure);
        return;
      }
      this.#onFailure = reject;
      work(resolve);
    });
  }

  nextLine(): Promise<PeerLine> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return this.#guard((resolve) => {
      this.#lineWaiter = resolve;
    });
  }

  nextAck(): Promise<void> {
    if (this.#acks > 0) {
      this.#acks--;
      return Promise.resolve();
    }
    return this.#guard((resolve) => {
      this.#ackWaiter = resolve;
    });
  }

  command(text: string): void {
    this.child.stdin?.write(`${text}\n`);
  }

  /** Closes stdin (the peer's cue to exit) and waits; kills it if it lingers. */
  async stop(): Promise<void> {
    this.child.stdin?.end();
    await terminate(childTarget(this.child), { signal: null, graceMs: 3000 });
    await this.exited;
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// Senders: one shape for the five contenders.

interface Sender {
  /** Hands one message to the transport: undefined if more may follow now, else a promise to
   *  await first (backpressure). The message must not change until it has been delivered. */
  send(message: Uint8Array): Promise<void> | undefined;
  /** Ends the stream (EOS, FIN, or an empty message) once everything before it is sent. */
  end(): Promise<void>;
  destroy(): void;
}

function once(emitter: EventEmitter, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      emitter.off("error", onError);
      emitter.off("close", onClose);
      resolve();
    };
    const onError = (error: Error) => {
      emitter.off(event, onEvent);
      emitter.off("close", onClose);
      reject(error);
    };
    const onClose = () => {
      emitter.off(event, onEvent);
      emitter.off("error", onError);
      reject(new Error(`closed while waiting for ${event}`));
    };
    emitter.once(event, onEvent);
    emitter.once("error", onError);
    emitter.once("close", onClose);
  });
}

async function laneSender(address: PeerAddress & { kind: "lane" }): Promise<Sender> {
  const writer: LaneWriter = await connectWriter(address.address);
  writer.on("error", () => {}); // surfaced through once() and the peer
  return {
    send: (message) => (writer.write(message) ? undefined : once(writer, "drain")),
    end: () => writer.end(),
    destroy: () => writer.destroy(),
  };
}

async function nodeUdsSender(path: string): Promise<Sender> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
  socket.on("error", () => {});
  return {
    send: (message) => (socket.write(message) ? undefined : once(socket, "drain")),
    end: () =>
      new Promise((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
      }),
    destroy: () => socket.destroy(),
  };
}

type Zmq = typeof import("zeromq");

async function zeromqSender(zmq: Zmq, endpoint: string): Promise<Sender> {
  const push = new zmq.Push({ linger: 2000 });
  push.connect(endpoint);
  return {
    send: (message) => push.send(message),
    end: async () => {
      await push.send(new Uint8Array(0));
    },
    destroy: () => push.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// One cell.

interface Row {
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

const us = (ns: number): number => Math.round(ns / 10) / 100;
const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

function expectLine<K extends "address" | "latency" | "throughput">(
  line: PeerLine,
  key: K,
): Extract<PeerLine, Record<K, unknown>> {
  if (!(key in line)) throw new Error(`peer sent ${JSON.stringify(line)}, expected ${key}`);
  return line as Extract<PeerLine, Record<K, unknown>>;
}

async function runCell(contender: Contender, size: number, zmq: Zmq | undefined): Promise<Row> {
  const peer = new Peer(contender, size);
  let sender: Sender | undefined;
  const timer = setTimeout(() => {
    log(`  ${contender} ${size} B: timed out after ${CELL_TIMEOUT_MS} ms, killing the peer`);
    sender?.destroy();
    peer.kill();
  }, CELL_TIMEOUT_MS);
  try {
    const { address } = expectLine(await peer.nextLine(), "address");
    if (address.kind === "lane") sender = await laneSender(address);
    else if (address.kind === "node-uds") sender = await nodeUdsSender(address.path);
    else if (zmq !== undefined) sender = await zeromqSender(zmq, address.endpoint);
    else throw new Error("zeromq is not loaded");

    // Latency: one message in flight, stamped right before it is handed over; back-to-back,
    // then paced.
    const message = new Uint8Array(size).fill(0xa5);
    await measureLatency(peer, sender, message, WARMUP, LATENCY_S, 0);
    peer.command(CMD_NEXT);
    const { latency } = expectLine(await peer.nextLine(), "latency");
    checkLatency(contender, size, latency);
    await measureLatency(peer, sender, message, PACED_WARMUP, PACED_S, GAP_US * 1000);
    peer.command(CMD_NEXT);
    const paced = expectLine(await peer.nextLine(), "latency").latency;
    checkLatency(contender, size, paced);

    // Throughput: as fast as backpressure allows, for THROUGHPUT_S. The first message gets its
    // own buffer (its stamp starts the clock); the rest share one that never changes.
    const first = new Uint8Array(size).fill(0x5a);
    const body = new Uint8Array(size).fill(0x5a);
    const stop = nowNs() + THROUGHPUT_S * 1e9;
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
    sender.destroy();
    await peer.stop();
    return row(contender, size, latency, paced, throughput);
  } catch (error) {
    sender?.destroy();
    peer.kill();
    await peer.exited;
    const message = errorMessage(error);
    log(`  ${contender} ${size} B: FAILED: ${message}`);
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
      error: message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one message at a time, each after the previous one's ack (and `gapNs` more). */
async function measureLatency(
  peer: Peer,
  sender: Sender,
  message: Uint8Array,
  warmup: number,
  seconds: number,
  gapNs: number,
): Promise<void> {
  const deadline = nowNs() + seconds * 1e9;
  for (let i = 0; i < warmup + MAX_SAMPLES; i++) {
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

// ---------------------------------------------------------------------------------------------
// The run.

const skipped: { lane: Contender; reason: string }[] = [];
if (ONLY.includes("shm") && loadShm() === undefined) {
  skipped.push({ lane: "shm", reason: shmUnavailableReason() ?? "shm unavailable" });
}
let zmq: Zmq | undefined;
let zmqVersion: string | undefined;
if (ONLY.includes("zeromq-ipc")) {
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
for (const s of skipped) log(`skipping ${s.lane}: ${s.reason}`);
const contenders = CONTENDERS.filter((c) => ONLY.includes(c) && !skipped.some((s) => s.lane === c));
if (PROF_DIR !== undefined) mkdirSync(PROF_DIR, { recursive: true });

const started = nowNs();
const results: Row[] = [];
for (const size of SIZES) {
  for (const contender of contenders) {
    const r = await runCell(contender, size, zmq);
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

const find = (lane: Contender, size: number): Row | undefined =>
  results.find((r) => r.lane === lane && r.size === size && r.error === undefined);
const shm64k = find("shm", 65536);
const nodeUds64k = find("node-uds", 65536);
const shm64 = find("shm", 64);
const uds64 = find("uds", 64);

/** p99 of `r` in µs, back-to-back or paced; undefined if the cell is missing. */
const p99 = (r: Row | undefined, paced: boolean): number | undefined =>
  (paced ? r?.p99_paced_us : r?.p99_us) ?? undefined;
const verdict = (ok: boolean | undefined): boolean | null => (ok === undefined ? null : ok);
const atMost = (value: number | undefined, limit: number) =>
  verdict(value === undefined ? undefined : value <= limit);

function latencyChecks(paced: boolean) {
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
}
const shmRate = shm64k?.msgs_per_s ?? undefined;
const udsRate = nodeUds64k?.msgs_per_s ?? undefined;
const ratio = shmRate !== undefined && udsRate !== undefined ? shmRate / udsRate : undefined;
const backToBack = latencyChecks(false);
const checks = {
  ...backToBack,
  shm_throughput_64KiB_ge_2x_node_uds: {
    shm_msgs_per_s: shmRate ?? null,
    node_uds_msgs_per_s: udsRate ?? null,
    ratio: ratio === undefined ? null : round(ratio, 3),
    met: verdict(ratio === undefined ? undefined : ratio >= 2),
  },
  /** The latency targets again on the paced measurement (sparse traffic, parked readers). */
  paced: latencyChecks(true),
};

const cpuList = cpus();
const summary = {
  bench: "lanes",
  machine: {
    cpu: cpuList[0]?.model ?? "unknown",
    cores: availableParallelism(),
    node: process.version,
    os: `${type()} ${release()} ${process.arch}`,
  },
  latency_method: LATENCY_METHOD,
  throughput_method: THROUGHPUT_METHOD,
  settings: {
    sizes: SIZES,
    latency_seconds: LATENCY_S,
    max_samples: MAX_SAMPLES,
    warmup: WARMUP,
    paced_seconds: PACED_S,
    paced_gap_us: GAP_US,
    paced_warmup: PACED_WARMUP,
    throughput_seconds: THROUGHPUT_S,
    shm_reader_options: SHM_OPTIONS,
    quick: values.quick,
  },
  contenders: {
    shm: "RTT shm lane: SPSC ring in POSIX shared memory + doorbell Unix socket (defaults: 8 MiB ring, 50 µs spin before parking)",
    uds: "RTT uds lane: RTT frames over a Unix stream socket",
    tcp: "RTT tcp lane: RTT frames over loopback TCP (127.0.0.1, TCP_NODELAY)",
    "node-uds": "raw node:net over a Unix stream socket, no framing, receiver counts bytes",
    "zeromq-ipc": `npm zeromq 6.8.0 (libzmq ${zmqVersion ?? "not loaded"}) PUSH/PULL over ipc://, default options; prebuilt addon shipped inside the npm package, its install script only loads it (no download)`,
  },
  skipped,
  results,
  targets: {
    shm_p99_us_at_64KiB_max: 1500,
    shm_p99_us_at_64KiB_stretch: 100,
    shm_msgs_per_s_at_64KiB_vs_node_uds_min_ratio: 2,
    shm_p99_at_64B_below_uds_lane_p99: true,
  },
  checks,
  elapsed_s: round((nowNs() - started) / 1e9, 3),
};
log(`bench:lanes done in ${summary.elapsed_s} s`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
// The JSON is printed whatever happened; a cell that failed still fails the run.
if (results.some((r) => r.error !== undefined)) process.exitCode = 1;

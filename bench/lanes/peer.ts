/**
 * The receiving process of bench/lanes (run.ts is the sending one). One peer serves one cell,
 * a (contender, message size) pair, over one connection, in three phases:
 *
 *   node peer.ts <contender> <size> <warmup,warmup> <dir> [<shm reader options JSON>]
 *
 *   1. Listens (an RTT lane reader, a raw Unix socket server, a ZeroMQ PULL socket bound to
 *      ipc://, or a NATS subscription on the server run.ts started) and prints {"address": …}.
 *   2. Latency, twice (back-to-back, then paced; the sender decides the pacing): for each
 *      message, reads the send stamp in its first 8 bytes, records arrival − stamp (ns) in an
 *      HDR histogram (pure-JS build), and prints the line `a` so the sender sends the next one:
 *      one message in flight. The first <warmup> of each phase are not recorded. On `n` on
 *      stdin it prints {"latency": …} for the phase and goes on to the next.
 *   3. Throughput: counts messages and bytes until end-of-stream, then prints
 *      {"throughput": …} and exits when stdin closes (or after 5 s).
 *
 * Stdin closing at any time (the sender died) ends the peer, so no peer outlives the bench.
 */
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { connect as natsConnect } from "@nats-io/transport-node";
import { errorMessage } from "@rtt/core";
import { type Frame, type LaneKind, type LaneOptions, listenReader } from "@rtt/fabric";
import { build } from "hdr-histogram-js";
import {
  ACK_LINE,
  CMD_NEXT,
  type Contender,
  isContender,
  isRttLane,
  LATENCY_PHASES,
  type LatencyReport,
  NATS_URL_ENV,
  nowNs,
  type PeerLine,
  readStamp,
  STAMP_BYTES,
} from "./common.ts";

const [contenderArg = "", sizeArg = "", warmupArg = "", dirArg = "", optionsArg = "{}"] =
  process.argv.slice(2);
if (!isContender(contenderArg) || !(Number(sizeArg) >= STAMP_BYTES) || dirArg === "") {
  process.stderr.write(
    "usage: peer.ts <contender> <size ≥ 8> <warmup,warmup> <dir> [<lane options JSON>]\n",
  );
  process.exit(2);
}
const contender: Contender = contenderArg;
const size = Number(sizeArg);
/** Messages not recorded at the start of each latency phase. */
const warmups = warmupArg.split(",").map((w) => Number(w) || 0);
const dir = dirArg;
/** Reader options for the RTT lanes (run.ts's --shm-spin-us / --shm-busy-poll). */
const laneOptions = JSON.parse(optionsArg) as LaneOptions;

function out(line: PeerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function fail(error: unknown): never {
  out({ error: errorMessage(error) });
  process.exit(3);
}

// A peer never outlives its sender, nor a stuck cell.
process.stdin.on("end", () => process.exit(0));
setTimeout(() => fail("peer timed out after 120 s"), 120_000).unref();

// ---------------------------------------------------------------------------------------------
// The phases, whatever the transport.

let phase: "latency" | "throughput" = "latency";
let latencyPhase = 0;
const newHistogram = () =>
  build({ useWebAssembly: false, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
let histogram = newHistogram();
let warmup = warmups[0] ?? 0;
let seen = 0;
let negative = 0;
let latencyBad = 0;

/** One latency message has fully arrived at `now`: record it and let the sender go on. */
function onLatency(stamp: number, length: number, now: number): void {
  seen++;
  if (length !== size) latencyBad++;
  if (seen > warmup) {
    const delta = now - stamp;
    if (delta < 0) negative++;
    else histogram.recordValue(Math.round(delta));
  }
  process.stdout.write(`${ACK_LINE}\n`);
}

function latencyReport(): LatencyReport {
  const samples = histogram.totalCount;
  return {
    samples,
    p50_ns: histogram.getValueAtPercentile(50),
    p99_ns: histogram.getValueAtPercentile(99),
    p999_ns: histogram.getValueAtPercentile(99.9),
    min_ns: samples > 0 ? histogram.minNonZeroValue : 0,
    max_ns: histogram.maxValue,
    negative,
    bad: latencyBad,
  };
}

let messages = 0;
let bytes = 0;
let firstStamp = Number.NaN;
let throughputBad = 0;
let reported = false;

function onThroughput(first: Uint8Array | undefined, length: number): void {
  if (messages === 0 && first !== undefined) firstStamp = readStamp(first);
  messages++;
  bytes += length;
  if (length !== size) throughputBad++;
}

function onEndOfStream(now: number): void {
  if (reported) return;
  reported = true;
  out({
    throughput: { messages, bytes, first_stamp_ns: firstStamp, end_ns: now, bad: throughputBad },
  });
  // Exit once the sender closes stdin; a short grace if it never does.
  setTimeout(() => process.exit(0), 5000).unref();
}

let stdinText = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  stdinText += chunk;
  let nl = stdinText.indexOf("\n");
  while (nl >= 0) {
    const command = stdinText.slice(0, nl);
    stdinText = stdinText.slice(nl + 1);
    if (command === CMD_NEXT && phase === "latency") {
      out({ latency: latencyReport() });
      latencyPhase++;
      if (latencyPhase >= LATENCY_PHASES) phase = "throughput";
      histogram = newHistogram();
      warmup = warmups[latencyPhase] ?? 0;
      seen = 0;
      negative = 0;
      latencyBad = 0;
    }
    nl = stdinText.indexOf("\n");
  }
});

// ---------------------------------------------------------------------------------------------
// Transports

async function serveLane(kind: LaneKind): Promise<void> {
  const listener = await listenReader(kind, kind === "shm" ? laneOptions : {});
  out({ address: { kind: "lane", address: listener.address } });
  const reader = await listener.accepted;
  // The clock is read only where it is needed: in the throughput phase it would be a
  // tenth of a 64-byte frame's cost.
  reader.on("frame", (frame: Frame) => {
    const payload = frame.payload;
    if (phase === "latency") onLatency(readStamp(payload), payload.length, nowNs());
    else onThroughput(payload, payload.length);
  });
  reader.on("end", () => onEndOfStream(nowNs()));
  reader.on("error", (error: Error) => fail(error));
}

/**
 * Raw `net` over a Unix socket, no framing: messages are only a byte count. In the latency
 * phase (one in flight) a message is complete when `size` bytes have arrived since the last.
 */
async function serveNodeUds(): Promise<void> {
  const path = join(dir, `node-uds-${process.pid}.sock`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  out({ address: { kind: "node-uds", path } });
  const socket = await new Promise<Socket>((resolve) => server.once("connection", resolve));
  server.close();
  const head = new Uint8Array(STAMP_BYTES);
  let at = 0; // bytes of the current message received so far
  socket.on("data", (chunk: Buffer) => {
    if (phase === "throughput") {
      if (bytes === 0) head.set(chunk.subarray(0, STAMP_BYTES));
      bytes += chunk.length;
      return;
    }
    const now = nowNs();
    let off = 0;
    while (off < chunk.length) {
      if (at < STAMP_BYTES) {
        const n = Math.min(STAMP_BYTES - at, chunk.length - off);
        head.set(chunk.subarray(off, off + n), at);
      }
      const take = Math.min(size - at, chunk.length - off);
      at += take;
      off += take;
      if (at === size) {
        onLatency(readStamp(head), size, now);
        at = 0;
      }
    }
  });
  socket.on("end", () => {
    const now = nowNs();
    messages = Math.floor(bytes / size);
    if (bytes % size !== 0) throughputBad++;
    firstStamp = readStamp(head);
    onEndOfStream(now);
    socket.end();
  });
  socket.on("error", (error: Error) => fail(error));
}

/** ZeroMQ PULL bound to ipc://; an empty message ends the stream. */
async function serveZeromq(): Promise<void> {
  const zmq = await import("zeromq");
  const endpoint = `ipc://${join(dir, `zmq-${process.pid}.sock`)}`;
  const pull = new zmq.Pull();
  await pull.bind(endpoint);
  out({ address: { kind: "zeromq-ipc", endpoint } });
  for await (const [message] of pull) {
    if (message === undefined) continue;
    if (phase === "latency") {
      onLatency(readStamp(message), message.length, nowNs());
    } else if (message.length === 0) {
      onEndOfStream(nowNs());
      break;
    } else {
      onThroughput(message, message.length);
    }
  }
  pull.close();
}

/** Core NATS: a subscription on a subject of this peer's own; an empty message ends the stream. */
async function serveNats(): Promise<void> {
  const url = process.env[NATS_URL_ENV];
  if (url === undefined) fail(`${NATS_URL_ENV} is not set`);
  const nc = await natsConnect({ servers: url });
  const subject = `rtt.bench.${process.pid}`;
  const sub = nc.subscribe(subject);
  await nc.flush();
  out({ address: { kind: "nats", url, subject } });
  for await (const m of sub) {
    const message = m.data;
    if (phase === "latency") {
      onLatency(readStamp(message), message.length, nowNs());
    } else if (message.length === 0) {
      onEndOfStream(nowNs());
      break;
    } else {
      onThroughput(message, message.length);
    }
  }
  await nc.close();
}

try {
  if (isRttLane(contender)) await serveLane(contender);
  else if (contender === "node-uds") await serveNodeUds();
  else if (contender === "nats") await serveNats();
  else await serveZeromq();
} catch (error) {
  fail(error);
}

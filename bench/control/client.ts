/**
 * The measuring side of bench/control, a process of its own (so the panel is timed as any other
 * client sees it). One mode per run; prints one JSON line on stdout: the samples, in µs.
 *
 *   unary LISTEN N WARMUP T      ListSymbols (a server stream: to its last message) and Status,
 *                                interleaved, N each after WARMUP each, over PanelConnection
 *                                on transport T ("framed" or "grpc")
 *   uds SOCKET N WARMUP          the framed channel's peer: a 16-byte frame and its echo
 *   echo SOCKET N WARMUP COUNT   the peer: unary Echo (16 bytes) and a Stream of COUNT messages
 *   flip LISTEN K ROUTE A B GAP  QuickConnect ROUTE to B, A, B, … K times (A is where it is now),
 *                                GAP ms apart (time for the panel to arm the target left behind)
 *   relay SOCKET K GAP           the flip's peer: Relay K times, GAP ms apart, as the flips are
 *   hops SOCKET K GAP            the flip's floor: a frame through the framed relay
 *                                (uds-echo-server.ts NEXT) K times, GAP ms apart
 *
 * Each mode imports only what it uses: the framed modes (the panel's framed calls, the UDS peer)
 * load no gRPC library, the gRPC ones (the panel over gRPC, the echo peer) load grpc-js alike,
 * so neither side of a ratio carries the other's modules (docs/performance.md: measured, this
 * moved the UDS peer's p99 less than the number of samples did).
 */
import { connect } from "node:net";
import { encodeFrame, FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";

const [mode, ...args] = process.argv.slice(2);
const WHO = "bench:control";
const us = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1000;

async function timeN(n: number, warmup: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  // Preallocated: the samples themselves make no garbage while they are taken.
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out[i] = us(t0);
  }
  return Array.from(out);
}

/** The panel's client alone (not the panel package's index: the daemon, the scanner, …). */
async function panelConnection(listen: string, transport?: "framed" | "grpc") {
  const { PanelConnection } = await import("@rtt/panel/daemon/client.ts");
  return new PanelConnection(listen, undefined, transport);
}

async function unary(
  listen: string,
  n: number,
  warmup: number,
  transport: "framed" | "grpc",
): Promise<unknown> {
  const conn = await panelConnection(listen, transport);
  if (!(await conn.ready(10_000))) throw new Error(`no panel on ${listen}`);
  const symbols = (await conn.listSymbols()).length;
  // Interleaved in blocks so both see the same machine weather.
  const list: number[] = [];
  const status: number[] = [];
  const block = 100;
  await timeN(0, warmup, () => conn.listSymbols());
  await timeN(0, warmup, () => conn.status());
  for (let done = 0; done < n; done += block) {
    list.push(...(await timeN(Math.min(block, n - done), 0, () => conn.listSymbols())));
    status.push(...(await timeN(Math.min(block, n - done), 0, () => conn.status())));
  }
  conn.close();
  return { symbols, list_symbols_us: list, status_us: status };
}

/** Ping-pong with the bare framed peer (uds-echo-server.ts): a 16-byte frame, its echo. */
/** A 16-byte frame to the server at `socketPath` and its answer, one call at a time. */
async function framedCaller(socketPath: string) {
  const socket = connect(socketPath);
  socket.setNoDelay(true);
  await new Promise<void>((ok, fail) => socket.once("connect", ok).once("error", fail));
  const decoder = new FrameDecoder();
  let waiting: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    if (decoder.push(chunk).length > 0) waiting?.();
  });
  const body = Buffer.alloc(16, 1);
  let id = 0;
  const call = () =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write(encodeFrame({ kind: "request", callId: ++id, methodId: 0, body }));
    });
  return { call, close: () => socket.destroy() };
}

async function uds(socketPath: string, n: number, warmup: number): Promise<unknown> {
  const { call, close } = await framedCaller(socketPath);
  const samples = await timeN(n, warmup, call);
  close();
  return { uds_us: samples };
}

/** The flip's floor: K calls through the framed relay (two processes), GAP ms apart. */
async function hops(socketPath: string, k: number, gapMs: number): Promise<unknown> {
  const { call, close } = await framedCaller(socketPath);
  await call(); // connects all the way, as the flip client's first call does
  const samples: number[] = [];
  for (let i = 0; i < k; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = process.hrtime.bigint();
    await call();
    samples.push(us(t0));
  }
  close();
  return { hops_us: samples };
}

/** A client of the echo peer with the panel's client options, so panel ÷ peer is the panel's own cost. */
async function echoClient(socket: string) {
  const grpc = await import("@grpc/grpc-js");
  const { LOCAL_CHANNEL_OPTIONS } = await import("@rtt/connector-sdk/wire.ts");
  const { ECHO_SERVICE } = await import("./common.ts");
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
  const client = new Client(
    `unix:${socket}`,
    grpc.credentials.createInsecure(),
    LOCAL_CHANNEL_OPTIONS,
  );
  const request = Buffer.alloc(16, 1);
  const unary = (path: string): Promise<Buffer> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        { deadline: Date.now() + 2000 },
        (error, res) => (error ? reject(error) : resolve(res as Buffer)),
      ),
    );
  return { client, unary, ECHO_SERVICE };
}

async function echo(socket: string, n: number, warmup: number, count: number): Promise<unknown> {
  const { client, unary, ECHO_SERVICE } = await echoClient(socket);
  const streamRequest = Buffer.from([count]);
  const call = () => unary(ECHO_SERVICE.Echo.path);
  const stream = async (): Promise<number> => {
    const s = client.makeServerStreamRequest(
      ECHO_SERVICE.Stream.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      streamRequest,
      { deadline: Date.now() + 10_000 },
    );
    let got = 0;
    for await (const _ of s) got++;
    return got;
  };
  const unaryUs: number[] = [];
  const streamUs: number[] = [];
  const block = 100;
  await timeN(0, warmup, stream);
  await timeN(0, warmup, call);
  for (let done = 0; done < n; done += block) {
    streamUs.push(...(await timeN(Math.min(block, n - done), 0, stream)));
    unaryUs.push(...(await timeN(Math.min(block, n - done), 0, call)));
  }
  client.close();
  return { echo_unary_us: unaryUs, echo_stream_us: streamUs };
}

async function flip(listen: string, k: number, route: string, a: string, b: string, gapMs: number) {
  const conn = await panelConnection(listen);
  if (!(await conn.ready(10_000))) throw new Error(`no panel on ${listen}`);
  const samples: number[] = [];
  const panelUs: number[] = [];
  const warm: boolean[] = [];
  let unchanged = 0;
  for (let i = 0; i < k; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
    const to = i % 2 === 0 ? b : a;
    const t0 = process.hrtime.bigint();
    const r = await conn.quickConnect(route, to, WHO);
    samples.push(us(t0));
    panelUs.push(r.panel_us);
    warm.push(r.warm);
    if (!r.changed) unchanged++;
  }
  conn.close();
  return { flip_us: samples, panel_us: panelUs, warm, unchanged };
}

async function relay(socket: string, k: number, gapMs: number): Promise<unknown> {
  const { client, unary, ECHO_SERVICE } = await echoClient(socket);
  await unary(ECHO_SERVICE.Relay.path); // connects, as the flip client's first call does
  const samples: number[] = [];
  for (let i = 0; i < k; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
    const t0 = process.hrtime.bigint();
    await unary(ECHO_SERVICE.Relay.path);
    samples.push(us(t0));
  }
  client.close();
  return { relay_us: samples };
}

let result: unknown;
if (mode === "unary")
  result = await unary(
    String(args[0]),
    Number(args[1]),
    Number(args[2]),
    args[3] === "grpc" ? "grpc" : "framed",
  );
else if (mode === "uds") result = await uds(String(args[0]), Number(args[1]), Number(args[2]));
else if (mode === "echo")
  result = await echo(String(args[0]), Number(args[1]), Number(args[2]), Number(args[3]));
else if (mode === "flip")
  result = await flip(
    String(args[0]),
    Number(args[1]),
    String(args[2]),
    String(args[3]),
    String(args[4]),
    Number(args[5]),
  );
else if (mode === "relay") result = await relay(String(args[0]), Number(args[1]), Number(args[2]));
else if (mode === "hops") result = await hops(String(args[0]), Number(args[1]), Number(args[2]));
else throw new Error(`client.ts: unknown mode ${mode}`);
process.stdout.write(`${JSON.stringify(result)}\n`);

/**
 * The measuring side of bench/control, a process of its own (so the panel is timed as any other
 * client sees it). One mode per run; prints one JSON line on stdout: the samples, in µs.
 *
 *   unary LISTEN N WARMUP        ListSymbols (a server stream: to its last message) and Status,
 *                                interleaved, N each after WARMUP each, over PanelConnection
 *   echo SOCKET N WARMUP COUNT   the peer: unary Echo (16 bytes) and a Stream of COUNT messages
 *   flip LISTEN K ROUTE A B      QuickConnect ROUTE to B, A, B, … K times (A is where it is now)
 */
import * as grpc from "@grpc/grpc-js";
import { PanelConnection } from "@rtt/panel";
import { ECHO_SERVICE } from "./common.ts";

const [mode, ...args] = process.argv.slice(2);
const WHO = "bench:control";
const us = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1000;

async function timeN(n: number, warmup: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    out.push(us(t0));
  }
  return out;
}

async function unary(listen: string, n: number, warmup: number): Promise<unknown> {
  const conn = new PanelConnection(listen);
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

async function echo(socket: string, n: number, warmup: number, count: number): Promise<unknown> {
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
  const client = new Client(`unix:${socket}`, grpc.credentials.createInsecure());
  const request = Buffer.alloc(16, 1);
  const streamRequest = Buffer.from([count]);
  const call = (): Promise<Buffer> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        ECHO_SERVICE.Echo.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        { deadline: Date.now() + 2000 },
        (error, res) => (error ? reject(error) : resolve(res as Buffer)),
      ),
    );
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

async function flip(listen: string, k: number, route: string, a: string, b: string) {
  const conn = new PanelConnection(listen);
  if (!(await conn.ready(10_000))) throw new Error(`no panel on ${listen}`);
  const samples: number[] = [];
  const oldFrames: number[] = [];
  const wall: { start: number; end: number }[] = [];
  let unchanged = 0;
  for (let i = 0; i < k; i++) {
    const to = i % 2 === 0 ? b : a;
    const start = Date.now();
    const t0 = process.hrtime.bigint();
    const r = await conn.quickConnect(route, to, WHO);
    samples.push(us(t0));
    wall.push({ start, end: Date.now() });
    oldFrames.push(r.old_frames);
    if (!r.changed) unchanged++;
  }
  // The audit's swap record is appended right after the WAL commit, before the old target is
  // drained and closed: its time (ms) splits each call into "to commit" and "drain + close".
  const swaps: number[] = [];
  // Only this client's: a breaker trip under load makes the panel fail the route over too.
  for await (const e of conn.audit({ route }))
    if (e.action === "swap" && e.who === WHO) swaps.push(Date.parse(e.at));
  const mine = swaps.slice(-k);
  const toCommitMs = wall.map((w, i) => (mine[i] ?? Number.NaN) - w.start);
  const afterCommitMs = wall.map((w, i) => w.end - (mine[i] ?? Number.NaN));
  conn.close();
  return {
    flip_us: samples,
    old_frames: oldFrames,
    unchanged,
    to_commit_ms: toCommitMs,
    after_commit_ms: afterCommitMs,
  };
}

let result: unknown;
if (mode === "unary") result = await unary(String(args[0]), Number(args[1]), Number(args[2]));
else if (mode === "echo")
  result = await echo(String(args[0]), Number(args[1]), Number(args[2]), Number(args[3]));
else if (mode === "flip")
  result = await flip(
    String(args[0]),
    Number(args[1]),
    String(args[2]),
    String(args[3]),
    String(args[4]),
  );
else throw new Error(`client.ts: unknown mode ${mode}`);
process.stdout.write(`${JSON.stringify(result)}\n`);

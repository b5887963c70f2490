/**
 * The source of the switch-under-load test, run as its own OS process:
 *
 *   node source-peer.ts <kind> <N> <switchAt> '<{"A": control, "B": control}>'
 *
 * Connects to both targets' control lanes and runs the QuickConnect handshake with each,
 * asking for data lanes of <kind> (shm or uds): A becomes the current target, B a warm spare.
 * Prints {"t":"ready"}, then waits for "go" on stdin and writes messages 1..N as fast as the
 * lanes take them (each payload starts with its sequence number; every REQUEST_EVERY-th is a
 * request awaiting an answer). At message <switchAt> it sends a request and asks — twice at
 * once — to switch to B, and keeps writing while the switch runs. At the end it waits for every
 * answer, sends EOS, and prints {"t":"result", …}: counts, the switch, who answered what, and
 * the rates overall and around the switch.
 */
import { createInterface } from "node:readline";
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import { connectReader, connectWriter } from "@rtt/fabric";
import {
  initiate,
  offerLanes,
  type Response,
  SwitchingSource,
  type SwitchResult,
  type SwitchTarget,
} from "../../src/quickconnect/index.ts";
import { CONTRACT_HASH } from "./contract.ts";

const REQUEST_EVERY = 5000;
const BATCH = 512;
const MARK_EVERY = 1024;

const [kindText = "uds", nText = "0", switchAtText = "0", targetsText = "{}"] =
  process.argv.slice(2);
const kind = kindText as LaneKind;
const N = Number(nText);
const SWITCH_AT = Number(switchAtText);
const controls = JSON.parse(targetsText) as Record<
  string,
  { toTarget: LaneAddress; fromTarget: LaneAddress }
>;

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function prepare(id: string): Promise<SwitchTarget> {
  const control = controls[id];
  if (control === undefined) throw new Error(`no control lanes for ${id}`);
  const writer = await connectWriter(control.toTarget);
  const reader = await connectReader(control.fromTarget);
  const link = initiate(
    { writer, reader },
    {
      saddr: "rtt://test/api/source@1.0.0",
      contractHash: CONTRACT_HASH,
      caps: ["seq"],
      require: ["seq"],
      lanes: [kind],
      heartbeatMs: 200,
      bind: (ack) => offerLanes(ack),
      release: (lanes) => lanes.close(),
    },
  );
  link.on("trip", (error: { reason: string; message: string }) =>
    out({ t: "event", event: "trip", target: id, reason: error.reason, message: error.message }),
  );
  const { value } = await link.ready;
  const ends = await value.accepted;
  return {
    id,
    writer: ends.forward,
    responses: ends.responses,
    probe: (timeoutMs) => link.ping(timeoutMs),
    release: () => link.close(),
  };
}

const source = new SwitchingSource(await prepare("A"), { probeTimeoutMs: 2000 });
source.addSpare(await prepare("B"));
source.on("lost", ({ id, error }: { id: string; error: Error }) => {
  out({ t: "event", event: "lost", target: id, message: error.message });
  process.exit(5);
});
let strays = 0;
source.on("stray", () => strays++);
let inflightAtFlip = -1;
source.on("switch", () => {
  inflightAtFlip = source.inflight.get("A") ?? 0;
});
out({ t: "ready" });

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const go = await lines.next();
if (go.done === true || go.value.trim() !== "go") process.exit(2);

// ---------------------------------------------------------------------------------------------
// The pump.

const payload = Buffer.alloc(16);
const marks = new Float64Array(Math.ceil(N / MARK_EVERY) + 1);
const requests: Array<{ seq: number; sentTo: string; response: Promise<Response> }> = [];
let switchOutcome: Promise<SwitchResult> | undefined;
let samePromise = false;
let switchRequestedAt = 0;
let flippedAt = 0;
const drain = () => new Promise<void>((resolve) => source.once("drain", () => resolve()));

const t0 = performance.now();
marks[0] = t0;
let seq = 0;
while (seq < N) {
  for (let k = 0; k < BATCH && seq < N; k++) {
    seq++;
    payload.writeUInt32LE(seq, 0);
    let written: boolean;
    if (seq === SWITCH_AT || seq % REQUEST_EVERY === 0) {
      const sentTo = source.current;
      const r = source.request(payload, { correlation: seq });
      r.response.catch(() => {});
      requests.push({ seq, sentTo, response: r.response });
      written = r.written;
    } else {
      written = source.write(payload);
    }
    if (seq === SWITCH_AT) {
      switchRequestedAt = performance.now();
      const first = source.switchTo("B");
      const second = source.switchTo("B");
      samePromise = first === second;
      switchOutcome = first;
      first.then(
        () => {
          flippedAt = performance.now();
        },
        () => {},
      );
    }
    if (seq % MARK_EVERY === 0) marks[seq / MARK_EVERY] = performance.now();
    if (!written) await drain();
  }
  // Let sockets, timers and the switch run between batches.
  await new Promise((resolve) => setImmediate(resolve));
}
const t1 = performance.now();

let switchReport: Record<string, unknown> = { requested: false };
if (switchOutcome !== undefined) {
  try {
    const r = await switchOutcome;
    const again = await source.switchTo("B");
    const oldTarget = r.switched ? await r.retired : undefined;
    switchReport = {
      retiredFrom: oldTarget && {
        id: oldTarget.id,
        unanswered: oldTarget.unanswered,
        error: oldTarget.error?.message,
      },
      ok: true,
      switched: r.switched,
      atMessage: r.switched ? r.atMessage : -1,
      requestedAtSeq: SWITCH_AT,
      samePromise,
      againSwitched: again.switched,
      probeAndFlipMs: flippedAt - switchRequestedAt,
      inflightAtFlip,
    };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    switchReport = { ok: false, code: e.code, message: e.message, samePromise };
  }
}

const answeredBy: Record<string, number> = {};
let wrongTarget = 0;
let failed = 0;
let beforeSwitchByA = 0;
const atMessage = typeof switchReport.atMessage === "number" ? switchReport.atMessage : N;
for (const r of requests) {
  try {
    const response = await r.response;
    const body = JSON.parse(Buffer.from(response.payload).toString()) as {
      target: string;
      seq: number;
    };
    answeredBy[response.target] = (answeredBy[response.target] ?? 0) + 1;
    if (response.target !== r.sentTo || body.target !== r.sentTo || body.seq !== r.seq)
      wrongTarget++;
    if (r.seq <= atMessage && response.target === "A") beforeSwitchByA++;
  } catch {
    failed++;
  }
}
const retired = await source.end();

/** Messages per second between two marks (by message count). */
function rateBetween(fromSeq: number, toSeq: number): number {
  const i = Math.max(0, Math.floor(fromSeq / MARK_EVERY));
  const j = Math.min(marks.length - 1, Math.floor(toSeq / MARK_EVERY));
  const ti = marks[i] ?? 0;
  const tj = marks[j] ?? 0;
  return j > i && tj > ti ? ((j - i) * MARK_EVERY) / ((tj - ti) / 1000) : 0;
}
/** The longest pause between two marks around the switch. */
function maxGapMs(fromSeq: number, toSeq: number): number {
  let gap = 0;
  const i = Math.max(1, Math.floor(fromSeq / MARK_EVERY));
  const j = Math.min(marks.length - 1, Math.floor(toSeq / MARK_EVERY));
  for (let k = i; k <= j; k++) gap = Math.max(gap, (marks[k] ?? 0) - (marks[k - 1] ?? 0));
  return gap;
}
const WINDOW = 30_000;

out({
  t: "result",
  sent: seq,
  elapsedMs: t1 - t0,
  rate: seq / ((t1 - t0) / 1000),
  switchWindowRate: rateBetween(SWITCH_AT - WINDOW, SWITCH_AT + WINDOW),
  switchWindowMaxGapMs: maxGapMs(SWITCH_AT - WINDOW, SWITCH_AT + WINDOW),
  switch: switchReport,
  requests: { sent: requests.length, answeredBy, wrongTarget, failed, beforeSwitchByA, strays },
  retired: retired.map((r) => ({ id: r.id, unanswered: r.unanswered, error: r.error?.message })),
});
process.stdout.write("", () => process.exit(0));

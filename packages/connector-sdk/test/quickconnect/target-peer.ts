/**
 * A target of the switch-under-load test, run as its own OS process:
 *
 *   node target-peer.ts <id> <N> <answerDelayMs>
 *
 * Listens for its two control lanes (uds) and prints {"t":"control", "control": {toTarget,
 * fromTarget}}; answers the QuickConnect handshake; reaches the data lanes named in BIND; then
 * reads messages until EOS, recording every message's sequence number (a u32 at the start of
 * the payload) and answering requests — frames with a correlation id — with {"target", "seq"}
 * after `answerDelayMs`. Once the forward lane has closed after EOS and every answer is out it
 * prints {"t":"result", …} and exits 0.
 */
import { type Frame, listenReader, listenWriter } from "@rtt/fabric";
import { attachLanes, respond, serveTarget } from "../../src/quickconnect/index.ts";
import { CONTRACT_HASH } from "./contract.ts";

const [id = "?", nText = "0", delayText = "0"] = process.argv.slice(2);
const N = Number(nText);
const delay = Number(delayText);

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

const seen = new Uint8Array(N + 1);
/** Runs of consecutive sequence numbers, in arrival order. */
const ranges: Array<[number, number]> = [];
let dupes = 0;
let outOfRange = 0;

function record(seq: number): void {
  if (seq < 1 || seq > N) {
    outOfRange++;
    return;
  }
  if (seen[seq] === 1) dupes++;
  seen[seq] = 1;
  const last = ranges.at(-1);
  if (last !== undefined && last[1] + 1 === seq) last[1] = seq;
  else ranges.push([seq, seq]);
}

const toTarget = await listenReader("uds");
const fromTarget = await listenWriter("uds");
out({ t: "control", control: { toTarget: toTarget.address, fromTarget: fromTarget.address } });
const [reader, writer] = await Promise.all([toTarget.accepted, fromTarget.accepted]);

const link = respond(
  { writer, reader },
  {
    contractHash: CONTRACT_HASH,
    caps: ["seq", "json"],
    lanes: ["shm", "uds"],
    capacity: 1 << 22,
    attach: attachLanes,
    release: (ends) => {
      ends.forward.close();
      ends.responses.destroy();
    },
  },
);
link.on("trip", (error: { reason: string; message: string }) =>
  out({ t: "event", event: "trip", reason: error.reason, message: error.message }),
);
const { value: ends } = await link.ready;
out({ t: "event", event: "ready", lane: ends.forward.kind });

const drained = await serveTarget({
  forward: ends.forward,
  responses: ends.responses,
  onFrame(frame: Frame) {
    const p = frame.payload;
    const seq =
      ((p[0] ?? 0) | ((p[1] ?? 0) << 8) | ((p[2] ?? 0) << 16) | ((p[3] ?? 0) << 24)) >>> 0;
    record(seq);
    if (frame.correlation === 0) return undefined;
    const answer = Buffer.from(JSON.stringify({ target: id, seq }));
    if (delay <= 0) return answer;
    return new Promise<Uint8Array>((resolve) => setTimeout(() => resolve(answer), delay));
  },
});

out({
  t: "result",
  id,
  frames: drained.frames,
  answered: drained.answered,
  ranges,
  dupes,
  outOfRange,
  eos: true,
  closed: true,
});
link.close();
process.stdout.write("", () => process.exit(0));

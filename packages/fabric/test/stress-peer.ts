/**
 * One end of a two-process lane test, run as its own OS process:
 *
 *   node stress-peer.ts listen-reader <kind> <count>    prints {"address":…}, then checks frames
 *   node stress-peer.ts connect-writer '<address json>' <count>   writes <count> frames, then EOS
 *
 * The reader checks every frame's sequence number and bytes (traffic.ts) and prints one JSON
 * result line when EOS arrives: {"frames", "bytes", "bad", "firstBad"}.
 */
import type { LaneAddress, LaneKind, LaneWriter } from "../src/index.ts";
import { connectWriter, listenReader } from "../src/index.ts";
import { Traffic } from "./traffic.ts";

const [mode, arg, countText] = process.argv.slice(2);
const count = Number(countText);
const traffic = new Traffic();

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function readAll(kind: LaneKind): Promise<void> {
  const capacity = process.env.RTT_TEST_SHM_CAPACITY;
  const listener = await listenReader(
    kind,
    capacity === undefined ? {} : { capacity: Number(capacity) },
  );
  out({ address: listener.address });
  const reader = await listener.accepted;
  let expected = 1;
  let bytes = 0;
  let bad = 0;
  let firstBad: string | undefined;
  reader.on("frame", (frame: { seq: number; payload: Uint8Array }) => {
    if (frame.seq !== expected || !traffic.check(frame.seq, frame.payload)) {
      bad++;
      firstBad ??= `frame ${expected}: got seq ${frame.seq}, ${frame.payload.length} bytes (want ${traffic.size(expected)})`;
    }
    bytes += frame.payload.length;
    expected = frame.seq + 1;
  });
  reader.on("error", (error: Error) => {
    out({ error: error.message });
    process.exit(3);
  });
  reader.on("end", () => {
    out({ frames: expected - 1, bytes, bad, firstBad });
    // Let the socket close cleanly so the writer's end() resolves.
    setTimeout(() => process.exit(0), 50);
  });
}

async function writeAll(address: LaneAddress): Promise<void> {
  const writer: LaneWriter = await connectWriter(address);
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  writer.on("drain", () => wake?.());
  writer.on("error", (error: Error) => {
    failed = error;
    wake?.();
  });
  for (let n = 1; n <= count; n++) {
    if (failed !== undefined) break;
    if (!writer.write(traffic.payload(n))) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  }
  if (failed !== undefined) {
    out({ error: failed.message, code: (failed as { code?: string }).code });
    process.exit(4);
  }
  await writer.end();
  out({ written: count });
}

if (mode === "listen-reader") await readAll(arg as LaneKind);
else if (mode === "connect-writer") await writeAll(JSON.parse(arg as string) as LaneAddress);
else {
  process.stderr.write(
    `usage: stress-peer.ts listen-reader <kind> <count> | connect-writer <address> <count>\n`,
  );
  process.exit(2);
}

/**
 * Two-process stress: for each lane kind, a reader and a writer in separate OS processes pass
 * 500,000 frames of 1 B–64 KiB (log-uniform); every frame's order and bytes are checked. Then
 * the reader is killed with SIGKILL mid-stream: the writer must get an error (never hang), and
 * no segment or socket file may be left behind.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import {
  connectReader,
  connectWriter,
  type LaneAddress,
  type LaneKind,
  listenWriter,
} from "../src/index.ts";
import { laneSocketDir } from "../src/lanes/uds/socket-path.ts";
import { Traffic } from "./traffic.ts";

const FRAMES = 500_000;
const PEER = new URL("./stress-peer.ts", import.meta.url).pathname;

function peer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [PEER, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  return { child, lines };
}

async function nextJson(lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  const line = await lines.next();
  assert.equal(line.done, false, "peer exited without output");
  return JSON.parse(line.value as string) as Record<string, unknown>;
}

/** Resolves with the exit code, or the signal's name for a killed child (never waits on a dead one). */
function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
}

function expectedBytes(count: number): number {
  const t = new Traffic();
  let total = 0;
  for (let n = 1; n <= count; n++) total += t.size(n);
  return total;
}

const TOTAL_BYTES = expectedBytes(FRAMES);

async function runTwoProcesses(kind: LaneKind, env: NodeJS.ProcessEnv = {}) {
  const reader = peer(["listen-reader", kind, String(FRAMES)], env);
  const { address } = (await nextJson(reader.lines)) as { address: LaneAddress };
  assert.equal(address.kind, kind);
  const writer = peer(["connect-writer", JSON.stringify(address), String(FRAMES)], env);
  const [readResult, writeResult] = await Promise.all([
    nextJson(reader.lines),
    nextJson(writer.lines),
  ]);
  assert.deepEqual(writeResult, { written: FRAMES });
  assert.deepEqual(readResult, { frames: FRAMES, bytes: TOTAL_BYTES, bad: 0 });
  assert.equal(await exited(reader.child), 0);
  assert.equal(await exited(writer.child), 0);
}

describe("two processes, 500,000 frames of 1 B–64 KiB: no loss, no corruption, no reordering", () => {
  it("shm lane (8 MiB ring: hundreds of wrap-arounds)", { timeout: 240_000 }, () =>
    runTwoProcesses("shm"),
  );
  it(
    "shm lane with a 256 KiB ring (tens of thousands of wraps, constant backpressure)",
    { timeout: 240_000 },
    () => runTwoProcesses("shm", { RTT_TEST_SHM_CAPACITY: String(256 * 1024) }),
  );
  it("uds lane", { timeout: 240_000 }, () => runTwoProcesses("uds"));
  it("tcp lane", { timeout: 240_000 }, () => runTwoProcesses("tcp"));
  it("inproc lane (one process, by definition)", { timeout: 120_000 }, async () => {
    const traffic = new Traffic();
    const listener = await listenWriter("inproc");
    const reader = await connectReader(listener.address);
    const writer = await listener.accepted;
    let expected = 1;
    let bad = 0;
    let bytes = 0;
    reader.on("frame", (frame: { seq: number; payload: Uint8Array }) => {
      if (frame.seq !== expected || !traffic.check(frame.seq, frame.payload)) bad++;
      bytes += frame.payload.length;
      expected = frame.seq + 1;
    });
    const ended = new Promise<void>((resolve) => reader.once("end", resolve));
    for (let n = 1; n <= FRAMES; n++) {
      if (!writer.write(traffic.payload(n)))
        await new Promise((resolve) => writer.once("drain", resolve));
    }
    await writer.end();
    await ended;
    assert.deepEqual(
      { frames: expected - 1, bytes, bad },
      { frames: FRAMES, bytes: TOTAL_BYTES, bad: 0 },
    );
  });
});

function leftovers(pid: number): string[] {
  const segments = readdirSync("/dev/shm").filter((n) => n.startsWith(`rtt-${pid.toString(36)}-`));
  const sockets = readdirSync(laneSocketDir()).filter((n) => n.includes(`-${pid}-`));
  return [...segments, ...sockets];
}

describe("SIGKILL of the reader mid-stream", () => {
  for (const kind of ["shm", "uds", "tcp"] as const) {
    it(`${kind}: the writer gets RTT_ERR_LANE_PEER_GONE, nothing is left behind`, {
      timeout: 30_000,
    }, async () => {
      const reader = peer(["listen-reader", kind, "100000000"]);
      const { address } = (await nextJson(reader.lines)) as { address: LaneAddress };
      const writer = await connectWriter(address);
      const traffic = new Traffic();
      const error = new Promise<Error & { code?: string }>((resolve) =>
        writer.once("error", resolve),
      );
      let n = 0;
      let killedAt = 0;
      const started = performance.now();
      for (;;) {
        n++;
        if (n === 2000) {
          reader.child.kill("SIGKILL");
          killedAt = performance.now();
        }
        let ok: boolean;
        try {
          ok = writer.write(traffic.payload(n));
        } catch {
          break;
        }
        if (!ok) {
          const outcome = await Promise.race([
            new Promise((resolve) => writer.once("drain", () => resolve("drain"))),
            error.then(() => "error"),
          ]);
          if (outcome === "error") break;
        }
        if (n > 2000 && performance.now() - started > 20_000) break;
        if (n % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const e = await error;
      assert.equal(e.code, "RTT_ERR_LANE_PEER_GONE");
      assert.ok(killedAt > 0);
      assert.equal(await exited(reader.child), "SIGKILL");
      assert.deepEqual(leftovers(reader.child.pid ?? -1), []);
      writer.destroy();
    });
  }
});

/**
 * An idle shm lane costs no CPU: its reader polls the ring only for a short adaptive budget
 * after the last record (spin-budget.ts), then parks on the doorbell. Measured on a reader in
 * its own OS process (stress-peer.ts), over 10 s of silence after traffic at short gaps (which
 * grows the budget to its ceiling), from the kernel's count of the process's CPU time.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { setTimeout as sleep, setImmediate as yieldToEventLoop } from "node:timers/promises";
import { connectWriter, type LaneAddress, type LaneWriter, loadShm } from "../src/index.ts";
import { Traffic } from "./traffic.ts";

const PEER = new URL("./stress-peer.ts", import.meta.url).pathname;
const FRAMES = 2000;
const IDLE_MS = 10_000;
/** USER_HZ: the unit of /proc/<pid>/stat's CPU times, 100 on every Linux ABI. */
const TICKS_PER_S = 100;

/** User + system CPU seconds `pid` has used so far (/proc/<pid>/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = text
    .slice(text.lastIndexOf(")") + 2)
    .trim()
    .split(/\s+/);
  // Fields 3.. follow the ")": utime is field 14, index 11 of them; stime the next.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

describe("an idle shm lane", {
  skip: process.platform !== "linux" || loadShm() === undefined,
}, () => {
  it("keeps its reader's process under 1 % CPU over 10 s", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [PEER, "listen-reader", "shm", String(FRAMES)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as unknown;
    let writer: LaneWriter | undefined;
    try {
      const { address } = (await next()) as { address: LaneAddress };
      writer = await connectWriter(address);
      writer.on("error", () => {}); // a failed assertion kills the reader: no stray error
      const traffic = new Traffic();
      // Short gaps (a turn of this event loop each): the reader learns to poll at its longest.
      for (let n = 1; n <= FRAMES; n++) {
        if (!writer.write(traffic.payload(n))) await new Promise((r) => writer?.once("drain", r));
        await yieldToEventLoop();
      }
      await sleep(500); // the reader takes the last records and parks
      const before = cpuSeconds(child.pid as number);
      const started = performance.now();
      await sleep(IDLE_MS);
      const share =
        (cpuSeconds(child.pid as number) - before) / ((performance.now() - started) / 1000);
      assert.ok(share < 0.01, `the idle reader used ${(share * 100).toFixed(2)} % CPU`);
      // The lane still works after the silence: every frame, in order, intact.
      await writer.end();
      const result = (await next()) as { frames: number; bad: number };
      assert.equal(result.frames, FRAMES);
      assert.equal(result.bad, 0);
    } finally {
      writer?.destroy();
      child.kill("SIGKILL");
    }
  });
});

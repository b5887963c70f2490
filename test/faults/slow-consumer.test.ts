/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 3. A slow consumer (one line every 10 ms): the route stays up and in order; the drivers'
 * memory and the route's qdepth stay bounded (backpressure reaches the source program).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import {
  cleanup,
  EVENTS_ROUTE,
  scanAndApply,
  type TapSample,
  Workspace,
} from "../support/quickstart-workspace.ts";
import { rssKiB } from "./helpers.ts";
import { EVENTS_FILE, POLICY_BUFFER, STREAM_FOREVER, seqs } from "./stream.ts";

after(cleanup);

const LOGGER_MANIFEST = "services/logger/rtt.manifest.json";

/** A consumer that takes one line from stdin every 10 ms (its stream buffer is 4 KiB). */
const SLOW_LOGGER = `// A slow consumer for the fault suite: one line from stdin every 10 ms, appended to a file.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
const out = resolve(process.argv[2]);
mkdirSync(dirname(out), { recursive: true });
let buf = "";
let ended = false;
process.stdin.setEncoding("utf8");
process.stdin.pause();
process.stdin.on("end", () => { ended = true; });
process.stdin.on("readable", () => {});
setInterval(() => {
  while (!buf.includes("\\n")) {
    const chunk = process.stdin.read(4096);
    if (chunk === null) break;
    buf += chunk;
  }
  const i = buf.indexOf("\\n");
  if (i < 0) { if (ended) process.exit(0); return; }
  appendFileSync(out, buf.slice(0, i + 1));
  buf = buf.slice(i + 1);
}, 10);
`;

describe("3. slow consumer", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  const rss: { driver: string; at: number; kib: number }[] = [];
  let samples: TapSample[] = [];

  it("the route stays up; the slow logger gets the stream in order, each once", async () => {
    ws.write("services/logger/slow-logger.mjs", SLOW_LOGGER);
    ws.editManifest(LOGGER_MANIFEST, (s) => {
      s["x-run"] = [process.execPath, "slow-logger.mjs", `../../${EVENTS_FILE}`];
    });
    await scanAndApply(ws);
    await eventually(
      () => ws.count(EVENTS_FILE) > 20,
      ws.wait("the first lines at the slow logger"),
    );
    const status = await ws.status();
    ws.trackTree(status);

    // ~6 s: the drivers' RSS every 500 ms, and tap samples alongside.
    const tap = ws.tap(EVENTS_ROUTE, 6, 1000);
    const start = Date.now();
    while (Date.now() - start < 6000) {
      for (const d of status.drivers) {
        const kib = rssKiB(d.pid);
        if (kib !== undefined) rss.push({ driver: d.name, at: Date.now() - start, kib });
      }
      await sleep(500);
    }
    samples = await tap;
    assert.ok(samples.length === 6, `6 tap samples: ${JSON.stringify(samples)}`);
    assert.ok(
      samples.every((s) => s.to_link.ok && s.from_link.ok),
      `both links ok while the consumer is slow: ${JSON.stringify(samples.at(-1))}`,
    );
    const got = seqs(ws, EVENTS_FILE);
    const wrong = got.findIndex((s, i) => s !== i + 1);
    assert.equal(
      wrong,
      -1,
      `seq 1..n in order at the slow logger: line ${wrong + 1} has seq ${got[wrong]} ` +
        `(${got.length} lines, first ${got.slice(0, 3).join(", ")})\n${ws.tail()}`,
    );
    assert.equal(isAlive(status.pid), true, "the panel survived");
  });

  // Backpressure: the target link pauses its lane reader above 1024 queued frames, the lane
  // (the 8 MiB shm ring, or a socket buffer) fills, the source's writer waits for 'drain', the
  // process driver pauses the program's stdout, and emit.py blocks on its pipe. What the source
  // link sends beyond the target's frames_in sits in the ring: bounded by its size.
  it("the drivers' memory and the route's queue stay bounded while the consumer lags", (t) => {
    assert.ok(samples.length > 0, "the slow-consumer step failed");
    const q = samples.map((s) => s.qdepth);
    const proc = rss.filter((r) => r.driver === "process");
    t.diagnostic(`qdepth per tap sample (1 s apart): ${q.join(", ")}`);
    t.diagnostic(
      `from frames_out ${samples.map((s) => s.from_link.frames_out).join(", ")}; to frames_in ${samples.map((s) => s.to_link.frames_in).join(", ")}`,
    );
    t.diagnostic(`process driver VmRSS (KiB) every 500 ms: ${proc.map((r) => r.kib).join(", ")}`);
    t.diagnostic(`breaker per tap sample: ${samples.map((s) => s.breaker).join(", ")}`);
    const first = proc[2]?.kib ?? 0; // after ~1 s: past start-up allocation
    const last = proc.at(-1)?.kib ?? 0;
    assert.ok(
      Math.max(...q) <= POLICY_BUFFER,
      `qdepth beyond the policy's buffer (${POLICY_BUFFER}): ${q.join(", ")}`,
    );
    assert.ok(
      last - first <= 32 * 1024,
      `process driver RSS grew ${Math.round((last - first) / 1024)} MiB in ~5 s`,
    );
  });

  it("panel stop ends the slow consumer too", async () => {
    const status = await ws.status();
    const pids = ws.trackTree(status);
    await ws.stopLeavingNothing(pids);
  });
});

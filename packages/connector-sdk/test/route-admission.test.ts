// A route's QoS on the data path: the source's driver (the harness: real runtime, gRPC service
// and link) is opened with the qos.* params the panel sends, its outbound lane is a real Unix
// socket lane read here frame by frame, and its rx is a source as fast as the pump pulls. What
// reaches the lane, with which flags, and what the link's health sample counts, is checked per
// drop policy. Bounds, never exact rates: the machine may be slow, the rate only caps.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineConnector, type HealthSample } from "@rtt/connector-sdk";
import { type DropPolicy, routeQosParams } from "@rtt/core";
import { type Frame, FrameFlag, FrameType, listenReader } from "@rtt/fabric";
import { fastSource, inProcessDrivers, TICKS } from "./helpers.ts";

const SADDR = TICKS;
const CONTRACT = { saddr: SADDR, type: "bus", direction: "provider" } as const;
const N = 400;
const RATE = 2000;
const BURST = 20;
const BUFFER = 32;

const start = inProcessDrivers();

interface Run {
  /** DATA frames on the lane, in lane order. */
  readonly frames: { readonly n: number; readonly flags: number }[];
  /** The source link's health sample once the lane saw EOS. */
  readonly sample: HealthSample;
  /** From before Open to EOS. */
  readonly elapsedMs: number;
  /** The most items rx had produced beyond what the bucket could have let out, at any yield. */
  readonly maxAhead: number;
}

/** Runs N items from a fast source through a link opened with `params`, to EOS. */
async function run(params: Record<string, string>): Promise<Run> {
  let produced = 0;
  let maxAhead = Number.NEGATIVE_INFINITY;
  const t0 = performance.now();
  const source = fastSource(CONTRACT, () => {
    if (produced >= N) return undefined;
    // What the bucket can have granted by now (the bucket starts after t0: a safe bound).
    const granted = BURST + (RATE * (performance.now() - t0)) / 1000;
    maxAhead = Math.max(maxAhead, produced - granted);
    return String(produced++);
  });
  const driver = await start(source, { heartbeatMs: 1000 });
  const link = await driver.client.open(SADDR, { contract: CONTRACT, params });
  const listener = await listenReader("uds");
  const frames: { n: number; flags: number }[] = [];
  // Listen from the moment the lane is accepted: the reader delivers frames at once.
  const eos = listener.accepted.then(
    (reader) =>
      new Promise<typeof reader>((resolve, reject) => {
        reader.on("frame", (f: Frame) => {
          if (f.type === FrameType.DATA)
            frames.push({ n: Number(Buffer.from(f.payload).toString()), flags: f.flags });
        });
        reader.on("end", () => resolve(reader));
        reader.on("error", reject);
      }),
  );
  await driver.client.bind(link, { outbound: listener.address });
  const reader = await eos;
  const elapsedMs = performance.now() - t0;
  let sample: HealthSample | undefined;
  const stream = driver.client.health({ linkId: link, intervalMs: 10 });
  for await (const s of stream) {
    if (s.link_id !== link) continue;
    sample = s;
    break;
  }
  stream.cancel();
  reader.close();
  await driver.close();
  assert.ok(sample !== undefined, "a health sample of the source link");
  return { frames, sample, elapsedMs, maxAhead };
}

const qos = (drop: DropPolicy, source = SADDR) =>
  routeQosParams(source, { rate: RATE, burst: BURST, drop, buffer: BUFFER });

function assertInOrder(frames: Run["frames"]): void {
  for (let i = 1; i < frames.length; i++) {
    assert.ok((frames[i]?.n ?? 0) > (frames[i - 1]?.n ?? 0), `frame ${i} out of order`);
  }
}

describe("route admission at the source link (qos.* Open params, real uds lane)", () => {
  test("taildrop: over the rate frames are dropped, counted, and the rest keep their order", async () => {
    const r = await run(qos("taildrop"));
    const got = r.frames.length;
    assert.ok(got >= BURST, `the burst gets through (${got})`);
    assert.ok(got < N, `a source this fast outruns ${RATE}/s (${got} of ${N} arrived)`);
    assert.equal(r.sample.drops, N - got, "every frame that did not arrive is counted as a drop");
    assert.equal(r.sample.marked + r.sample.nacked + r.sample.buffered, 0);
    assert.equal(r.sample.frames_out, got);
    assert.ok(r.frames.every((f) => f.flags === 0));
    assertInOrder(r.frames);
  });

  test("mark: everything is sent, what went over the rate carries FrameFlag.MARKED", async () => {
    const r = await run(qos("mark"));
    assert.equal(r.frames.length, N);
    const marked = r.frames.filter((f) => (f.flags & FrameFlag.MARKED) !== 0).length;
    assert.ok(marked > 0, "some frames went over the rate");
    assert.equal(r.sample.marked, marked, "the sample counts the marked frames on the lane");
    assert.equal(r.sample.drops + r.sample.nacked, 0);
    assertInOrder(r.frames);
  });

  test("nack: what goes over the rate is refused and counted, never sent", async () => {
    const r = await run(qos("nack"));
    assert.ok(r.frames.length < N);
    assert.ok(r.sample.nacked > 0);
    assert.equal(r.frames.length + r.sample.nacked, N);
    assert.equal(r.sample.drops, 0);
    assertInOrder(r.frames);
  });

  test("buffer: nothing is lost, order is kept, and the source is held to rate + buffer", async () => {
    const r = await run(qos("buffer"));
    assert.deepEqual(
      r.frames.map((f) => f.n),
      Array.from({ length: N }, (_, i) => i),
    );
    assert.equal(r.sample.drops, 0);
    assert.equal(r.sample.buffered, 0, "drained before EOS");
    // The source ran ahead of the bucket by at most the buffer (+ the item being offered).
    assert.ok(r.maxAhead <= BUFFER + 1, `the source ran ${r.maxAhead} items ahead of the rate`);
    // A lower bound on time is safe on a slow machine: the rate can only make it longer.
    const floor = ((N - BURST) / RATE) * 1000;
    assert.ok(r.elapsedMs >= floor * 0.9, `${N} frames in ${r.elapsedMs} ms (rate floor ${floor})`);
  });

  test("no qos params, or qos for another end of the route: no admission at all", async () => {
    for (const params of [{}, qos("taildrop", "rtt://obs/extension/logger@1.0.0")]) {
      const r = await run(params);
      assert.equal(r.frames.length, N, JSON.stringify(params));
      assert.equal(r.sample.drops + r.sample.marked + r.sample.nacked + r.sample.buffered, 0);
    }
  });

  test("bad qos params fail the Open, naming the key", async () => {
    const driver = await start(
      defineConnector({
        name: "any",
        version: "1.0.0",
        probe: () => [CONTRACT],
        open: () => ({}),
        tx: () => {},
        async *rx() {},
        close: () => {},
        health: () => ({ ok: true, lag_ms: 0 }),
      }),
    );
    await assert.rejects(
      driver.client.open(SADDR, {
        contract: CONTRACT,
        params: { ...qos("buffer"), "qos.buffer": "0" },
      }),
      /qos\.buffer: expected an integer >= 1/,
    );
  });
});

// A fast source wired to a slow target, driver to driver, in this process (the harness, real
// runtime and gRPC service, in-process lanes): the target link's tx queue stops at its
// high-water mark, the lane between the two fills, and the source's rx is pulled no faster
// than the target takes — bounded memory at every hop — and every message still arrives, once,
// in order.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { defineConnector, type HealthSample, type InProcessDriver } from "@rtt/connector-sdk";
import { routeQosParams } from "@rtt/core";
import { eventually, settled } from "@rtt/core/testing";
import type { LaneKind } from "@rtt/fabric";
import { loadShm } from "@rtt/fabric";
import { fastSource, inProcessDrivers, TICKS } from "./helpers.ts";

/** The link's tx-queue high-water mark (inbound-tx.ts INBOUND_MARKS.high.items). */
const HIGH_WATER = 1024;
/** Messages the source has: enough to overrun every buffer on the way many times over. */
const N = 20_000;
const SADDR = TICKS;
const CONTRACT = { saddr: SADDR, type: "bus", direction: "both" } as const;

const start = inProcessDrivers();

/** What the test watches: how far the source's rx got, and what the target's tx took. */
interface Counts {
  produced: number;
  consumed: string[];
  /** While closed, the target's tx waits: a consumer that has stopped. */
  gate: Promise<void> | undefined;
  /** The messages the source's `refuse` was told of (a nack route's refusals). */
  refused: number;
}

function connectors(counts: Counts) {
  const source = fastSource(
    CONTRACT,
    () => (counts.produced < N ? String(counts.produced++) : undefined),
    () => {
      counts.refused++;
    },
  );
  const target = defineConnector({
    name: "slow-target",
    version: "1.0.0",
    probe: () => [CONTRACT],
    open: () => ({}),
    async tx(_link, bytes) {
      if (counts.gate !== undefined) await counts.gate;
      counts.consumed.push(Buffer.from(bytes).toString());
    },
    async *rx() {},
    close: () => {},
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { source, target };
}

/** Samples a link's health every 10 ms in the background. */
function watch(d: InProcessDriver<unknown>, linkId: string) {
  const samples: HealthSample[] = [];
  const stream = d.client.health({ linkId, intervalMs: 10 });
  const done = (async () => {
    try {
      for await (const s of stream) if (s.link_id === linkId) samples.push(s);
    } catch {
      // cancelled
    }
  })();
  return {
    samples,
    async stop() {
      stream.cancel();
      await done;
    },
  };
}

const shmMissing = loadShm() === undefined;

/**
 * A fast source and a consumer that has stopped (until `start()`): both drivers in this
 * process, a link open on each, the source's with `params`; the caller wires them.
 */
async function stoppedConsumer(params: Record<string, string> = {}) {
  let openGate = () => {};
  const counts: Counts = {
    produced: 0,
    consumed: [],
    refused: 0,
    gate: new Promise<void>((resolve) => {
      openGate = resolve;
    }),
  };
  const { source, target } = connectors(counts);
  const a = await start(source, { heartbeatMs: 40 });
  const b = await start(target, { heartbeatMs: 40 });
  const from = await a.client.open(SADDR, { contract: CONTRACT, params });
  const to = await b.client.open(SADDR, { contract: CONTRACT });
  return {
    a: a as InProcessDriver<unknown>,
    b: b as InProcessDriver<unknown>,
    from,
    to,
    counts,
    /** The consumer goes on. */
    start: () => {
      counts.gate = undefined;
      openGate();
    },
  };
}

describe("a slow consumer slows the source (backpressure end to end)", () => {
  for (const kind of ["inproc", "uds", "shm"] as const satisfies readonly LaneKind[]) {
    test(`${kind} lane: qdepth stays ≤ the high-water mark, the source stalls, nothing is lost`, {
      skip: kind === "shm" && shmMissing ? "native addon not built" : false,
    }, async () => {
      const { a, b, from, to, counts, start } = await stoppedConsumer();
      const watching = watch(b, to);
      // The target offers its inbound side (a small ring for shm, so it fills quickly too).
      const address = await b.client.offer(to, "inbound", kind, { capacity: 256 * 1024 });
      await a.client.bind(from, { outbound: address });

      // 1. The consumer has stopped: the source must stall with a bounded backlog. Stalled =
      // nothing produced for 200 ms; how soon it gets there depends on the machine's load.
      const stalled = await settled(() => counts.produced, {
        what: "the source to stall with nobody consuming",
        detail: () => `produced ${counts.produced} of ${N}`,
      });
      assert.ok(stalled < N / 2, `the source produced ${stalled} of ${N} with nobody consuming`);
      const stopped = watching.samples.at(-1);
      assert.ok(stopped !== undefined, "health samples");
      assert.ok(
        stopped.qdepth > HIGH_WATER / 2,
        `the target's queue filled to its mark (${stopped.qdepth})`,
      );

      // 2. The consumer goes on: everything arrives, once, in order; the queue stayed bounded.
      start();
      await eventually(() => counts.consumed.length >= N, {
        what: `${N} messages at the target`,
        timeoutMs: 15_000,
      });
      await watching.stop();
      const maxQ = Math.max(...watching.samples.map((s) => s.qdepth));
      assert.ok(maxQ <= HIGH_WATER, `qdepth reached ${maxQ}`);
      const wrong = counts.consumed.findIndex((m, i) => m !== String(i));
      assert.equal(wrong, -1, `message ${wrong} out of order`);
      assert.equal(counts.consumed.length, N);
      await a.client.close(from);
      await b.client.close(to);
    });
  }
});

describe("a slow consumer on a taildrop or nack route: the source is not paused, the rest is refused", () => {
  for (const drop of ["taildrop", "nack"] as const) {
    test(`${drop}: the source produces all while the consumer is stopped; refusals counted`, async () => {
      // A rate no source here reaches: only the full lane can refuse.
      const { a, b, from, to, counts, start } = await stoppedConsumer(
        routeQosParams(SADDR, { rate: 1e9, burst: 1e9, drop }),
      );
      const address = await b.client.offer(to, "inbound", "uds");
      await a.client.bind(from, { outbound: address });

      const watching = watch(a, from);
      await eventually(() => counts.produced === N, {
        what: `the source to produce all ${N}`,
        timeoutMs: 15_000,
      });
      const refusedIn = (x: HealthSample) => (drop === "nack" ? x.nacked : x.drops);
      // Every chunk the source produced was written or refused, and the health sample says so.
      await eventually(
        () => {
          const last = watching.samples.at(-1);
          return last !== undefined && last.frames_out + refusedIn(last) === N;
        },
        { what: "a health sample that accounts for every chunk", timeoutMs: 15_000 },
      );
      await watching.stop();
      const sample = watching.samples.at(-1) as HealthSample;
      assert.ok(refusedIn(sample) > 0, `nothing was ${drop === "nack" ? "nacked" : "dropped"}`);
      // The connector hears of every nack (to tell its sender), of no drop.
      if (drop === "nack")
        await eventually(() => counts.refused === sample.nacked, {
          what: `refuse called ${sample.nacked} times (${counts.refused})`,
          timeoutMs: 15_000,
        });
      await sleep(50);
      assert.equal(counts.refused, drop === "nack" ? sample.nacked : 0);

      start();
      await eventually(() => counts.consumed.length === sample.frames_out, {
        what: "what went out to arrive",
        timeoutMs: 15_000,
      });
      await sleep(100); // nothing more arrives
      assert.equal(counts.consumed.length, sample.frames_out);
      const seqs = counts.consumed.map(Number);
      for (let i = 1; i < seqs.length; i++)
        assert.ok((seqs[i] ?? 0) > (seqs[i - 1] ?? 0), `out of order at ${i}`);
      await a.client.close(from);
      await b.client.close(to);
    });
  }
});

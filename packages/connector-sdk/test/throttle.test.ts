// The half-open trial's bound on a link's outbound (Throttle, ADR 0013): a source as fast as the
// pump pulls, a real Unix socket lane read here. While throttled, what reaches the lane stays
// within the bound's budget (burst + rate × elapsed: an upper bound, safe on a slow machine) and
// more than a single probe gets through; lifting the bound lets the rest through, in order, none
// lost. Bad arguments are refused, naming them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { InProcessDriver } from "@rtt/connector-sdk";
import { type Frame, FrameType, type LaneAddress, listenReader } from "@rtt/fabric";
import { fastSource, inProcessDrivers, TICKS } from "./helpers.ts";

const SADDR = TICKS;
const CONTRACT = { saddr: SADDR, type: "bus", direction: "provider" } as const;
const N = 300;
const PER_WINDOW = 10;
const WINDOW_MS = 100;

const start = inProcessDrivers();

async function fastSourceDriver(): Promise<InProcessDriver<{ closed: boolean }>> {
  let produced = 0;
  return start(
    fastSource(CONTRACT, () => (produced < N ? String(produced++) : undefined)),
    { heartbeatMs: 1000 },
  );
}

/** A uds lane listening here: the items its frames carry, in order, and its EOS. */
async function lane(): Promise<{
  address: LaneAddress;
  got: number[];
  eos: Promise<void>;
}> {
  const listener = await listenReader("uds");
  const got: number[] = [];
  const eos = listener.accepted.then(
    (reader) =>
      new Promise<void>((resolve, reject) => {
        reader.on("frame", (f: Frame) => {
          if (f.type === FrameType.DATA) got.push(Number(Buffer.from(f.payload).toString()));
        });
        reader.on("end", () => resolve());
        reader.on("error", reject);
      }),
  );
  return { address: listener.address, got, eos };
}

describe("Throttle: a bounded sample on a link's outbound", () => {
  test("within the budget while bounded; everything, in order, once lifted", async () => {
    const driver = await fastSourceDriver();
    const link = await driver.client.open(SADDR, { contract: CONTRACT, params: {} });
    await driver.client.throttle(link, PER_WINDOW, WINDOW_MS);
    const { address, got, eos } = await lane();
    const t0 = performance.now();
    await driver.client.bind(link, { outbound: address });
    await sleep(300);
    const bounded = got.length;
    const budget = PER_WINDOW + (PER_WINDOW * (performance.now() - t0)) / WINDOW_MS + 1;
    assert.ok(bounded <= budget, `${bounded} frames in the trial, budget ${budget}`);
    assert.ok(bounded > 1, `more than a single probe got through (${bounded})`);
    assert.ok(bounded < N, "the rest waited at the source");

    await driver.client.throttle(link, 0, 0);
    await eos;
    assert.deepEqual(
      got,
      Array.from({ length: N }, (_, i) => i),
      "every item once, in order, across the trial",
    );
  });

  test("a parked outbound keeps its chunks, a tap or not; a Switch moves them on, none lost", async () => {
    const driver = await fastSourceDriver();
    const link = await driver.client.open(SADDR, { contract: CONTRACT, params: {} });
    const first = await lane();
    await driver.client.throttle(link, PER_WINDOW, WINDOW_MS); // slow enough to park mid-way
    await driver.client.bind(link, { outbound: first.address });
    await sleep(150);
    await driver.client.switch(link, undefined);
    await first.eos; // the park's EOS
    // A tap on a parked link sees what the source produces, and takes nothing from the route.
    const tap = driver.client.rx(link);
    const tapped: number[] = [];
    const reading = (async () => {
      for await (const c of tap) tapped.push(Number(Buffer.from(c.bytes).toString()));
    })().catch(() => {});
    await sleep(200);
    await driver.client.throttle(link, 0, 0);
    await sleep(100);
    const second = await lane();
    await driver.client.switch(link, second.address);
    await second.eos;
    tap.cancel();
    await reading;
    assert.ok(first.got.length < N, "the park came mid-way");
    assert.deepEqual(
      [...first.got, ...second.got],
      Array.from({ length: N }, (_, i) => i),
      "every item once, in order, across the park and the tap",
    );
  });

  test("bad arguments are refused, naming them", async () => {
    const driver = await fastSourceDriver();
    const link = await driver.client.open(SADDR, { contract: CONTRACT, params: {} });
    await assert.rejects(driver.client.throttle(link, 5, 0), /window_ms >= 1; got 5 per 0 ms/);
    await assert.rejects(driver.client.throttle("no-such-link", 5, 100), /no-such-link/);
  });
});

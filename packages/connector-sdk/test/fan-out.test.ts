// Fan-out (ADR 0025), driver to driver in this process (the harness: real runtime, gRPC service
// and lanes): three routes from one source symbol open the source's connector once; two
// consumers that keep up get every message in order, a stopped consumer on a taildrop route
// drops what its full lane cannot take without holding the others back, and the source's
// handle closes only when its last route's link does.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineConnector, type HealthSample, type InProcessDriver } from "@rtt/connector-sdk";
import { ROUTE_FANOUT_PARAM, routeQosParams } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { inProcessDrivers, TICKS } from "./helpers.ts";

const N = 20_000;
const CONTRACT = { saddr: TICKS, type: "bus", direction: "both" } as const;
const FANOUT = { [ROUTE_FANOUT_PARAM]: "source" };

const start = inProcessDrivers();

/** A source that counts its opens and closes and produces 0..N-1 as fast as it is pulled. */
function countingSource() {
  const seen = { opens: 0, closes: 0, produced: 0 };
  const connector = defineConnector<{ closed: boolean }>({
    name: "counting-source",
    version: "1.0.0",
    probe: () => [CONTRACT],
    open: () => {
      seen.opens++;
      return { closed: false };
    },
    tx: () => {},
    async *rx(link) {
      while (!link.closed && seen.produced < N) yield Buffer.from(String(seen.produced++));
    },
    close: (link) => {
      seen.closes++;
      link.closed = true;
    },
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { seen, connector };
}

/** Consumers by name (the `who` param); `slow` waits at its gate until `release()`. */
function consumers() {
  const got = new Map<string, number[]>();
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const connector = defineConnector<{ who: string }>({
    name: "consumers",
    version: "1.0.0",
    probe: () => [CONTRACT],
    open: (_symbol, params) => ({ who: params.who ?? "?" }),
    async tx(link, bytes) {
      if (link.who === "slow") await gate;
      const list = got.get(link.who) ?? [];
      list.push(Number(Buffer.from(bytes).toString()));
      got.set(link.who, list);
    },
    async *rx() {},
    close: () => {},
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { got, release, connector };
}

async function sampleOf(d: InProcessDriver<unknown>, linkId: string): Promise<HealthSample> {
  const stream = d.client.health({ linkId, intervalMs: 10 });
  try {
    for await (const s of stream) if (s.link_id === linkId) return s;
  } finally {
    stream.cancel();
  }
  throw new Error(`no sample of ${linkId}`);
}

function inOrder(list: readonly number[]): boolean {
  return list.every((n, i) => i === 0 || n > (list[i - 1] ?? -1));
}

describe("fan-out: one source symbol, three routes, one handle", () => {
  test("the fast routes get all, the stopped taildrop route drops alone, the last close ends it", async () => {
    const source = countingSource();
    const sink = consumers();
    const a = (await start(source.connector, { heartbeatMs: 40 })) as InProcessDriver<unknown>;
    const b = (await start(sink.connector, { heartbeatMs: 40 })) as InProcessDriver<unknown>;
    const routes = [
      { who: "fast1", params: FANOUT },
      { who: "fast2", params: FANOUT },
      {
        who: "slow",
        // A rate nothing here reaches: only the slow consumer's full lane refuses.
        params: {
          ...FANOUT,
          ...routeQosParams(TICKS, { rate: 1e9, burst: 1e9, drop: "taildrop" }),
        },
      },
    ];
    const links: { who: string; from: string; to: string }[] = [];
    for (const r of routes) {
      const from = await a.client.open(TICKS, { contract: CONTRACT, params: r.params });
      const to = await b.client.open(TICKS, { contract: CONTRACT, params: { who: r.who } });
      links.push({ who: r.who, from, to });
    }
    assert.equal(source.seen.opens, 1, "one handle (one program) for the three routes");
    for (const l of links) {
      const address = await b.client.offer(l.to, "inbound", "uds");
      await a.client.bind(l.from, { outbound: address });
    }

    await eventually(() => source.seen.produced === N, {
      what: `the source to produce all ${N} with one consumer stopped`,
      timeoutMs: 30_000,
      detail: () => `produced ${source.seen.produced}`,
    });
    await eventually(
      () =>
        (sink.got.get("fast1")?.length ?? 0) === N && (sink.got.get("fast2")?.length ?? 0) === N,
      { what: "both fast consumers to get every message", timeoutMs: 30_000 },
    );
    for (const who of ["fast1", "fast2"]) {
      const list = sink.got.get(who) ?? [];
      assert.ok(
        list.every((n, i) => n === i),
        `${who} got every message once, in order`,
      );
    }
    const slow = links[2] as { from: string };
    const slowSample = await eventually(
      async () => {
        const s = await sampleOf(a, slow.from);
        return s.frames_out + s.drops === N ? s : undefined;
      },
      { what: "the slow route's sample to account for every message", timeoutMs: 15_000 },
    );
    assert.ok(slowSample.drops > 0, "the stopped consumer's route dropped");
    assert.equal(slowSample.shared, 3, "its sample says three routes share the source");
    const fast = await sampleOf(a, (links[0] as { from: string }).from);
    assert.equal(fast.drops, 0);
    assert.equal(fast.frames_out, N);

    // The slow consumer goes on: it gets what its lane took, in order, and no more.
    sink.release();
    await eventually(() => (sink.got.get("slow")?.length ?? 0) === slowSample.frames_out, {
      what: "what the slow route sent to arrive",
      timeoutMs: 15_000,
    });
    assert.ok(inOrder(sink.got.get("slow") ?? []), "the slow consumer's messages are in order");

    // The handle lives while any route uses it.
    await a.client.close((links[0] as { from: string }).from);
    await a.client.close((links[1] as { from: string }).from);
    assert.equal(source.seen.closes, 0, "two routes closed, one left: the source runs on");
    await a.client.close(slow.from);
    assert.equal(source.seen.closes, 1, "the last route's close ends it");
    for (const l of links) await b.client.close(l.to);
  });

  test("a source end without the fan-out param keeps a handle of its own", async () => {
    const source = countingSource();
    const a = await start(source.connector);
    const one = await a.client.open(TICKS, { contract: CONTRACT });
    const two = await a.client.open(TICKS, { contract: CONTRACT });
    assert.equal(source.seen.opens, 2);
    await a.client.close(one);
    await a.client.close(two);
    assert.equal(source.seen.closes, 2);
  });
});

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

/**
 * A source that counts its opens and closes and, once `go()` is called, produces 0..N-1 as fast
 * as it is pulled.
 */
function countingSource(params?: readonly string[]) {
  const seen = { opens: 0, closes: 0, produced: 0 };
  let go = () => {};
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  const connector = defineConnector<{ closed: boolean }>({
    name: "counting-source",
    version: "1.0.0",
    ...(params === undefined ? {} : { params }),
    probe: () => [CONTRACT],
    open: () => {
      seen.opens++;
      return { closed: false };
    },
    tx: () => {},
    async *rx(link) {
      await started;
      while (!link.closed && seen.produced < N) yield Buffer.from(String(seen.produced++));
    },
    close: (link) => {
      seen.closes++;
      link.closed = true;
    },
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { seen, connector, go };
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

/** A taildrop route at a rate nothing here reaches: only a full lane (or queue) refuses. */
const TAILDROP = {
  ...FANOUT,
  ...routeQosParams(TICKS, { rate: 1e9, burst: 1e9, drop: "taildrop" }),
};

/**
 * Three routes from the source to consumers fast1, fast2 and `third` (the taildrop one), wired
 * driver to driver over uds lanes; the source has not started producing.
 */
async function threeRoutes(third: string) {
  const source = countingSource();
  const sink = consumers();
  const a = (await start(source.connector, { heartbeatMs: 40 })) as InProcessDriver<unknown>;
  const b = (await start(sink.connector, { heartbeatMs: 40 })) as InProcessDriver<unknown>;
  const routes = [
    { who: "fast1", params: FANOUT },
    { who: "fast2", params: FANOUT },
    { who: third, params: TAILDROP },
  ];
  const links: { who: string; from: string; to: string }[] = [];
  for (const r of routes) {
    const from = await a.client.open(TICKS, { contract: CONTRACT, params: r.params });
    const to = await b.client.open(TICKS, { contract: CONTRACT, params: { who: r.who } });
    links.push({ who: r.who, from, to });
  }
  for (const l of links) {
    const address = await b.client.offer(l.to, "inbound", "uds");
    await a.client.bind(l.from, { outbound: address });
  }
  const [fast1, fast2, other] = links as [(typeof links)[0], (typeof links)[0], (typeof links)[0]];
  return { source, sink, a, b, fast1, fast2, other };
}

/** Both fast consumers got 0..N-1, once each, in order. */
async function fastOnesGotAll(sink: ReturnType<typeof consumers>): Promise<void> {
  await eventually(
    () => (sink.got.get("fast1")?.length ?? 0) === N && (sink.got.get("fast2")?.length ?? 0) === N,
    { what: "both fast consumers to get every message", timeoutMs: 30_000 },
  );
  for (const who of ["fast1", "fast2"]) {
    const list = sink.got.get(who) ?? [];
    assert.ok(
      list.every((n, i) => n === i),
      `${who} got every message once, in order`,
    );
  }
}

describe("fan-out: one source symbol, three routes, one handle", () => {
  test("the fast routes get all, the stopped taildrop route drops alone, the last close ends it", async () => {
    const { source, sink, a, b, fast1, fast2, other: slow } = await threeRoutes("slow");
    const links = [fast1, fast2, slow];
    assert.equal(source.seen.opens, 1, "one handle (one program) for the three routes");
    source.go();

    await eventually(() => source.seen.produced === N, {
      what: `the source to produce all ${N} with one consumer stopped`,
      timeoutMs: 30_000,
      detail: () => `produced ${source.seen.produced}`,
    });
    await fastOnesGotAll(sink);
    const slowSample = await eventually(
      async () => {
        const s = await sampleOf(a, slow.from);
        return s.frames_out + s.drops === N ? s : undefined;
      },
      { what: "the slow route's sample to account for every message", timeoutMs: 15_000 },
    );
    assert.ok(slowSample.drops > 0, "the stopped consumer's route dropped");
    assert.equal(slowSample.shared, 3, "its sample says three routes share the source");
    const fast = await sampleOf(a, fast1.from);
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
    await a.client.close(fast1.from);
    await a.client.close(fast2.from);
    assert.equal(source.seen.closes, 0, "two routes closed, one left: the source runs on");
    await a.client.close(slow.from);
    assert.equal(source.seen.closes, 1, "the last route's close ends it");
    for (const l of links) await b.client.close(l.to);
  });

  test("a trip parks one route of a fan-out: its siblings go on, a heal brings it back", async () => {
    const { source, sink, a, b, fast1, fast2, other: parked } = await threeRoutes("parked");
    // A trip with nowhere to go parks the route's source outbound (ADR 0014): that link only.
    await a.client.switch(parked.from, undefined);
    source.go();
    await fastOnesGotAll(sink);
    const held = await eventually(
      async () => {
        const s = await sampleOf(a, parked.from);
        return s.drops > 0 && source.seen.produced === N ? s : undefined;
      },
      { what: "the parked taildrop route to drop its share", timeoutMs: 15_000 },
    );
    assert.equal(held.frames_out, 0, "nothing left the parked route");
    assert.equal(sink.got.get("parked"), undefined);
    // The heal: the route's outbound to its target again; what it kept arrives, in order.
    const address = await b.client.offer(parked.to, "inbound", "uds");
    await a.client.switch(parked.from, address);
    await eventually(async () => (await sampleOf(a, parked.from)).frames_out > 0, {
      what: "the healed route to send again",
    });
    const healed = await sampleOf(a, parked.from);
    assert.equal(healed.frames_out + healed.drops, N, "every message sent or dropped");
    await eventually(() => (sink.got.get("parked")?.length ?? 0) === healed.frames_out, {
      what: "what the healed route kept to arrive",
    });
    assert.ok(inOrder(sink.got.get("parked") ?? []));
    for (const l of [fast1, fast2, parked]) {
      await a.client.close(l.from);
      await b.client.close(l.to);
    }
    assert.equal(source.seen.closes, 1);
  });

  test("a route opened after the shared source's rx ended gets a handle of its own", async () => {
    const source = countingSource();
    const sink = consumers();
    const a = await start(source.connector);
    const b = await start(sink.connector);
    const from = await a.client.open(TICKS, { contract: CONTRACT, params: FANOUT });
    const to = await b.client.open(TICKS, { contract: CONTRACT, params: { who: "fast1" } });
    await a.client.bind(from, { outbound: await b.client.offer(to, "inbound", "uds") });
    source.go();
    await eventually(() => (sink.got.get("fast1")?.length ?? 0) === N, { what: "all of it" });
    assert.equal((await sampleOf(a as InProcessDriver<unknown>, from)).shared, 1, "alone");
    const late = await a.client.open(TICKS, { contract: CONTRACT, params: FANOUT });
    assert.equal(source.seen.opens, 2, "an ended stream is not joined");
    await a.client.close(late);
    await a.client.close(from);
    await b.client.close(to);
    assert.equal(source.seen.closes, 2);
  });

  test("routes share the source whatever they set that its connector does not read", async () => {
    // Route params go to both ends: `append` is for a file target, `speed` for this source.
    const opened = async (read: readonly string[] | undefined) => {
      const source = countingSource(read);
      const a = await start(source.connector);
      const links = [];
      for (const params of [{}, { append: "lines" }, { speed: "2" }, { speed: "2", append: "x" }])
        links.push(
          await a.client.open(TICKS, { contract: CONTRACT, params: { ...FANOUT, ...params } }),
        );
      for (const l of links) await a.client.close(l);
      return source.seen.opens;
    };
    assert.equal(await opened(["speed"]), 2, "one handle per value of speed");
    assert.equal(await opened(undefined), 4, "undeclared: every param counts");
  });

  test("a source end without the fan-out param keeps a handle of its own", async () => {
    const source = countingSource();
    const a = await start(source.connector);
    const one = await a.client.open(TICKS, { contract: CONTRACT });
    const two = await a.client.open(TICKS, { contract: CONTRACT });
    assert.equal(source.seen.opens, 2);
    assert.equal((await sampleOf(a as InProcessDriver<unknown>, one)).shared, 0, "it never shares");
    await a.client.close(one);
    await a.client.close(two);
    assert.equal(source.seen.closes, 2);
  });
});

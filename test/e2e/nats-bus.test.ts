/**
 * Routes across machines through NATS (docs/adr/0032-nats-bus.md), with the real binary, two
 * panels in two folders (standing for two machines) and a real nats-server: panel A's event bus
 * → a nats bus symbol (its route's target: publish) → NATS subject → panel B's nats bus symbol
 * (its route's source: subscribe) → panel B's logger. Each workspace is wired with `rtt scan &&
 * rtt plan && rtt apply`. With JetStream (`x-stream`) and `drop: buffer` on both sides, panel B
 * stopped mid-stream and started again, and nats-server killed (-9) mid-stream and restarted,
 * still deliver every event exactly once, in order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { loggedSeqs, oneToN, useBurstBus } from "../support/burst-bus.ts";
import { NatsServer, skipWithoutNats } from "../support/nats-server.ts";
import type { QuickstartPolicy } from "../support/quickstart.ts";
import { cleanup, type TapSample, Workspace } from "../support/quickstart-workspace.ts";

const N = 100_000;
const SUBJECT = "rtt.e2e.events";
const STREAM = "RTT_E2E_EVENTS";
const BUS = "rtt://net/bus/events@1.0.0";
const LOG = "logs/events.ndjson";
const ROUTE = "events-over-nats";

let server: NatsServer;
before(async () => {
  if (skipWithoutNats === false) server = await NatsServer.start();
});
after(async () => {
  await cleanup();
  await server?.dispose();
});

/** `drop: buffer` on every route from a bus: each end journals (ADR 0016). */
const buffered = (policy: QuickstartPolicy) => {
  policy.qos = [
    { match: "rtt://*/bus/*", prio: 0, rate: 1e7, burst: 1e7, drop: "buffer", buffer: 4096 },
  ];
  policy.failover = [];
  policy.allow = [
    { from: "rtt://core/bus/*", to: "rtt://net/bus/*", scopes: ["*"] },
    { from: "rtt://net/bus/*", to: "rtt://obs/extension/*", scopes: ["*"] },
  ];
};

/** The bus symbol on NATS, as one end's manifest says it. */
function natsManifest(w: Workspace, direction: "consumer" | "provider"): void {
  w.write(
    "net/rtt.manifest.json",
    JSON.stringify({
      $schema: "https://rtt/spec/v1",
      symbol: {
        saddr: BUS,
        type: "bus",
        direction,
        capabilities: ["push", "stream"],
        io: "pubsub",
        ...(direction === "consumer"
          ? { inputs: [{ name: "event", schema: "json://events.event" }] }
          : { outputs: [{ name: "event", schema: "json://events.event" }] }),
        "x-driver": "nats",
        "x-url": server.url,
        "x-subject": SUBJECT,
        "x-stream": STREAM,
      },
    }),
  );
}

const routes = (from: string, to: string) =>
  `${JSON.stringify({ routes: [{ id: ROUTE, from, to }] })}\n`;

async function wire(w: Workspace): Promise<void> {
  await w.ok(["scan"]);
  await w.ok(["plan"]);
  await w.ok(["apply", "--auto-approve"]);
}

describe("a route across two panels through NATS", { skip: skipWithoutNats }, () => {
  const missing = (seqs: readonly number[]) => {
    const seen = new Set(seqs);
    const gone: number[] = [];
    for (let i = 1; i <= N && gone.length < 20; i++) if (!seen.has(i)) gone.push(i);
    return `${gone.join(",")} (dups ${seqs.length - seen.size})`;
  };
  it(`carries ${N} events from panel A to panel B once each, across a stop of B and a kill -9 of nats-server`, async () => {
    const a = new Workspace({ routes: [], policy: buffered });
    useBurstBus(a, N, 0);
    natsManifest(a, "consumer");
    a.write(".rtt/routes.json", routes("rtt://core/bus/events", "rtt://net/bus/events"));

    const b = new Workspace({ routes: [], policy: buffered });
    natsManifest(b, "provider");
    b.write(
      ".rtt/routes.json",
      routes("rtt://net/bus/events", "rtt://obs/extension/logger#ndjson"),
    );

    await wire(b);
    await wire(a);
    a.write("logs/go", "");

    const logged = (at: number) =>
      eventually(() => b.count(LOG) >= at, {
        ...b.wait(`panel B's logger to hold ${at} events`),
        timeoutMs: 120_000,
        intervalMs: 200,
        detail: () =>
          `B logged ${b.count(LOG)}; missing ${missing(loggedSeqs(b, LOG))}\nA:\n${a.tail(20)}\nB:\n${b.tail(20)}`,
      });

    // Panel B goes away mid-stream; A goes on publishing into the stream.
    await logged(N / 10);
    await b.ok(["panel", "stop"]);
    assert.ok(b.count(LOG) < N, "B stopped before the end of the stream");
    await wire(b);

    // nats-server dies mid-stream (publishes wait for it, B's consumer too) and comes back on
    // its store.
    await logged(N / 2);
    await server.stop("SIGKILL");
    assert.ok(b.count(LOG) < N, "nats-server killed before the end of the stream");
    // The outage is the route's health: B's source link is down, and says why.
    let last: TapSample | undefined;
    await eventually(
      async () => {
        [last] = await b.tap(ROUTE, 1, 200);
        return last?.from_link.ok === false && /disconnected/.test(last.from_link.err);
      },
      {
        ...b.wait("B's route to show its NATS link down"),
        intervalMs: 300,
        detail: () => JSON.stringify(last?.from_link),
      },
    );
    await server.start();

    await logged(N);
    assert.deepEqual(loggedSeqs(b, LOG), oneToN(N), "every event once, in order");
    await a.ok(["panel", "stop"]);
    await b.ok(["panel", "stop"]);
  });
});

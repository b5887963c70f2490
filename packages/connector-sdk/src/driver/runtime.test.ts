// DriverRuntime without a transport: what a shutdown does to an Open still in flight.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { laneSocketDir, listenReader, listenWriter } from "@rtt/fabric";
import { defineConnector } from "./define-connector.ts";
import { DriverRuntime } from "./runtime.ts";

const SADDR = "rtt://demo/api/slow@1.0.0";
const CONTRACT = JSON.stringify({ saddr: SADDR, type: "api", direction: "both" });

/** A connector whose open() waits for `release()`, recording what it opened and closed. */
function slowOpening() {
  const opened: number[] = [];
  const closed: number[] = [];
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const connector = defineConnector<{ n: number }>({
    name: "slow",
    version: "1.0.0",
    probe: () => [],
    async open() {
      await gate;
      const n = opened.length + 1;
      opened.push(n);
      return { n };
    },
    tx: () => {},
    async *rx() {},
    close: (link) => {
      closed.push(link.n);
    },
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { connector, opened, closed, release: () => release() };
}

const isShuttingDown = (e: unknown) =>
  e instanceof RttError && e.code === "RTT_ERR_DRIVER_LINK" && /shutting down/.test(e.message);

describe("DriverRuntime shutdown", () => {
  test("an Open in flight when dispose() starts is closed once it exists, and dispose waits for it", async () => {
    const slow = slowOpening();
    const runtime = new DriverRuntime(slow.connector, { log: () => {} });
    const opening = runtime.open(SADDR, CONTRACT, {});
    const disposing = runtime.dispose();
    let disposed = false;
    void disposing.then(() => {
      disposed = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(disposed, false, "dispose() returned before the Open in flight settled");
    slow.release();
    await assert.rejects(opening, isShuttingDown);
    await disposing;
    assert.deepEqual(slow.opened, [1]);
    assert.deepEqual(slow.closed, [1], "the link the overtaken Open made was not closed");
    assert.equal(runtime.linkCount, 0);
  });

  test("dispose() waits for a hung Open no longer than its drain time; the late link is closed", async () => {
    const slow = slowOpening();
    const runtime = new DriverRuntime(slow.connector, { log: () => {}, drainMs: 50 });
    const opening = runtime.open(SADDR, CONTRACT, {});
    assert.equal(await runtime.dispose(), 0, "dispose() returned, with no link open");
    slow.release();
    await assert.rejects(opening, isShuttingDown);
    assert.deepEqual(slow.closed, [1]);
  });

  test("an Open after dispose() is refused without calling the connector", async () => {
    const slow = slowOpening();
    slow.release();
    const runtime = new DriverRuntime(slow.connector, { log: () => {} });
    await runtime.dispose();
    await assert.rejects(runtime.open(SADDR, CONTRACT, {}), isShuttingDown);
    assert.deepEqual(slow.opened, []);
  });

  test("links open before dispose() are closed by it", async () => {
    const slow = slowOpening();
    slow.release();
    const runtime = new DriverRuntime(slow.connector, { log: () => {} });
    await runtime.open(SADDR, CONTRACT, {});
    await runtime.open(SADDR, CONTRACT, {});
    assert.equal(await runtime.dispose(), 2);
    assert.deepEqual(slow.closed.sort(), [1, 2]);
  });
});

describe("an Offer's listener, while it is made", () => {
  /** This process's lane sockets (named lane-<pid>-…, socket-path.ts). */
  const ours = (): string[] =>
    existsSync(laneSocketDir())
      ? readdirSync(laneSocketDir()).filter((n) => n.startsWith(`lane-${process.pid}-`))
      : [];

  /** A runtime with one open link, and this process's lane sockets before it. */
  async function oneLink() {
    const slow = slowOpening();
    slow.release();
    const runtime = new DriverRuntime(slow.connector, { log: () => {} });
    const before = ours();
    const id = await runtime.open(SADDR, CONTRACT, {});
    return { runtime, before, id };
  }

  for (const side of ["inbound", "outbound"] as const) {
    // A listener left open would keep this process alive: the timeout makes that a failure.
    test(`an ${side} Offer overtaken by Close leaves no socket behind`, {
      timeout: 10_000,
    }, async () => {
      const { runtime, before, id } = await oneLink();
      const offering = runtime.offer(id, side, "uds");
      await runtime.close(id);
      await assert.rejects(offering, (e: unknown) => e instanceof RttError);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(ours(), before, "the listener's socket outlived its link");
      await runtime.dispose();
    });
  }

  test("two Offers of one side at once: one listens, the other is refused, nothing left", {
    timeout: 10_000,
  }, async () => {
    const { runtime, before, id } = await oneLink();
    const offers = await Promise.allSettled([
      runtime.offer(id, "inbound", "uds"),
      runtime.offer(id, "inbound", "uds"),
    ]);
    assert.deepEqual(offers.map((o) => o.status).sort(), ["fulfilled", "rejected"]);
    const refused = offers.find((o) => o.status === "rejected");
    assert.match(String(refused?.reason), /already has an inbound lane/);
    await runtime.close(id);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ours(), before, "a listener's socket outlived its link");
    await runtime.dispose();
  });
});

describe("a Bind of both sides", () => {
  test("frames that arrive while the outbound connects are not lost", {
    timeout: 20_000,
  }, async () => {
    const got: string[] = [];
    const connector = defineConnector<object>({
      name: "sink",
      version: "1.0.0",
      probe: () => [],
      open: () => ({}),
      tx: (_link, bytes) => {
        got.push(Buffer.from(bytes).toString());
      },
      async *rx() {},
      close: () => {},
      health: () => ({ ok: true, lag_ms: 0 }),
    });
    const runtime = new DriverRuntime(connector, { log: () => {} });
    const id = await runtime.open(SADDR, CONTRACT, {});
    // The inbound's writer sends the moment the link connects, while the link's outbound (an
    // shm lane: a mapping and a socket connect) is still being connected.
    const inbound = await listenWriter("shm");
    const writing = inbound.accepted.then((writer) => {
      for (let i = 1; i <= 5; i++) writer.write(Buffer.from(String(i)));
      return writer;
    });
    const outbound = await listenReader("shm");
    try {
      await runtime.bind(id, inbound.address, outbound.address);
      await eventually(() => got.length >= 5, { what: "the 5 frames at the connector" });
      assert.deepEqual(got, ["1", "2", "3", "4", "5"]);
    } finally {
      (await writing).destroy();
      (await outbound.accepted).close();
      await runtime.dispose();
    }
  });
});

describe("ListLinks", () => {
  test("says which lane each link writes and which it reads (a restarted panel's truth)", {
    timeout: 20_000,
  }, async () => {
    const connector = defineConnector<object>({
      name: "lanes",
      version: "1.0.0",
      probe: () => [],
      open: () => ({}),
      tx: () => {},
      async *rx() {},
      close: () => {},
      health: () => ({ ok: true, lag_ms: 0 }),
    });
    const runtime = new DriverRuntime(connector, { log: () => {} });
    const first = await listenReader("uds");
    const second = await listenReader("uds");
    const lanesOf = (id: string) => {
      const { outbound, inbound } = runtime.listLinks().find((l) => l.link_id === id) ?? {};
      return { outbound, inbound };
    };
    try {
      const source = await runtime.open(SADDR, CONTRACT, {});
      const target = await runtime.open(SADDR, CONTRACT, {});
      assert.deepEqual(lanesOf(source), { outbound: undefined, inbound: undefined });
      await runtime.bind(source, undefined, first.address);
      assert.deepEqual(lanesOf(source).outbound, first.address);
      await runtime.switchOutbound(source, second.address);
      assert.deepEqual(lanesOf(source).outbound, second.address);
      await runtime.switchOutbound(source, undefined);
      assert.equal(lanesOf(source).outbound, undefined, "parked: it writes no lane");
      const offered = await runtime.offer(target, "inbound", "uds");
      assert.deepEqual(lanesOf(target), { outbound: undefined, inbound: offered });
    } finally {
      await runtime.dispose();
      first.close();
      second.close();
    }
  });
});

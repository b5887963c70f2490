import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DeliveredMark, RouteJournal, type RxMessage } from "@rtt/connector-sdk";
import { type Contract, RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { NatsServer, skipWithoutNats } from "../../../../test/support/nats-server.ts";
import { type NatsLink, natsConnector } from "./driver.ts";

let server: NatsServer;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "rtt-nats-test-"));
  dirs.push(dir);
  return dir;
};

before(async () => {
  if (skipWithoutNats === false) server = await NatsServer.start();
});
/** Every link opened, closed at the end whatever a failed test left open. */
const opened: Link[] = [];
after(async () => {
  for (const link of opened)
    await Promise.resolve()
      .then(() => natsConnector.close(link, { detach: false }))
      .catch(() => {});
  await server?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let subjects = 0;
/** A bus symbol on its own subject (and stream, when `stream`). */
function bus(stream = false): Contract {
  const n = ++subjects;
  return {
    saddr: `rtt://net/bus/events${n}@1.0.0`,
    type: "bus",
    direction: "both",
    "x-driver": "nats",
    "x-url": server.url,
    "x-subject": `rtt.test.${n}`,
    ...(stream ? { "x-stream": `RTT_TEST_${n}` } : {}),
  } as Contract;
}

type Link = Awaited<ReturnType<typeof natsConnector.open>>;
const open = async (...args: Parameters<typeof natsConnector.open>): Promise<Link> => {
  const link = await natsConnector.open(...args);
  opened.push(link);
  return link;
};

/** Reads `count` messages from a source link's rx, as text with their correlation ids. */
async function take(rx: AsyncIterator<Uint8Array | RxMessage>, count: number) {
  const out: { text: string; correlation: number }[] = [];
  while (out.length < count) {
    const next = await rx.next();
    if (next.done === true) break;
    const m = next.value;
    out.push(
      m instanceof Uint8Array
        ? { text: Buffer.from(m).toString(), correlation: 0 }
        : { text: Buffer.from(m.payload).toString(), correlation: m.correlation },
    );
  }
  return out;
}

const send = async (link: Link, texts: readonly string[], correlation = () => 0) => {
  for (const t of texts)
    await natsConnector.tx(link, Buffer.from(t), { correlation: correlation() });
};
const texts = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

describe("nats driver", { skip: skipWithoutNats }, () => {
  it("publishes a target's frames to the subject, and a source emits what arrives", async () => {
    const symbol = bus();
    const source = await open(symbol, {}, { source: true });
    const target = await open(symbol, {}, {});
    const rx = natsConnector.rx(source)[Symbol.asyncIterator]();
    await send(target, texts(1, 50));
    assert.deepEqual(
      (await take(rx, 50)).map((m) => m.text),
      texts(1, 50),
    );
    assert.deepEqual(await natsConnector.health(source), { ok: true, lag_ms: 0, errors: 0 });
    await natsConnector.close(target, { detach: false });
    await natsConnector.close(source, { detach: false });
    assert.equal((await rx.next()).done, true, "closing ends rx");
  });

  it("counts a slow consumer (a source whose route does not keep up) as the link's error", async () => {
    const symbol = bus();
    const source = await open(symbol, {}, { source: true });
    const target = await open(symbol, {}, {});
    // Nobody reads the source's rx: past SLOW_CONSUMER_PENDING unread messages the client says so.
    const tiny = Buffer.from("x");
    for (let i = 0; i < 70_000; i++) await natsConnector.tx(target, tiny, { correlation: 0 });
    await eventually(async () => ((await natsConnector.health(source)).errors ?? 0) >= 1, {
      what: "the source's health to count the slow consumer",
      timeoutMs: 20_000,
    });
    assert.equal((await natsConnector.health(target)).errors, 0, "the publisher did nothing wrong");
  });

  it("refuses a server that is not there, naming it", async () => {
    const symbol = { ...bus(), "x-url": "nats://127.0.0.1:1" } as Contract;
    await assert.rejects(
      async () => open(symbol, {}, {}),
      (e: unknown) =>
        e instanceof RttError &&
        e.code === "RTT_ERR_DRIVER_LINK" &&
        /cannot connect to nats:\/\/127\.0\.0\.1:1 subject/.test(e.message),
    );
  });

  it("passes x-creds to the client and never shows what is in it", async () => {
    const creds = join(tempDir(), "rtt.creds");
    writeFileSync(
      creds,
      "-----BEGIN NATS USER JWT-----\nSECRETJWT\n------END NATS USER JWT------\n" +
        "-----BEGIN USER NKEY SEED-----\nSUSECRETSEED\n------END USER NKEY SEED------\n",
    );
    const symbol = { ...bus(), "x-creds": creds } as Contract;
    await assert.rejects(
      async () => open(symbol, {}, {}),
      (e: unknown) =>
        e instanceof RttError &&
        /cannot connect to nats:.* with credentials: nkeys/.test(e.message) &&
        !/SECRET|rtt\.creds/.test(e.message),
    );
  });

  it("with a stream, keeps what is published while no source is open, and acks what it emits", async () => {
    const symbol = bus(true);
    const target = await open(symbol, {}, {});
    await send(target, texts(1, 20));
    const first = await open(symbol, {}, { source: true });
    const rx = natsConnector.rx(first)[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(rx, 10)).map((m) => m.text),
      texts(1, 10),
    );
    // The 10th was handed over but the pump never asked for the 11th: it stays unacked.
    await natsConnector.close(first, { detach: false });
    const second = await open(symbol, {}, { source: true });
    const rx2 = natsConnector.rx(second)[Symbol.asyncIterator]();
    const again = (await take(rx2, 11)).map((m) => m.text);
    assert.deepEqual(again, texts(10, 20), "the durable consumer resumes after its ack floor");
    await natsConnector.close(second, { detach: false });
    await natsConnector.close(target, { detach: false });
  });

  it("drops a journaled route's replayed frames by msgID: the stream stores each once", async () => {
    const symbol = bus(true);
    const state = tempDir();
    const offsets = [10, 20, 30];
    let i = 0;
    const target = await open(symbol, {}, { stateDir: state });
    await send(target, ["a", "b", "c"], () => offsets[i++] as number);
    await natsConnector.close(target, { detach: false });
    // A panel restart replays what its delivered mark did not cover: the same correlation ids.
    const again = await open(symbol, {}, { stateDir: state });
    i = 1;
    await send(again, ["b", "c", "d"], () => [20, 30, 40][i++ - 1] as number);
    assert.equal((again as NatsLink).publisher?.duplicates, 2, "b and c were replays");
    const source = await open(symbol, {}, { source: true });
    const rx = natsConnector.rx(source)[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(rx, 4)).map((m) => m.text),
      ["a", "b", "c", "d"],
    );
    await natsConnector.close(again, { detach: false });
    await natsConnector.close(source, { detach: false });
  });

  it("journals a source's messages: a reopened source replays what the target never marked, once", async () => {
    const symbol = bus(true);
    const dir = tempDir();
    const state = join(dir, "source");
    const target = await open(symbol, {}, {});
    await send(target, texts(1, 10));
    const journal = RouteJournal.open(dir, 1000, "test");
    assert.ok(journal instanceof RouteJournal);
    const first = await open(symbol, {}, { source: true, journal, stateDir: state });
    const rx = natsConnector.rx(first)[Symbol.asyncIterator]();
    const got = await take(rx, 10);
    assert.deepEqual(
      got.map((m) => m.text),
      texts(1, 10),
    );
    // The route's target took the first four.
    const mark = new DeliveredMark(dir);
    mark.record(got[3]?.correlation as number);
    mark.close();
    await natsConnector.close(first, { detach: false });
    journal.close();
    await send(target, texts(11, 12));
    const reopened = RouteJournal.open(dir, 1000, "test");
    assert.ok(reopened instanceof RouteJournal);
    const second = await open(symbol, {}, { source: true, journal: reopened, stateDir: state });
    const rx2 = natsConnector.rx(second)[Symbol.asyncIterator]();
    const replayed = await take(rx2, 8);
    assert.deepEqual(
      replayed.map((m) => m.text),
      texts(5, 12),
    );
    assert.equal(replayed[0]?.correlation, got[4]?.correlation, "offsets are the journal's");
    await natsConnector.close(second, { detach: false });
    reopened.close();
    await natsConnector.close(target, { detach: false });
  });

  it("gives the next journaled link what the last one pulled but never took first, in order, once", async () => {
    const symbol = bus(true);
    const dir = tempDir();
    const state = join(dir, "source");
    const target = await open(symbol, {}, {});
    await send(target, texts(1, 100));
    const journal = RouteJournal.open(dir, 1000, "test");
    assert.ok(journal instanceof RouteJournal);
    const first = await open(symbol, {}, { source: true, journal, stateDir: state });
    const got = await take(natsConnector.rx(first)[Symbol.asyncIterator](), 10);
    // The target took all ten; the client had pulled more, which the link never journaled.
    const mark = new DeliveredMark(dir);
    mark.record(got[9]?.correlation as number);
    mark.close();
    await natsConnector.close(first, { detach: false });
    journal.close();
    const reopened = RouteJournal.open(dir, 1000, "test");
    assert.ok(reopened instanceof RouteJournal);
    const second = await open(symbol, {}, { source: true, journal: reopened, stateDir: state });
    // Newer messages arrive before JetStream's ack_wait would send the pulled ones again.
    await send(target, texts(101, 110));
    const rx2 = natsConnector.rx(second)[Symbol.asyncIterator]();
    assert.deepEqual(
      (await take(rx2, 100)).map((m) => m.text),
      texts(11, 110),
    );
    await natsConnector.close(second, { detach: false });
    reopened.close();
    await natsConnector.close(target, { detach: false });
  });

  it("forgets the sequences JetStream's ack floor covers as a journaled source goes on", async () => {
    const symbol = bus(true);
    const dir = tempDir();
    const state = join(dir, "source");
    const target = await open(symbol, {}, {});
    await send(target, texts(1, 5000));
    const journal = RouteJournal.open(dir, 10_000, "test");
    assert.ok(journal instanceof RouteJournal);
    const source = await open(symbol, {}, { source: true, journal, stateDir: state });
    const rx = natsConnector.rx(source)[Symbol.asyncIterator]();
    const got = await take(rx, 5000);
    assert.equal(got.at(-1)?.text, "m5000");
    // One 8-byte record per sequence above the floor, and the floor itself: after 4,096 the end
    // asked for the floor, and what it covers was written away.
    const kept = () => statSync(join(state, "nats-journaled")).size / 8 - 1;
    await eventually(() => kept() < 1000, {
      what: "the journaled sequences compacted",
      timeoutMs: 10_000,
    });
    await natsConnector.close(source, { detach: false });
    journal.close();
    await natsConnector.close(target, { detach: false });
  });

  it("closes a stream target at once while the server is down, ending a publish that waits", async () => {
    const symbol = bus(true);
    const target = await open(symbol, {}, {});
    await send(target, ["before"]);
    await server.stop("SIGKILL");
    try {
      const waiting = send(target, ["during"]);
      const settled = waiting.then(
        () => "sent",
        () => "refused",
      );
      await natsConnector.close(target, { detach: false });
      assert.equal(await settled, "refused", "the publish the stream never acked fails");
    } finally {
      await server.start();
    }
  });

  it("survives a kill -9 of the server: a stream route loses nothing and health says so", async () => {
    const symbol = bus(true);
    const target = await open(symbol, {}, {});
    const source = await open(symbol, {}, { source: true });
    const rx = natsConnector.rx(source)[Symbol.asyncIterator]();
    await send(target, texts(1, 100));
    await server.stop("SIGKILL");
    const down = await eventually(
      async () => {
        const health = await natsConnector.health(target);
        return health.ok ? undefined : health;
      },
      { what: "the target's health to say the server is gone" },
    );
    assert.match(down.err ?? "", /disconnected from 127\.0\.0\.1:\d+; reconnecting/);
    // Published while the server is down: the publish waits for it to be back.
    const late = send(target, texts(101, 120));
    await server.start();
    await late;
    const got = (await take(rx, 120)).map((m) => m.text);
    assert.deepEqual(got, texts(1, 120));
    await eventually(async () => (await natsConnector.health(target)).ok, {
      what: "the target's health to be ok again",
    });
    assert.ok(((await natsConnector.health(target)).errors ?? 0) >= 1, "the outage is counted");
    await natsConnector.close(target, { detach: false });
    await natsConnector.close(source, { detach: false });
  });
});

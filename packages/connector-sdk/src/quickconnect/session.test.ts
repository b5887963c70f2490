// The handshake run over real lanes: in-process lanes with a fake clock (retries, heartbeats,
// trips — deterministic and instant), then uds and shm lanes with the real clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type LaneKind, RttError } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  FrameType,
  type LaneAddress,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
  loadShm,
} from "@rtt/fabric";
import { FakeClock } from "../clock.ts";
import { type Bind, encodeControl, parseControl, type Syn } from "./messages.ts";
import { type InitiateOptions, initiate, type RespondOptions, respond } from "./session.ts";
import type { ControlLanes } from "./session-runner.ts";
import { QuickConnectError } from "./trip.ts";

const HASH = "e".repeat(64);
const SADDR = "rtt://app/api/source@1.0.0";

/** Lets in-process lanes deliver (they hand frames over on later turns of the event loop). */
async function settle(turns = 6): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** One lane, both ends in this process. */
async function lane(kind: LaneKind): Promise<{ writer: LaneWriter; reader: LaneReader }> {
  const listener = await listenWriter(kind);
  const reader = await connectReader(listener.address);
  return { writer: await listener.accepted, reader };
}

/** Two control lanes, one each way: the two ends of a control link. */
async function controlPair(
  kind: LaneKind = "inproc",
): Promise<{ a: ControlLanes; b: ControlLanes }> {
  const ab = await lane(kind);
  const ba = await lane(kind);
  return {
    a: { writer: ab.writer, reader: ba.reader },
    b: { writer: ba.writer, reader: ab.reader },
  };
}

/**
 * The target's data lane, made as a route makes it (driver/route-handshake.ts): the target
 * listens, the initiator's BIND names that one lane, the responder checks it is its own.
 */
async function targetLane(kind: LaneKind, capacity = 0) {
  const listener = await listenReader(kind, kind === "shm" ? { capacity } : {});
  return { listener, ...laneHooks(listener.address) };
}

function laneHooks(address: LaneAddress) {
  return {
    bind: async () => ({ lanes: [address], value: address }),
    attach: async (bind: Bind) => {
      assert.deepEqual(bind.lanes, [address], "BIND names the target's lane");
      return address;
    },
  };
}

/** A lane nobody listens on: enough for the tests that stop at READY. */
const UNUSED_LANE = laneHooks({ kind: "inproc", id: "unused" });

/** Records the control frames arriving on a reader (alongside whoever else listens). */
function record(reader: LaneReader): Array<{ type: number; payload: Buffer }> {
  const seen: Array<{ type: number; payload: Buffer }> = [];
  reader.on("frame", (f: { type: number; payload: Uint8Array }) => {
    seen.push({ type: f.type, payload: Buffer.from(f.payload) });
  });
  return seen;
}

const initiatorOptions = (
  over: Partial<InitiateOptions<unknown>> = {},
): InitiateOptions<unknown> => ({
  saddr: SADDR,
  contractHash: HASH,
  caps: ["json", "trace"],
  require: ["json"],
  lanes: ["inproc"],
  heartbeatMs: 100,
  nonce: "nonce-test-1",
  timings: { answerTimeoutMs: 1000, maxRetries: 3, missedHeartbeats: 3 },
  bind: UNUSED_LANE.bind,
  ...over,
});

const responderOptions = (
  over: Partial<RespondOptions<unknown>> = {},
): RespondOptions<unknown> => ({
  contractHash: HASH,
  caps: ["json", "zstd"],
  timings: { answerTimeoutMs: 1000, maxRetries: 3, missedHeartbeats: 3 },
  attach: UNUSED_LANE.attach,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<QuickConnectError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof QuickConnectError, `not a QuickConnectError: ${String(error)}`);
    assert.ok(error instanceof RttError);
    return error;
  }
  assert.fail("expected a rejection");
}

describe("handshake over in-process lanes, fake clock", () => {
  test("SYN → ACK → BIND → READY; data flows on the bound lane; heartbeats every interval both ways", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const toTarget = record(b.reader);
    const toSource = record(a.reader);
    const data = await targetLane("inproc");
    const source = initiate(a, initiatorOptions({ clock, bind: data.bind }));
    const target = respond(b, responderOptions({ clock, attach: data.attach }));
    const [up, down] = await Promise.all([source.ready, target.ready]);
    await settle();
    assert.deepEqual(up.ack, {
      nonce: "nonce-test-1",
      caps: ["json"],
      lane: "inproc",
      buffer: { capacity: 0, max_frame: 16 * 1024 * 1024 },
      heartbeat_ms: 100,
    });
    assert.deepEqual(down.bind, up.bind);
    assert.deepEqual(
      toTarget.map((f) => f.type),
      [FrameType.SYN, FrameType.BIND, FrameType.HEARTBEAT],
    );
    assert.deepEqual(
      toSource.map((f) => f.type),
      [FrameType.ACK, FrameType.READY, FrameType.HEARTBEAT],
    );
    // The lane BIND named works: the source connects to what the target listens on.
    assert.deepEqual(down.value, up.value);
    const writer = await connectWriter(up.value as LaneAddress);
    const reader = await data.listener.accepted;
    const got = new Promise<string>((resolve) =>
      reader.once("frame", (f: { payload: Uint8Array }) =>
        resolve(Buffer.from(f.payload).toString()),
      ),
    );
    writer.write(Buffer.from("hello"));
    assert.equal(await got, "hello");
    await writer.end();
    reader.close();
    // Heartbeats: one per 100 ms each way, the link stays up.
    for (let t = 0; t < 10; t++) {
      clock.advance(100);
      await settle();
    }
    const beats = (frames: typeof toTarget) =>
      frames.filter((f) => f.type === FrameType.HEARTBEAT).length;
    assert.equal(beats(toTarget), 11);
    assert.equal(beats(toSource), 11);
    assert.equal(source.phase, "ready");
    assert.equal(target.phase, "ready");
    source.close();
    await settle();
    assert.equal(target.phase, "tripped");
    assert.equal(target.snapshot.trip?.reason, "closed");
  });

  test("no answer to SYN: retried every T with the same nonce, capped, then TRIP timeout and a typed error", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const seen = record(b.reader); // nobody answers
    const source = initiate(a, initiatorOptions({ clock }));
    for (let t = 0; t < 4; t++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    const error = await rejection(source.ready);
    assert.equal(error.code, "RTT_ERR_QC_TIMEOUT");
    assert.equal(error.reason, "timeout");
    assert.equal(error.by, "local");
    assert.match(error.message, /no answer to SYN after 4 sends, 1000 ms apart/);
    const syns = seen.filter((f) => f.type === FrameType.SYN);
    assert.equal(syns.length, 4);
    for (const f of syns) {
      assert.deepEqual(f.payload, syns[0]?.payload);
      const m = parseControl(f.type, f.payload);
      assert.ok(m.kind === "SYN" && m.body.nonce === "nonce-test-1");
    }
    const trip = seen.at(-1);
    assert.equal(trip?.type, FrameType.TRIP);
    const tripMsg = parseControl(trip?.type ?? 0, trip?.payload ?? Buffer.alloc(0));
    assert.ok(tripMsg.kind === "TRIP" && tripMsg.body.reason === "timeout");
  });

  test("a responder that starts late still answers a retried SYN: READY", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const toTarget = record(b.reader);
    const source = initiate(a, initiatorOptions({ clock }));
    await settle(); // the first SYN arrives while nobody listens: lost to the responder
    const target = respond(b, responderOptions({ clock }));
    clock.advance(1000); // the retry
    await Promise.all([source.ready, target.ready]);
    assert.equal(toTarget.filter((f) => f.type === FrameType.SYN).length, 2);
  });

  test("a repeated SYN with the same nonce gets the same ACK, byte for byte", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const answers = record(a.reader);
    const target = respond(b, responderOptions({ clock }));
    const syn: Syn = {
      nonce: "nonce-dup-1",
      saddr: SADDR,
      contract_hash: HASH,
      caps: ["json"],
      require: [],
      lanes: ["inproc"],
      max_frame: 1024,
      heartbeat_ms: 100,
    };
    const { type, payload } = encodeControl({ kind: "SYN", body: syn });
    a.writer.write(payload, { type });
    a.writer.write(payload, { type });
    await settle();
    a.writer.write(payload, { type });
    await settle();
    assert.equal(answers.length, 3);
    for (const f of answers) {
      assert.equal(f.type, FrameType.ACK);
      assert.deepEqual(f.payload, answers[0]?.payload);
    }
    assert.equal(target.phase, "acked");
    assert.equal(target.snapshot.answers.size, 1);
    target.close();
  });

  const refusals: Array<
    [string, Partial<InitiateOptions<unknown>>, Partial<RespondOptions<unknown>>, string, RegExp]
  > = [
    [
      "another contract",
      {},
      { contractHash: "f".repeat(64) },
      "contract-mismatch",
      /the target tripped the link: contract-mismatch: the initiator expects contract e{64}; this end has f{64}/,
    ],
    [
      "a required cap missing",
      { require: ["json", "trace"] },
      {},
      "caps-missing",
      /caps-missing: the initiator requires trace, which this end does not offer/,
    ],
    ["no common lane kind", { lanes: ["shm"] }, { lanes: ["uds"] }, "no-lane", /no-lane/],
  ];
  for (const [what, iOver, rOver, reason, pattern] of refusals) {
    test(`refused for ${what}: the initiator gets RTT_ERR_QC_REFUSED naming ${reason}`, async () => {
      const clock = new FakeClock();
      const { a, b } = await controlPair();
      const source = initiate(a, initiatorOptions({ clock, ...iOver }));
      const target = respond(b, responderOptions({ clock, ...rOver }));
      const refused = new Promise<QuickConnectError>((resolve) => target.once("refused", resolve));
      const error = await rejection(source.ready);
      assert.equal(error.code, "RTT_ERR_QC_REFUSED");
      assert.equal(error.reason, reason);
      assert.equal(error.by, "peer");
      assert.match(error.message, pattern);
      assert.ok(error.hint !== undefined);
      assert.equal((await refused).reason, reason);
    });
  }

  test("the lanes cannot be made: both ends trip with bind-failed", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const source = initiate(
      a,
      initiatorOptions({ clock, bind: () => Promise.reject(new Error("no more segments")) }),
    );
    const target = respond(b, responderOptions({ clock }));
    const error = await rejection(source.ready);
    assert.equal(error.reason, "bind-failed");
    assert.equal(error.code, "RTT_ERR_QC_TRIP");
    assert.match(error.message, /could not make the lanes: no more segments/);
    const other = await rejection(target.ready);
    assert.equal(other.reason, "bind-failed");
    assert.equal(other.by, "peer");
  });

  test("after READY, a silent peer trips the link (heartbeat) on both ends", async () => {
    const sourceClock = new FakeClock();
    const targetClock = new FakeClock(); // never advanced: the target never beats again
    const { a, b } = await controlPair();
    const source = initiate(a, initiatorOptions({ clock: sourceClock }));
    const target = respond(b, responderOptions({ clock: targetClock }));
    await Promise.all([source.ready, target.ready]);
    const tripped = new Promise<QuickConnectError>((resolve) => source.once("trip", resolve));
    const peerTripped = new Promise<QuickConnectError>((resolve) => target.once("trip", resolve));
    for (let t = 0; t < 3; t++) {
      sourceClock.advance(100);
      await settle();
    }
    const error = await tripped;
    assert.equal(error.code, "RTT_ERR_QC_TIMEOUT");
    assert.equal(error.reason, "heartbeat");
    assert.match(error.message, /nothing from the peer for 300 ms/);
    const told = await peerTripped;
    assert.equal(told.reason, "heartbeat");
    assert.equal(told.by, "peer");
  });

  test("after READY, the peer's lanes dying trips the link with peer-gone", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const source = initiate(a, initiatorOptions({ clock }));
    const target = respond(b, responderOptions({ clock }));
    await Promise.all([source.ready, target.ready]);
    const tripped = new Promise<QuickConnectError>((resolve) => source.once("trip", resolve));
    b.writer.destroy(); // what a kill -9 of the target does to its end
    const error = await tripped;
    assert.equal(error.reason, "peer-gone");
    assert.equal(error.code, "RTT_ERR_QC_TRIP");
  });

  test("a SYN the peer would refuse as malformed is refused here, at once", async () => {
    const { a } = await controlPair();
    assert.throws(
      () => initiate(a, initiatorOptions({ saddr: "rtt://app/api/source" })),
      (e: unknown) =>
        e instanceof RttError && e.code === "RTT_ERR_QC_MALFORMED" && /SYN\.saddr/.test(e.message),
    );
    assert.throws(() => initiate(a, initiatorOptions({ caps: ["Bad Cap"] })), /SYN\.caps\[0\]/);
  });

  test("ping: answered at once while up; refused before READY", async () => {
    const clock = new FakeClock();
    const { a, b } = await controlPair();
    const source = initiate(a, initiatorOptions({ clock }));
    await assert.rejects(source.ping(100), /cannot ping a link in phase syn-sent/);
    const target = respond(b, responderOptions({ clock }));
    await Promise.all([source.ready, target.ready]);
    assert.equal(await source.ping(500), 0); // fake time does not move
    assert.equal(await target.ping(500), 0);
    source.close();
  });
});

describe("handshake over real lanes, real clock", () => {
  const kinds: LaneKind[] = loadShm() === undefined ? ["uds"] : ["uds", "shm"];
  for (const kind of kinds) {
    test(`control on uds, data on ${kind}: READY, frames on the bound lane, clean close`, async () => {
      const { a, b } = await controlPair("uds");
      const data = await targetLane(kind, 1 << 16);
      const source = initiate(
        a,
        initiatorOptions({ lanes: [kind], heartbeatMs: 50, bind: data.bind }),
      );
      const target = respond(b, responderOptions({ capacity: 1 << 16, attach: data.attach }));
      const [up] = await Promise.all([source.ready, target.ready]);
      assert.equal(up.ack.lane, kind);
      assert.equal(up.ack.buffer.capacity, kind === "shm" ? 1 << 16 : 0);
      const writer = await connectWriter(up.value as LaneAddress);
      const reader = await data.listener.accepted;
      const got = new Promise<[number, string]>((resolve) =>
        reader.once("frame", (f: { correlation: number; payload: Uint8Array }) =>
          resolve([f.correlation, Buffer.from(f.payload).toString()]),
        ),
      );
      writer.write(Buffer.from("hello"), { correlation: 7 });
      assert.deepEqual(await got, [7, "hello"]);
      assert.ok((await source.ping(1000)) >= 0);
      const closed = new Promise((resolve) => target.once("closed", resolve));
      source.close();
      await closed;
      assert.equal(target.snapshot.trip?.reason, "closed");
      await writer.end();
      reader.close();
    });
  }
});

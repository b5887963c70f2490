/**
 * The framed control channel's server and client over a real Unix socket, with handlers made by
 * call-handlers.ts as the panel's are: a unary answer and an RttError; a stream counted against
 * the stream caps (the second one on a connection refused, its slot given back on cancel and on
 * a closed connection); and what a client cannot be trusted with: an unknown method id, bytes
 * that are not the request message, a call id already in flight.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeFrame, type Frame, FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";
import { decodeErrorBody, encodeRequestBody } from "@rtt/connector-sdk/framed/messages.ts";
import type { PanelHandlers } from "@rtt/connector-sdk/wire.ts";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { panelStreaming, panelUnary, pause, send } from "./call-handlers.ts";
import { Callers } from "./callers.ts";
import { FramedChannel } from "./framed-channel.ts";
import { FramedServer } from "./framed-server.ts";
import { StreamGate } from "./stream-gate.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-framed-"));
const path = join(dir, "sockets", "panel.framed.sock");
const log = () => {};
const closing = new AbortController();
const streams = new StreamGate({ max: 4, perConnection: 1 }, { collect: undefined });
const server = new FramedServer(path, { callers: new Callers(), streams, allowUids: [], log });
/** How many Health handlers are running now. */
let healthRunning = 0;

const handlers: Partial<PanelHandlers> = {
  Status: panelUnary("Status", log, () => ({ pid: 42, root: "/r", routes: 3 })),
  Trip: panelUnary("Trip", log, (req: { route: string }) => {
    throw new RttError("RTT_ERR_PLAN_INVALID", `route ${req.route} is not wired`, {
      hint: "wired: a, b",
    });
  }),
  Health: panelStreaming("Health", log, async (call) => {
    healthRunning++;
    try {
      while (!call.cancelled && !closing.signal.aborted) {
        await send(call, closing.signal, { route: call.request.route, ok: true });
        await pause(call, closing.signal, 5);
      }
    } finally {
      healthRunning--;
    }
  }),
};

let channel: FramedChannel;

before(async () => {
  await server.serve(handlers as PanelHandlers);
  channel = new FramedChannel(path);
});

after(() => {
  channel.close();
  closing.abort();
  server.close(100);
  rmSync(dir, { recursive: true, force: true });
});

/** A raw connection: send frames, read frames. */
async function raw() {
  const socket = connect(path);
  await new Promise((resolve) => socket.once("connect", resolve));
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  socket.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
  return {
    send: (f: Frame) => socket.write(encodeFrame(f)),
    /** The first frame of call `callId` (of `kind`, if given). */
    next: async (callId: number, kind?: Frame["kind"]) => {
      const wanted = (f: Frame) => f.callId === callId && (kind === undefined || f.kind === kind);
      return eventually(() => frames.find(wanted), { what: `call ${callId}` });
    },
    close: () => socket.destroy(),
  };
}

const request = (callId: number, methodId: number, message: Uint8Array): Frame => ({
  kind: "request",
  callId,
  methodId,
  body: encodeRequestBody({}, message),
});

describe("the framed control channel", () => {
  it("answers a unary call, and an RttError with its code, message and hint", async () => {
    const status = await channel.unary<{ pid: number; root: string }>("Status", {}, 5000);
    assert.equal(status.pid, 42);
    assert.equal(status.root, "/r");
    const failed = await channel
      .unary("Trip", { route: "x", who: "", why: "" }, 5000)
      .catch((e: unknown) => e);
    assert.ok(failed instanceof RttError, String(failed));
    assert.deepEqual(
      [failed.code, failed.message, failed.hint],
      ["RTT_ERR_PLAN_INVALID", "route x is not wired", "wired: a, b"],
    );
  });

  it("counts streams against the caps and gives the slot back when one is cancelled", async () => {
    const first = channel.stream<{ route: string }>("Health", { route: "a" });
    const it1 = first[Symbol.asyncIterator]();
    assert.equal((await it1.next()).value?.route, "a");
    // One stream per connection: the second is refused before its handler runs.
    const second = channel.stream("Health", { route: "b" });
    await assert.rejects(
      (async () => {
        for await (const _ of second) assert.fail("a stream past the cap was served");
      })(),
      (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_API_BUSY",
    );
    first.cancel();
    await eventually(() => streams.open === 0, { what: "the slot given back" });
    await eventually(() => healthRunning === 0, { what: "the handler ended" });
    const third = channel.stream<{ route: string }>("Health", { route: "c" });
    for await (const s of third) {
      assert.equal(s.route, "c");
      break; // a consumer that stops early ends the call too
    }
    await eventually(() => streams.open === 0, { what: "the slot given back" });
  });

  it("ends the streams of a connection that closes", async () => {
    const conn = await raw();
    const health = conn.send(request(1, 7, new Uint8Array(0)));
    assert.ok(health);
    assert.equal((await conn.next(1)).kind, "item");
    assert.equal(streams.open, 1);
    conn.close();
    await eventually(() => streams.open === 0, { what: "the slot given back" });
    await eventually(() => healthRunning === 0, { what: "the handler ended" });
  });

  it("refuses an unknown method and bytes that are no request; closes on a call id in flight", async () => {
    const conn = await raw();
    try {
      conn.send(request(1, 999, new Uint8Array(0)));
      const unknown = await conn.next(1);
      assert.equal(unknown.kind, "error");
      assert.equal(decodeErrorBody(unknown.body).code, "RTT_ERR_REQUEST_INVALID");
      // Field 1 (route, a string) as a varint: not a Selector.
      conn.send(request(2, 7, Uint8Array.from([0x0a, 0xff])));
      const bad = decodeErrorBody((await conn.next(2)).body);
      assert.equal(bad.code, "RTT_ERR_REQUEST_INVALID", bad.message);
      // A body too short to hold its metadata's length.
      conn.send({ kind: "request", callId: 3, methodId: 0, body: Uint8Array.from([0]) });
      assert.equal(decodeErrorBody((await conn.next(3)).body).code, "RTT_ERR_REQUEST_INVALID");
      // The connection still serves: a call after them is answered.
      conn.send(request(4, 0, new Uint8Array(0)));
      assert.equal((await conn.next(4)).kind, "response");
      // A second call with the id of a stream still open breaks the protocol: the connection
      // is told so and closed, and its stream ends.
      conn.send(request(5, 7, new Uint8Array(0)));
      assert.equal((await conn.next(5, "item")).kind, "item");
      conn.send(request(5, 0, new Uint8Array(0)));
      const twice = decodeErrorBody((await conn.next(0, "error")).body);
      assert.equal(twice.code, "RTT_ERR_FRAME_CORRUPT");
      assert.match(twice.message, /call id 5 is already in flight/);
      await eventually(() => streams.open === 0, { what: "the stream ended" });
    } finally {
      conn.close();
    }
  });
});

/**
 * The framed channel's client when the panel does not answer as it should: no socket, a call
 * past its deadline (cancelled on the wire), a connection lost under a call, a panel that sends
 * bytes that are no frame — each RTT_ERR_PANEL_UNREACHABLE, never a hang or a crash.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type Frame, FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { FramedChannel } from "./framed-channel.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-framed-client-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A server at a fresh path that hands each connection and what it sent to `onFrame`. */
async function fakePanel(onFrame: (frame: Frame, socket: Socket) => void) {
  const path = join(dir, `${Math.random().toString(16).slice(2)}.sock`);
  const frames: Frame[] = [];
  const server = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.on("data", (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) {
        frames.push(f);
        onFrame(f, socket);
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, frames, close: () => server.close() };
}

async function unreachable(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RttError, String(e));
    assert.equal(e.code, "RTT_ERR_PANEL_UNREACHABLE", e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe("the framed channel's client", () => {
  it("says the panel is unreachable when no socket is there", async () => {
    const channel = new FramedChannel(join(dir, "nobody.sock"));
    await unreachable(channel.unary("Status", {}, 2000), /did not answer Status: ENOENT/);
    channel.close();
  });

  it("gives up on a call past its deadline and cancels it on the wire", async () => {
    const panel = await fakePanel(() => {});
    const channel = new FramedChannel(panel.path);
    await unreachable(channel.unary("Status", {}, 50), /deadline exceeded/);
    await eventually(() => panel.frames.some((f) => f.kind === "cancel" && f.callId === 1), {
      what: "the cancel frame",
    });
    channel.close();
    panel.close();
  });

  it("fails the calls in flight when the connection is lost, or the panel sends no frames", async () => {
    const closing = await fakePanel((_, socket) => socket.destroy());
    const a = new FramedChannel(closing.path);
    await unreachable(a.unary("Status", {}, 5000), /connection closed/);
    a.close();
    closing.close();
    const garbage = await fakePanel((_, socket) => socket.write("HTTP/1.1 400 Bad Request\r\n"));
    const b = new FramedChannel(garbage.path);
    await unreachable(b.unary("Status", {}, 5000), /control frame/);
    // A stream fails the same way.
    const stream = b.stream("Health", { route: "", interval_ms: 0 });
    await unreachable(
      (async () => {
        for await (const _ of stream) assert.fail("an item from garbage");
      })(),
      /control frame/,
    );
    b.close();
    garbage.close();
  });
});

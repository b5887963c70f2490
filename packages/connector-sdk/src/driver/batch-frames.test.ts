// Batch frames between two links of one DriverRuntime: what the source had ready at one moment
// goes as one frame to a lane whose reader takes batches, each message still its own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import {
  batchEntrySize,
  connectWriter,
  encodeBatchEntry,
  type Frame,
  FrameFlag,
  FrameType,
  listenReader,
} from "@rtt/fabric";
import { defineConnector, type RxMessage } from "./define-connector.ts";
import { DriverRuntime } from "./runtime.ts";

const SADDR = "rtt://demo/bus/batch@1.0.0";
const CONTRACT = JSON.stringify({ saddr: SADDR, type: "bus", direction: "both" });
const N = 2_000;

const message = (i: number): RxMessage => ({
  payload: new TextEncoder().encode(`message ${i}`),
  correlation: i,
});

/**
 * An rx whose messages are all ready at once (takeNow hands them over without a promise, as a
 * program's stdout read does), and a tx that records what arrives.
 */
function readyConnector() {
  const taken: { text: string; correlation: number }[] = [];
  const connector = defineConnector<{ source: boolean }>({
    name: "ready",
    version: "1.0.0",
    probe: () => [],
    open: (_symbol, params) => ({ source: params.source === "1" }),
    tx: (_link, bytes, meta) => {
      taken.push({ text: new TextDecoder().decode(bytes), correlation: meta.correlation });
    },
    rx: (link) => {
      let next = 1;
      const take = () => (link.source && next <= N ? message(next++) : undefined);
      return {
        [Symbol.asyncIterator]: () => ({
          takeNow: take,
          next: async (): Promise<IteratorResult<RxMessage>> => {
            const item = take();
            if (item !== undefined) return { done: false, value: item };
            return new Promise(() => {}); // no end: the link stays open
          },
        }),
      };
    },
    close: () => {},
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { connector, taken };
}

describe("batch frames", () => {
  test("to an offered inbound (it takes batches): fewer frames, every message once, in order, with its correlation", {
    timeout: 20_000,
  }, async () => {
    const { connector, taken } = readyConnector();
    const runtime = new DriverRuntime(connector, { log: () => {} });
    try {
      const source = await runtime.open(SADDR, CONTRACT, { source: "1" });
      const target = await runtime.open(SADDR, CONTRACT, {});
      const offered = await runtime.offer(target, "inbound", "uds");
      assert.equal(offered.batches, true, "the reader's address says it takes batches");
      await runtime.bind(source, undefined, offered);
      await eventually(() => taken.length >= N, { what: `${N} messages taken`, timeoutMs: 10_000 });
      assert.deepEqual(
        taken,
        Array.from({ length: N }, (_, i) => ({ text: `message ${i + 1}`, correlation: i + 1 })),
      );
      const [sent] = await runtime.samples(source, false);
      assert.equal(sent?.frames_out, N, "frames_out counts messages");
      const [got] = await runtime.samples(target, false);
      assert.equal(got?.frames_in, N, "frames_in counts messages");
      const moved = await runtime.switchOutbound(source, undefined);
      assert.equal(moved.old_frames, N, "a Switch answers the messages the old lane carried");
      assert.ok(moved.old_eos_seq < N, `batched: ${moved.old_eos_seq - 1} frames for ${N}`);
    } finally {
      await runtime.dispose();
    }
  });

  test("to a reader whose address does not say it takes batches: one message a frame", {
    timeout: 20_000,
  }, async () => {
    const { connector } = readyConnector();
    const runtime = new DriverRuntime(connector, { log: () => {} });
    const listener = await listenReader("uds");
    const frames: Frame[] = [];
    try {
      const source = await runtime.open(SADDR, CONTRACT, { source: "1" });
      await runtime.bind(source, undefined, listener.address);
      const reader = await listener.accepted;
      reader.on("frame", (f: Frame) => {
        if (f.type === FrameType.DATA) frames.push({ ...f, payload: f.payload.slice() });
      });
      await eventually(() => frames.length >= N, { what: `${N} frames read`, timeoutMs: 10_000 });
      assert.equal(frames.length, N);
      for (const [i, f] of frames.entries()) {
        assert.equal(f.flags & FrameFlag.BATCH, 0);
        assert.equal(f.correlation, i + 1);
        assert.equal(new TextDecoder().decode(f.payload), `message ${i + 1}`);
      }
      reader.close();
    } finally {
      await runtime.dispose();
      listener.close();
    }
  });

  test("a damaged batch delivers none of its messages and shows as the inbound lane's error", {
    timeout: 20_000,
  }, async () => {
    const { connector, taken } = readyConnector();
    const runtime = new DriverRuntime(connector, { log: () => {} });
    try {
      const target = await runtime.open(SADDR, CONTRACT, {});
      const offered = await runtime.offer(target, "inbound", "uds");
      const writer = await connectWriter(offered);
      const batch = (texts: readonly string[]): Uint8Array => {
        const messages = texts.map((t) => new TextEncoder().encode(t));
        const out = new Uint8Array(messages.reduce((n, m) => n + batchEntrySize(m.length), 0));
        let at = 0;
        for (const [i, m] of messages.entries()) at = encodeBatchEntry(out, at, m, i + 1);
        return out;
      };
      const damaged = batch(["lost 1", "lost 2"]);
      damaged[0] = 200; // the first message declares more bytes than the frame holds
      writer.write(damaged, { flags: FrameFlag.BATCH });
      writer.write(batch(["kept 1", "kept 2"]), { flags: FrameFlag.BATCH });
      await eventually(() => taken.length >= 2, { what: "the good batch", timeoutMs: 10_000 });
      assert.deepEqual(taken, [
        { text: "kept 1", correlation: 1 },
        { text: "kept 2", correlation: 2 },
      ]);
      const [sample] = await runtime.samples(target, false);
      assert.match(sample?.err ?? "", /inbound lane: batch frame: message 1 declares 200 bytes/);
      assert.equal(sample?.frames_in, 2);
      writer.destroy();
    } finally {
      await runtime.dispose();
    }
  });
});

// A real driver process pumping real bytes: frames from an inbound lane go to the connector's
// tx, what its rx yields goes out on the outbound lane (echo: in → tx → rx → out), over a
// Unix-socket lane and over a shared-memory lane; then a Switch between the two at a frame
// boundary, heartbeats on an idle lane, health counters, and EOS on close.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DriverHost, type HealthSample } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import {
  type LaneKind,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
  loadShm,
  shmUnavailableReason,
} from "@rtt/fabric";
import { nodeDriver, quietOptions, receive } from "./helpers.ts";

const shmMissing = loadShm() === undefined ? (shmUnavailableReason() ?? "no shm addon") : false;

let host: DriverHost;
let saddr: string;
before(async () => {
  host = await DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions());
  saddr = (await host.probe("/tmp"))[0]?.saddr ?? "";
});
after(() => host.stop());

/** Writes `msg-<from>` .. `msg-<to - 1>`, waiting for 'drain' whenever the lane is full. */
async function send(writer: LaneWriter, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    if (!writer.write(Buffer.from(`msg-${i}`))) {
      await new Promise((resolve) => writer.once("drain", resolve));
    }
  }
}

const messages = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `msg-${from + i}`);

/** One link of the echo driver bound to fresh lanes of `kind`: we write in, we read out. */
async function boundLink(
  inKind: LaneKind,
  outKind: LaneKind,
): Promise<{ link: string; writer: LaneWriter; reader: LaneReader }> {
  const link = await host.open(saddr);
  const inbound = await listenWriter(inKind);
  const outbound = await listenReader(outKind);
  const bound = await host.bind(link, { inbound: inbound.address, outbound: outbound.address });
  assert.deepEqual(bound, { inboundBound: true, outboundBound: true });
  const writer = await inbound.accepted;
  // Closing the link releases the driver's end of the inbound lane: our writer then sees the
  // peer go, which these tests expect.
  writer.on("error", () => {});
  return { link, writer, reader: await outbound.accepted };
}

async function healthOf(link: string): Promise<HealthSample> {
  const stream = host.health({ linkId: link, intervalMs: 20 });
  for await (const s of stream) {
    stream.cancel();
    return s;
  }
  throw new Error("no health sample");
}

describe("a driver process pumps a link's lanes", () => {
  for (const kind of ["uds", "shm"] as const) {
    test(`${kind} lanes: inbound → tx → rx → outbound, in order, then EOS on close`, {
      skip: kind === "shm" && shmMissing,
    }, async () => {
      const { link, writer, reader } = await boundLink(kind, kind);
      const got = receive(reader);
      const n = 5000;
      await send(writer, 0, n);
      await eventually(() => got.data.length >= n, {
        what: `${n} echoed frames`,
        timeoutMs: 15_000,
      });
      assert.deepEqual(got.data, messages(0, n));
      const h = await healthOf(link);
      assert.equal(h.ok, true, h.err);
      assert.equal(h.frames_in, n);
      assert.equal(h.frames_out, n);
      assert.equal(h.bytes_in, h.bytes_out);
      assert.equal(h.qdepth, 0);
      assert.equal(await host.close(link), true);
      await eventually(() => got.ended, { what: "EOS on the outbound lane" });
      assert.equal(got.error, undefined);
      assert.equal(await host.close(link), false, "closing twice is a no-op");
      await writer.end().catch(() => {});
    });
  }

  test("an idle outbound lane carries a heartbeat every interval (50 ms)", async () => {
    const { link, writer, reader } = await boundLink("uds", "uds");
    const got = receive(reader);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(got.heartbeats >= 5 && got.heartbeats <= 12, `${got.heartbeats} heartbeats`);
    assert.equal(got.data.length, 0);
    await host.close(link);
    writer.destroy();
  });

  test("Switch moves the outbound side uds → shm at a frame boundary; the old lane ends with EOS", {
    skip: shmMissing,
  }, async () => {
    const { link, writer, reader } = await boundLink("uds", "uds");
    const old = receive(reader);
    const next = await listenReader("shm");
    // Traffic keeps flowing through the switch (the writer does not pause for it), and more
    // follows it, so both lanes carry some.
    const total = 6000;
    const sending = send(writer, 0, total / 2);
    await eventually(() => old.data.length > 500, { what: "some frames on the old lane" });
    // Listen on the new lane as soon as the driver connects: frames may follow at once.
    const freshReceived = next.accepted.then((r) => receive(r));
    const sw = await host.switch(link, next.address);
    const fresh = await freshReceived;
    await sending;
    await send(writer, total / 2, total);
    await eventually(() => old.data.length + fresh.data.length >= total, {
      what: "every frame on one lane or the other",
      timeoutMs: 15_000,
    });
    await eventually(() => old.ended, { what: "EOS on the old lane" });
    // Exactly once, in order: the old lane holds a prefix, the new one the rest.
    assert.deepEqual([...old.data, ...fresh.data], messages(0, total));
    assert.equal(sw.oldFrames, old.data.length);
    assert.ok(sw.oldEosSeq > sw.oldFrames, "EOS comes after the data (and heartbeats)");
    assert.ok(fresh.data.length > 0);
    const h = await healthOf(link);
    assert.equal(h.frames_out, total);
    await host.close(link);
    await eventually(() => fresh.ended, { what: "EOS on the new lane" });
    writer.destroy();
  });

  test("Bind refuses a second outbound lane and an unknown link, by code", async () => {
    const { link, writer } = await boundLink("uds", "uds");
    const another = await listenReader("uds");
    await assert.rejects(host.bind(link, { outbound: another.address }), {
      code: "RTT_ERR_DRIVER_LINK",
      message: /already has an outbound lane/,
    });
    another.accepted.catch(() => {}); // closing a listener rejects its `accepted`
    another.close();
    await assert.rejects(host.bind("nope", {}), { code: "RTT_ERR_DRIVER_LINK" });
    await assert.rejects(host.tx("nope", new Uint8Array(1)), {
      code: "RTT_ERR_DRIVER_LINK",
      message: /driver "echo": no open link "nope"/,
    });
    await host.close(link);
    writer.destroy();
  });

  test("Tx and Rx reach a link over the control path (a tap beside the lane)", async () => {
    const link = await host.open(saddr);
    const rx = host.rx(link, { max: 3 });
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const c of rx) chunks.push(Buffer.from(c.bytes).toString());
    })();
    await new Promise((r) => setTimeout(r, 50));
    for (const m of ["a", "b", "c"]) await host.tx(link, Buffer.from(m));
    await reading;
    assert.deepEqual(chunks, ["a", "b", "c"]);
    await host.close(link);
  });
});

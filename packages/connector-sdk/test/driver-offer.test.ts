// Driver-to-driver lanes: one driver Offers a side of its link (it listens), the other Binds
// to that address (it connects), so two real driver processes are wired to each other with no
// byte passing through the host. And correlation ids through a link: tx sees the frame's id,
// and an rx chunk given as { payload, correlation } goes out with it.
import assert from "node:assert/strict";
import { EventEmitter, on } from "node:events";
import { after, before, describe, test } from "node:test";
import { DriverHost, defineConnector, startConnectorInProcess } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { type Frame, FrameType, listenReader, listenWriter, loadShm } from "@rtt/fabric";
import { nodeDriver, quietOptions, receive, stopAll } from "./helpers.ts";

const shmMissing = loadShm() === undefined ? "no shm addon" : false;

let a: DriverHost;
let b: DriverHost;
let saddr: string;
before(async () => {
  [a, b] = await Promise.all([
    DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions()),
    DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions()),
  ]);
  saddr = (await a.probe("/tmp"))[0]?.saddr ?? "";
  await b.probe("/tmp");
});
after(() => stopAll([a, b]));

describe("Offer wires one driver's link to another's", () => {
  for (const kind of ["uds", "shm"] as const) {
    test(`${kind}: test → A → (A offers outbound, B binds inbound) → B → test`, {
      skip: kind === "shm" && shmMissing,
    }, async () => {
      const linkA = await a.open(saddr);
      const linkB = await b.open(saddr);
      const into = await listenWriter(kind);
      const out = await listenReader(kind);
      const between = await a.offer(linkA, "outbound", kind);
      assert.equal(between.kind, kind);
      await a.bind(linkA, { inbound: into.address });
      await b.bind(linkB, { inbound: between, outbound: out.address });
      const writer = await into.accepted;
      writer.on("error", () => {});
      const reader = await out.accepted;
      const got = receive(reader);
      const n = 2000;
      for (let i = 0; i < n; i++) {
        if (!writer.write(Buffer.from(`m${i}`))) await new Promise((r) => writer.once("drain", r));
      }
      await eventually(() => got.data.length >= n, {
        what: `${n} frames through both drivers`,
        timeoutMs: 60_000,
      });
      assert.deepEqual(
        got.data,
        Array.from({ length: n }, (_, i) => `m${i}`),
      );
      // A second Offer or Bind of a side already bound is refused.
      await assert.rejects(a.offer(linkA, "outbound", kind), { code: "RTT_ERR_DRIVER_LINK" });
      await a.close(linkA);
      await b.close(linkB);
      await eventually(() => got.ended, { what: "EOS on B's outbound lane" });
      writer.destroy();
    });
  }

  // A busy A (here: stopped) may not have run at all between B's Bind and the first frames.
  // It must still take the Offer before it hands those frames to the connector: the echo
  // connector drops what comes in while nothing pumps its rx. The shm lane used to take an
  // Offer one poll after the connection, so frames that came with it were lost (a hang above).
  for (const kind of ["uds", "shm"] as const) {
    test(`${kind}: frames that reach a stopped A with B's Bind are not lost`, {
      skip: (kind === "shm" && shmMissing) || (process.platform === "win32" && "no SIGSTOP"),
    }, async () => {
      const linkA = await a.open(saddr);
      const linkB = await b.open(saddr);
      const into = await listenWriter(kind);
      const out = await listenReader(kind);
      const between = await a.offer(linkA, "outbound", kind);
      await a.bind(linkA, { inbound: into.address });
      process.kill(a.pid, "SIGSTOP");
      let stopped = true;
      const resume = () => {
        if (stopped) process.kill(a.pid, "SIGCONT");
        stopped = false;
      };
      try {
        await b.bind(linkB, { inbound: between, outbound: out.address });
        const writer = await into.accepted;
        writer.on("error", () => {});
        const reader = await out.accepted;
        const got = receive(reader);
        const n = 200;
        for (let i = 0; i < n; i++) writer.write(Buffer.from(`m${i}`));
        await new Promise((r) => setTimeout(r, 100)); // the frames and their doorbell wait for A
        resume();
        await eventually(() => got.data.length >= n, {
          what: `${n} frames through both drivers`,
          timeoutMs: 10_000,
        });
        assert.deepEqual(
          got.data,
          Array.from({ length: n }, (_, i) => `m${i}`),
        );
        await a.close(linkA);
        await b.close(linkB);
        writer.destroy();
      } finally {
        resume();
      }
    });
  }

  test("an Offer never taken is released when its link closes; a pending Offer blocks Bind", async () => {
    const link = await a.open(saddr);
    const address = await a.offer(link, "inbound", "uds");
    const other = await listenWriter("uds");
    await assert.rejects(a.bind(link, { inbound: other.address }), {
      code: "RTT_ERR_DRIVER_LINK",
      message: /already has an inbound lane/,
    });
    other.accepted.catch(() => {});
    other.close();
    await a.close(link);
    assert.equal(address.kind, "uds");
    if (address.kind === "uds" && !address.path.startsWith("\0")) {
      const { existsSync } = await import("node:fs");
      await eventually(() => !existsSync(address.path), {
        what: "the offered socket file removed",
      });
    }
  });
});

describe("correlation ids through a link", () => {
  test("tx gets the frame's correlation id; rx { payload, correlation } carries it out", async () => {
    const replier = defineConnector<EventEmitter>({
      name: "replier",
      version: "1.0.0",
      probe: () => [{ saddr: "rtt://demo/api/replier@1.0.0", type: "api", direction: "both" }],
      open: () => new EventEmitter(),
      tx: (link, bytes, meta) => {
        link.emit("data", { payload: Buffer.from(`re:${Buffer.from(bytes)}`), ...meta });
      },
      async *rx(link) {
        for await (const [m] of on(link, "data", { close: ["close"] }))
          yield m as { payload: Uint8Array; correlation: number };
      },
      close: (link) => {
        link.emit("close");
      },
      health: () => ({ ok: true, lag_ms: 0 }),
    });
    const driver = await startConnectorInProcess(replier);
    try {
      await driver.client.probe("/tmp");
      const link = await driver.client.open("rtt://demo/api/replier@1.0.0");
      const into = await listenWriter("inproc");
      const out = await listenReader("inproc");
      await driver.client.bind(link, { inbound: into.address, outbound: out.address });
      const writer = await into.accepted;
      const reader = await out.accepted;
      const got: [number, string][] = [];
      reader.on("frame", (f: Frame) => {
        if (f.type === FrameType.DATA) got.push([f.correlation, Buffer.from(f.payload).toString()]);
      });
      writer.write(Buffer.from("a"), { correlation: 7 });
      writer.write(Buffer.from("b"), { correlation: 2 ** 40 });
      writer.write(Buffer.from("c"));
      await eventually(() => got.length >= 3, { what: "three replies" });
      assert.deepEqual(got, [
        [7, "re:a"],
        [2 ** 40, "re:b"],
        [0, "re:c"],
      ]);
      // The control path carries correlation ids both ways too.
      const rx = driver.client.rx(link, { max: 1 });
      const tapped: [number, string][] = [];
      const reading = (async () => {
        for await (const c of rx) tapped.push([c.correlation, Buffer.from(c.bytes).toString()]);
      })();
      await new Promise((r) => setTimeout(r, 20));
      await driver.client.tx(link, Buffer.from("d"), { correlation: 99 });
      await reading;
      assert.deepEqual(tapped, [[99, "re:d"]]);
      await driver.client.close(link);
      writer.destroy();
    } finally {
      await driver.close();
    }
  });
});

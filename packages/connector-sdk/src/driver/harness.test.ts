// The in-process harness (go-plugin's testing.go): a connector definition run in this process,
// through the real runtime and gRPC service, so these are fast unit tests of the runtime with
// in-process lanes.
import assert from "node:assert/strict";
import { EventEmitter, on } from "node:events";
import { describe, test } from "node:test";
import { type Contract, RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { type Frame, FrameType, type LaneWriter, listenReader, listenWriter } from "@rtt/fabric";
import { echo } from "../../test/fixtures/echo-driver.ts";
import { inProcessDrivers, receive } from "../../test/helpers.ts";
import { type Connector, defineConnector } from "./define-connector.ts";

const startInProcess = inProcessDrivers();
const start = <L>(c: Connector<L>) => startInProcess(c, { heartbeatMs: 40 });

const ECHO = "rtt://demo/api/echo@1.0.0";

/** An echo link bound to in-process lanes, `n` messages through it: what a Switch then moves. */
async function echoBoundInProc(n: number) {
  const d = await start(echo);
  const link = await d.client.open(ECHO, {
    contract: { saddr: ECHO, type: "api", direction: "both" },
  });
  const inbound = await listenWriter("inproc");
  const first = await listenReader("inproc");
  await d.client.bind(link, { inbound: inbound.address, outbound: first.address });
  const writer: LaneWriter = await inbound.accepted;
  const old = receive(await first.accepted);
  for (let i = 0; i < n; i++) writer.write(Buffer.from(`m${i}`));
  await eventually(() => old.data.length === n, { what: `${n} on the first lane` });
  return { d, link, writer, old };
}

describe("in-process harness", () => {
  test("GetInfo, Probe and Open go through the real service", async () => {
    const d = await start(echo);
    const info = await d.client.info();
    assert.equal(info.pid, process.pid);
    assert.equal(info.name, "echo");
    const [symbol] = await d.client.probe("/anywhere");
    assert.equal(symbol?.saddr, ECHO);
    assert.deepEqual(JSON.parse(symbol?.contract_json ?? ""), {
      saddr: ECHO,
      type: "api",
      direction: "both",
    });
    const link = await d.client.open(ECHO);
    assert.equal(d.runtime.linkCount, 1);
    assert.equal(await d.client.close(link), true);
    assert.equal(await d.client.close(link), false);
  });

  test("in-process lanes: echo in order, switch exactly once, EOS on both lanes", async () => {
    const { d, link, writer, old } = await echoBoundInProc(100);

    const second = await listenReader("inproc");
    const freshP = second.accepted.then(receive);
    const sw = await d.client.switch(link, second.address);
    const fresh = await freshP;
    for (let i = 100; i < 200; i++) writer.write(Buffer.from(`m${i}`));
    await eventually(() => fresh.data.length === 100, { what: "100 on the second lane" });
    await eventually(() => old.ended, { what: "EOS on the first lane" });
    assert.equal(sw.oldFrames, 100);
    assert.deepEqual(
      [...old.data, ...fresh.data],
      Array.from({ length: 200 }, (_, i) => `m${i}`),
    );
    await d.client.close(link);
    await eventually(() => fresh.ended, { what: "EOS on the second lane" });
  });

  test("a Switch asked again (its answer lost) answers the first one's result and moves nothing, until the outbound moves", async () => {
    const { d, link, writer, old } = await echoBoundInProc(10);

    const second = await listenReader("inproc");
    const freshP = second.accepted.then(receive);
    // Asked twice at once (a retry while the first is under way), then once more after.
    const [a, b] = await Promise.all([
      d.client.switch(link, second.address),
      d.client.switch(link, second.address),
    ]);
    const c = await d.client.switch(link, second.address);
    const fresh = await freshP;
    assert.deepEqual([a, b, c], [a, a, a]);
    assert.equal(a.oldFrames, 10);
    for (let i = 10; i < 20; i++) writer.write(Buffer.from(`m${i}`));
    await eventually(() => fresh.data.length === 10, { what: "10 on the second lane" });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fresh.ended, false, "the lane the link writes to did not get EOS");
    assert.deepEqual(
      [...old.data, ...fresh.data],
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );

    // Parked, bound again by a Bind, parked again: the second park is a new move (the outbound
    // moved since the first), not the first one's answer.
    await d.client.switch(link, undefined);
    await eventually(() => fresh.ended, { what: "EOS on the second lane once parked" });
    const third = await listenReader("inproc");
    const laterP = third.accepted.then(receive);
    await d.client.bind(link, { outbound: third.address });
    const later = await laterP;
    writer.write(Buffer.from("m20"));
    await eventually(() => later.data.length === 1, { what: "m20 on the third lane" });
    const parkedAgain = await d.client.switch(link, undefined);
    assert.equal(parkedAgain.oldFrames, 1);
    await eventually(() => later.ended, { what: "EOS on the third lane once parked again" });
    await d.client.close(link);
  });

  test("an outbound lane gets a heartbeat every interval, stamped with its send time", async () => {
    const d = await start(echo);
    const link = await d.client.open(ECHO, {
      contract: { saddr: ECHO, type: "api", direction: "both" },
    });
    const out = await listenReader("inproc");
    await d.client.bind(link, { outbound: out.address });
    const reader = await out.accepted;
    const stamps: bigint[] = [];
    reader.on("frame", (f: Frame) => {
      if (f.type === FrameType.HEARTBEAT) stamps.push(Buffer.from(f.payload).readBigUInt64LE(0));
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(stamps.length >= 4 && stamps.length <= 9, `${stamps.length} heartbeats in 300 ms`);
    const now = process.hrtime.bigint();
    for (const t of stamps)
      assert.ok(t <= now && now - t < 2_000_000_000n, "a monotonic send time");
    await d.client.close(link);
  });

  test("a heartbeat's age on arrival is the link's lag_ms in the next health sample", async () => {
    const d = await start(echo);
    const link = await d.client.open(ECHO, {
      contract: { saddr: ECHO, type: "api", direction: "both" },
    });
    const lane = await listenWriter("inproc");
    await d.client.bind(link, { inbound: lane.address });
    const writer = await lane.accepted;
    // A probe sent 40 ms ago (as a writer stuck behind a backlog would have).
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE(process.hrtime.bigint() - 40_000_000n, 0);
    writer.write(stamp, { type: FrameType.HEARTBEAT });
    const sample = async () => {
      for await (const s of d.client.health({ linkId: link, intervalMs: 10 }))
        if (s.link_id === link) return s;
      throw new Error("no sample");
    };
    await new Promise((r) => setTimeout(r, 50));
    const first = await sample();
    assert.ok(first.lag_ms >= 40 && first.lag_ms < 1000, `lag ${first.lag_ms} ms`);
    const second = await sample();
    assert.ok(second.lag_ms >= 40, "every watcher sees it within the probe window");
    await new Promise((r) => setTimeout(r, 1100));
    const later = await sample();
    assert.equal(later.lag_ms, 0, "out of the window: no probe, no lag");
    writer.destroy();
    await d.client.close(link);
  });

  test("when rx ends, the outbound lane gets EOS, and so does a lane switched to later", async () => {
    const finite = defineConnector({
      name: "finite",
      version: "0.0.1",
      probe: () => [],
      open: () => ({}),
      tx: () => {},
      async *rx() {
        yield Buffer.from("one");
        yield Buffer.from("two");
      },
      close: () => {},
      health: () => ({ ok: true, lag_ms: 0 }),
    });
    const d = await start(finite);
    const contract: Contract = {
      saddr: "rtt://t/file/x@1.0.0",
      type: "file",
      direction: "provider",
    };
    const link = await d.client.open(contract.saddr, { contract });
    const out = await listenReader("inproc");
    // Collect from the moment the driver connects: it writes at once.
    const gotP = out.accepted.then(receive);
    await d.client.bind(link, { outbound: out.address });
    const got = await gotP;
    await eventually(() => got.ended, { what: "EOS after the last chunk" });
    assert.deepEqual(got.data, ["one", "two"]);
    const later = await listenReader("inproc");
    const laterGot = later.accepted.then(receive);
    await d.client.switch(link, later.address);
    const g2 = await laterGot;
    await eventually(() => g2.ended, { what: "EOS on the later lane" });
    assert.deepEqual(g2.data, []);
  });

  test("a connector's own failures come back as RTT_ERR_DRIVER_CALL and show in health", async () => {
    let healthy = true;
    const flaky = defineConnector({
      name: "flaky",
      version: "1.0.0",
      probe: () => [{ saddr: "rtt://t/proc/flaky@1.0.0", type: "proc", direction: "both" }],
      open: (c: Contract) => {
        if (c.tags?.fail === "open") throw new Error("cannot open: permission denied");
        return new EventEmitter();
      },
      tx: (_l, bytes) => {
        if (Buffer.from(bytes).toString() === "bad") throw new Error("malformed request");
      },
      async *rx(l: EventEmitter) {
        for await (const [b] of on(l, "data", { close: ["close"] })) yield b as Uint8Array;
      },
      close: (l) => {
        l.emit("close");
      },
      health: () =>
        healthy ? { ok: true, lag_ms: 3 } : { ok: false, lag_ms: 0, err: "backend down" },
    });
    const d = await start(flaky);
    await assert.rejects(
      d.client.open("rtt://t/proc/flaky@1.0.0", {
        contract: {
          saddr: "rtt://t/proc/flaky@1.0.0",
          type: "proc",
          direction: "both",
          tags: { fail: "open" },
        },
      }),
      {
        code: "RTT_ERR_DRIVER_CALL",
        message: 'driver "flaky": connector "flaky": open failed: cannot open: permission denied',
      },
    );
    await d.client.probe("/x");
    const link = await d.client.open("rtt://t/proc/flaky@1.0.0"); // the probed contract
    await assert.rejects(d.client.tx(link, Buffer.from("bad")), {
      code: "RTT_ERR_DRIVER_CALL",
      message: /tx failed: malformed request/,
    });
    const samples = async () => {
      const s = d.client.health({ linkId: link, intervalMs: 10 });
      for await (const x of s) {
        s.cancel();
        return x;
      }
      throw new Error("no sample");
    };
    const s1 = await samples();
    assert.equal(s1.ok, false);
    assert.match(s1.err, /tx: malformed request/);
    const s2 = await samples();
    assert.equal(s2.ok, true, "a tx error is reported once");
    assert.equal(s2.lag_ms, 3);
    healthy = false;
    const s3 = await samples();
    assert.equal(s3.ok, false);
    assert.equal(s3.err, "backend down");
  });

  test("Open refuses a contract for another address, and an unknown one without contract", async () => {
    const d = await start(echo);
    await assert.rejects(
      d.client.open(ECHO, {
        contract: { saddr: "rtt://demo/api/other@1.0.0", type: "api", direction: "both" },
      }),
      { code: "RTT_ERR_SADDR_FORM" },
    );
    await assert.rejects(d.client.open("rtt://demo/api/never-probed@1.0.0"), {
      code: "RTT_ERR_DRIVER_LINK",
      message: /no contract for rtt:\/\/demo\/api\/never-probed@1\.0\.0/,
      hint: /Probe first/,
    });
    await assert.rejects(d.client.open("not an address"), { code: "RTT_ERR_SADDR_SYNTAX" });
  });

  test("Rx with max ends after that many chunks; a Health stream for a closed link ends", async () => {
    const d = await start(echo);
    await d.client.probe("/");
    const link = await d.client.open(ECHO);
    const rx = d.client.rx(link, { max: 2 });
    const got: string[] = [];
    const reading = (async () => {
      for await (const c of rx) got.push(`${c.index}:${Buffer.from(c.bytes).toString()}`);
    })();
    await new Promise((r) => setTimeout(r, 30));
    for (const m of ["x", "y", "z"]) await d.client.tx(link, Buffer.from(m));
    await reading;
    assert.deepEqual(got, ["1:x", "2:y"]);
    const h = d.client.health({ linkId: link, intervalMs: 10 });
    const seen: string[] = [];
    const watching = (async () => {
      for await (const s of h) seen.push(s.link_id);
    })();
    await new Promise((r) => setTimeout(r, 40));
    await d.client.close(link);
    await watching;
    assert.ok(seen.length >= 1 && seen.every((id) => id === link));
  });

  test("defineConnector checks what it is given", () => {
    const base = {
      name: "ok",
      version: "1.0.0",
      probe: () => [],
      open: () => ({}),
      tx: () => {},
      async *rx() {},
      close: () => {},
      health: () => ({ ok: true, lag_ms: 0 }),
    };
    assert.throws(() => defineConnector({ ...base, name: "Bad Name" }), /name must be lowercase/);
    assert.throws(() => defineConnector({ ...base, version: "1.0" }), /version must be semver/);
    assert.throws(
      () => defineConnector({ ...base, tx: undefined as unknown as () => void }),
      (e: unknown) => e instanceof RttError && /tx must be a function/.test(e.message),
    );
    assert.equal(defineConnector(base).name, "ok");
  });
});

// A driver killed with -9, restarted with backoff and leaving nothing behind; a driver that
// outlives its host for a grace period, re-attached by a new host after an identity check,
// and one that nobody re-attaches to, exiting cleanly
// (docs/design.md §Processes and sockets: re-attach).
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import {
  type DriverExit,
  DriverHost,
  type DriverRecord,
  type DriverRestart,
  FakeClock,
} from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { type LaneReader, type LaneWriter, listenReader, listenWriter } from "@rtt/fabric";
import {
  nodeDriver,
  procState,
  quietOptions,
  receive,
  socketFileGone,
  stopAll,
} from "./helpers.ts";

const hosts: DriverHost[] = [];
after(() => stopAll(hosts));

const echoLaunch = nodeDriver("echo", "echo-driver.ts");

/** Binds a fresh echo link to uds lanes; returns our ends and what came back so far. */
async function echoLink(host: DriverHost) {
  const saddr = (await host.probe("/tmp"))[0]?.saddr ?? "";
  const link = await host.open(saddr);
  const inbound = await listenWriter("uds");
  const outbound = await listenReader("uds");
  await host.bind(link, { inbound: inbound.address, outbound: outbound.address });
  const writer: LaneWriter = await inbound.accepted;
  const reader: LaneReader = await outbound.accepted;
  writer.on("error", () => {});
  reader.on("error", () => {});
  const got = receive(reader);
  return { link, writer, reader, echoed: got.data, ended: () => got.ended };
}

describe("kill -9 of a driver", () => {
  test("the host notices at once, restarts it with backoff, no zombie, no stray socket", async () => {
    const host = await DriverHost.launch(
      echoLaunch,
      quietOptions([], { restart: { baseMs: 100, maxMs: 1000 }, random: () => 0 }),
    );
    hosts.push(host);
    const first = host.record;
    const { writer } = await echoLink(host);
    writer.write(Buffer.from("in flight"));

    const exited = once(host, "exit") as Promise<[DriverExit]>;
    const restarted = once(host, "restart") as Promise<[DriverRestart]>;
    const killedAt = Date.now();
    process.kill(first.pid, "SIGKILL");
    const [exit] = await exited;
    const noticedMs = Date.now() - killedAt;
    assert.ok(noticedMs < 250, `noticed after ${noticedMs} ms (heartbeat 50 ms; exit is SIGCHLD)`);
    assert.equal(exit.pid, first.pid);
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(host.state, "restarting");
    await assert.rejects(host.info(), { code: "RTT_ERR_DRIVER_EXITED", message: /restarting/ });

    // Reaped, and its socket (which a killed process cannot remove) removed by the host.
    assert.ok(procState(first.pid) !== "Z", "no zombie");
    await eventually(() => procState(first.pid) === undefined, { what: "the old pid gone" });
    assert.ok(socketFileGone(first.socket), `stray socket ${first.socket}`);

    const [restart] = await restarted;
    assert.equal(restart.attempt, 1);
    assert.equal(restart.delayMs, 50, "first delay: base 100 ms, equal jitter with random 0");
    assert.equal(restart.previousPid, first.pid);
    assert.notEqual(restart.pid, first.pid);
    assert.equal(host.state, "running");
    const info = await host.info();
    assert.equal(info.pid, restart.pid);
    assert.notEqual(info.nonce, first.nonce);
    await host.stop();
    assert.ok(socketFileGone(info.socket));
    await eventually(() => procState(info.pid) === undefined, { what: "the new pid gone" });
  });

  test("restart delays follow the capped, jittered backoff (injected clock and random)", async () => {
    const clock = new FakeClock();
    const host = await DriverHost.launch(
      echoLaunch,
      quietOptions([], { clock, random: () => 0.5, restart: { baseMs: 1000, maxMs: 4000 } }),
    );
    hosts.push(host);
    // d = min(4000, 1000 * 2^n), then d/2 + 0.5 * d/2. Time moves only while a restart is
    // pending, so no run lasts the 10 s that would start the backoff over.
    const delays = [750, 1500, 3000, 3000];
    for (const [i, delayMs] of delays.entries()) {
      const exited = once(host, "exit");
      process.kill(host.pid, "SIGKILL");
      await exited;
      assert.equal(clock.pending, 1, "exactly one timer: the restart");
      clock.advance(delayMs - 1);
      assert.equal(host.state, "restarting", `restart ${i + 1} not begun before ${delayMs} ms`);
      const restarted = once(host, "restart") as Promise<[DriverRestart]>;
      clock.advance(1);
      assert.equal(host.state, "starting", `restart ${i + 1} begun at ${delayMs} ms`);
      const [r] = await restarted;
      assert.equal(r.attempt, i + 1);
      assert.equal(r.delayMs, delayMs);
    }
    await host.stop();
  });

  test("stop() while a restart is pending cancels it", async () => {
    const host = await DriverHost.launch(
      echoLaunch,
      quietOptions([], { restart: { baseMs: 300, maxMs: 300 } }),
    );
    hosts.push(host);
    let restarts = 0;
    host.on("restart", () => restarts++);
    const exited = once(host, "exit");
    process.kill(host.pid, "SIGKILL");
    await exited;
    assert.equal(host.state, "restarting");
    await host.stop();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(restarts, 0);
    assert.equal(host.state, "stopped");
  });

  test("with restarts off, a crash leaves the host failed and says so", async () => {
    const host = await DriverHost.launch(echoLaunch, quietOptions([], { restart: false }));
    hosts.push(host);
    const exited = once(host, "exit");
    process.kill(host.pid, "SIGKILL");
    await exited;
    assert.equal(host.state, "failed");
    await assert.rejects(host.probe("/tmp"), { code: "RTT_ERR_DRIVER_EXITED" });
  });
});

describe("a host that goes away", () => {
  test("re-attach: the driver keeps pumping without a host, and a new host takes over", async () => {
    const first = await DriverHost.launch(echoLaunch, quietOptions([], { graceMs: 5000 }));
    const lane = await echoLink(first);
    lane.writer.write(Buffer.from("before"));
    await eventually(() => lane.echoed.length === 1, { what: "echo before detach" });

    const detached = first.detach();
    assert.equal(first.state, "detached");
    // No host now: the lanes still carry traffic.
    lane.writer.write(Buffer.from("while alone"));
    await eventually(() => lane.echoed.length === 2, { what: "echo while no host is attached" });

    const second = await DriverHost.attach(detached.record, quietOptions());
    hosts.push(second);
    assert.equal(second.state, "running");
    assert.equal(second.pid, detached.record.pid);
    const info = await second.info();
    assert.equal(info.links, 1);
    const health = second.health({ linkId: lane.link, intervalMs: 20 });
    for await (const s of health) {
      assert.equal(s.frames_in, 2);
      assert.equal(s.frames_out, 2);
      health.cancel();
    }
    lane.writer.write(Buffer.from("after"));
    await eventually(() => lane.echoed.length === 3, { what: "echo after re-attach" });
    assert.deepEqual(lane.echoed, ["before", "while alone", "after"]);

    // The new host stops it properly: EOS on its lanes, exit 0, socket removed.
    await second.stop();
    assert.deepEqual(await detached.exit, { code: 0, signal: null });
    await eventually(lane.ended, { what: "EOS on the outbound lane" });
    assert.ok(socketFileGone(detached.record.socket));
  });

  test("re-attach refuses another process: wrong nonce, wrong start time, a reused pid", async () => {
    const first = await DriverHost.launch(echoLaunch, quietOptions([], { graceMs: 5000 }));
    const { record, exit } = first.detach();
    const attempts: [string, DriverRecord][] = [
      ["nonce", { ...record, nonce: "ff".repeat(16) }],
      ["start time", { ...record, startTime: String(Number(record.startTime) + 1) }],
      // This test process is alive, but it is not the driver: its start time differs.
      ["reused pid", { ...record, pid: process.pid }],
    ];
    for (const [what, forged] of attempts) {
      await assert.rejects(
        DriverHost.attach(forged, quietOptions()),
        (e: unknown) =>
          e instanceof Error &&
          "code" in e &&
          e.code === "RTT_ERR_DRIVER_IDENTITY" &&
          /refusing to re-attach/.test(e.message),
        what,
      );
    }
    // The genuine record still works, and the refusals did not disturb the driver.
    const host = await DriverHost.attach(record, quietOptions());
    await host.stop();
    assert.equal((await exit).code, 0);
    await assert.rejects(DriverHost.attach(record, quietOptions()), {
      code: "RTT_ERR_DRIVER_EXITED",
      message: /is not running any more/,
    });
  });

  test("a re-attached host notices the driver's death through its watch", async () => {
    const first = await DriverHost.launch(echoLaunch, quietOptions([], { graceMs: 5000 }));
    const { record } = first.detach();
    const host = await DriverHost.attach(record, quietOptions());
    hosts.push(host);
    const exited = once(host, "exit") as Promise<[DriverExit]>;
    const killedAt = Date.now();
    process.kill(record.pid, "SIGKILL");
    const [exit] = await exited;
    assert.ok(Date.now() - killedAt < 1000, "noticed through the broken Health stream");
    assert.equal(exit.pid, record.pid);
    assert.equal(host.state, "failed", "no launch given: nothing to restart");
    assert.ok(socketFileGone(record.socket));
  });

  test("nobody re-attaches: the driver closes its links after the grace period and exits 0", async () => {
    const graceMs = 400;
    const first = await DriverHost.launch(echoLaunch, quietOptions([], { graceMs }));
    const lane = await echoLink(first);
    const { record, exit } = first.detach();
    const detachedAt = Date.now();
    const result = await exit;
    const lived = Date.now() - detachedAt;
    assert.deepEqual(result, { code: 0, signal: null });
    assert.ok(lived >= graceMs - 50, `exited after ${lived} ms, before the grace period`);
    assert.ok(lived < graceMs + 2000, `exited after ${lived} ms`);
    await eventually(lane.ended, { what: "EOS on the outbound lane" });
    assert.ok(socketFileGone(record.socket));
    await eventually(() => procState(record.pid) === undefined, { what: "reaped" });
  });
});

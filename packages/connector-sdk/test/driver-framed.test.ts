// The driver leg of a flip over the framed control channel (docs/adr/0029-framed-control-channel.md):
// a driver serves its Connector handlers on a second socket, and a DriverClient given that
// socket sends Switch, Bind, Offer and Health there — with the same answers and the same
// RttErrors (code, message, hint) as over gRPC; a driver that is gone or silent fails as a
// gRPC call would. A launched driver names the socket in its handshake line (field 11).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DriverHost } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { listenReader, newSocketPath } from "@rtt/fabric";
import { DriverRuntime } from "../src/driver/runtime.ts";
import { startConnectorServer } from "../src/driver/service.ts";
import { framedSocketOfLine } from "../src/handshake/handshake-line.ts";
import { DriverClient } from "../src/host/driver-client.ts";
import { echo } from "./fixtures/echo-driver.ts";
import { nodeDriver, quietOptions } from "./helpers.ts";

const ECHO = "rtt://demo/api/echo@1.0.0";
const CONTRACT = { saddr: ECHO, type: "api", direction: "both" } as const;
const dir = mkdtempSync(join(tmpdir(), "rtt-framed-driver-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The echo connector served on both sockets, a client of each transport, and one of framed only. */
async function served() {
  const runtime = new DriverRuntime(echo, {});
  const grpcPath = newSocketPath(dir, "grpc");
  const framedPath = newSocketPath(dir, "framed");
  const info = () => ({
    name: "echo",
    version: "1",
    pid: process.pid,
    nonce: "00",
    protocol_version: 1,
    links: 0,
    lanes: [],
  });
  const server = await startConnectorServer(runtime, { info }, grpcPath, "test", {
    path: framedPath,
    log: (line) => assert.fail(line),
  });
  const grpc = new DriverClient("echo", grpcPath);
  const framed = new DriverClient("echo", grpcPath, { framed: framedPath });
  // No gRPC server behind this one: what it answers came over the framed socket.
  const framedOnly = new DriverClient("echo", join(dir, "nobody.sock"), {
    framed: framedPath,
    callTimeoutMs: 2000,
  });
  after(async () => {
    for (const c of [grpc, framed, framedOnly]) c.disconnect();
    await runtime.dispose();
    server.close();
  });
  return { runtime, grpc, framed, framedOnly, framedPath };
}

/** What a call rejected with, as the fields a caller reads. */
async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RttError, String(e));
    return { code: e.code, message: e.message, hint: e.hint };
  }
  assert.fail("the call succeeded");
}

describe("the driver leg over the framed control channel", () => {
  test("Offer, Bind, Switch and Health answer over the framed socket alone", async () => {
    const { framedOnly, grpc } = await served();
    const link = await grpc.open(ECHO, { contract: CONTRACT });
    const first = await listenReader("uds");
    const inbound = await framedOnly.offer(link, "inbound", "uds");
    assert.equal(inbound.kind, "uds");
    const bound = await framedOnly.bind(link, { outbound: first.address });
    assert.deepEqual(bound, { inboundBound: false, outboundBound: true });
    const second = await listenReader("uds");
    const moved = await framedOnly.switch(link, second.address);
    assert.equal(typeof moved.oldEosSeq, "number");
    const parked = await framedOnly.switch(link, undefined);
    assert.equal(parked.oldFrames, 0);
    const health = framedOnly.health({ linkId: link, intervalMs: 20 });
    for await (const sample of health) {
      assert.equal(sample.link_id, link);
      health.cancel();
    }
    // The gRPC-only calls of this client have no server: the framed ones did not use it.
    assert.equal((await failure(framedOnly.info())).code, "RTT_ERR_DRIVER_EXITED");
    for (const l of [first, second]) l.close();
  });

  test("a driver's refusal is the same RttError over either transport", async () => {
    const { grpc, framed } = await served();
    const lane = { kind: "uds", path: join(dir, "no-lane.sock") } as const;
    const calls = (c: DriverClient) => [
      c.switch("no-such-link", lane),
      c.bind("no-such-link", { inbound: lane }),
      c.offer("no-such-link", "inbound", "uds"),
      c.offerWithHandshake("no-such-link", "uds"),
    ];
    const viaGrpc = await Promise.all(calls(grpc).map(failure));
    const viaFramed = await Promise.all(calls(framed).map(failure));
    assert.deepEqual(viaFramed, viaGrpc);
    assert.match(viaFramed[0]?.message ?? "", /^driver "echo": /);
  });

  test("a framed socket that cannot be made: logged, gRPC alone, none advertised", async () => {
    const runtime = new DriverRuntime(echo, {});
    const lines: string[] = [];
    const grpcPath = newSocketPath(dir, "grpc");
    // Its folder is a file: nothing can listen there.
    const notAFolder = join(dir, "not-a-folder");
    writeFileSync(notAFolder, "");
    const server = await startConnectorServer(runtime, { info: () => ({}) }, grpcPath, "test", {
      path: join(notAFolder, "framed.sock"),
      log: (line) => lines.push(line),
    });
    try {
      assert.equal(server.framedPath, undefined);
      assert.match(lines.join("\n"), /no framed control channel .*; serving gRPC alone/);
      const client = new DriverClient("echo", grpcPath);
      assert.equal(typeof (await client.open(ECHO, { contract: CONTRACT })), "string");
      client.disconnect();
    } finally {
      await runtime.dispose();
      server.close();
    }
  });

  test("no socket: DRIVER_EXITED; a socket that never answers: DRIVER_TIMEOUT", async () => {
    const gone = new DriverClient("echo", join(dir, "none.sock"), {
      framed: join(dir, "none-framed.sock"),
    });
    const lost = await failure(gone.switch("l", undefined));
    assert.equal(lost.code, "RTT_ERR_DRIVER_EXITED");
    assert.match(lost.message, /^driver "echo" did not answer Switch: /);
    gone.disconnect();

    const silentPath = join(dir, "silent.sock");
    const silent = createServer((s) => s.on("data", () => {}));
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
    const slow = new DriverClient("echo", join(dir, "none.sock"), {
      framed: silentPath,
      callTimeoutMs: 100,
    });
    const late = await failure(slow.switch("l", undefined));
    assert.deepEqual(late, {
      code: "RTT_ERR_DRIVER_TIMEOUT",
      message: 'driver "echo" did not answer Switch in time',
      hint: undefined,
    });
    slow.disconnect();
    silent.close();
  });

  test("a launched driver advertises its framed socket in field 11, and the host uses it", async () => {
    const host = await DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions());
    try {
      const framed = framedSocketOfLine(host.handshakeExtra);
      assert.ok(framed?.startsWith("/"), String(framed));
      assert.equal(host.record.framed, framed);
      const link = await host.open(ECHO, { contract: CONTRACT });
      const reader = await listenReader("uds");
      assert.deepEqual(await host.bind(link, { outbound: reader.address }), {
        inboundBound: false,
        outboundBound: true,
      });
      await host.switch(link, undefined);
      reader.close();
    } finally {
      await host.stop();
    }
  });

  test("a killed driver's framed socket is removed with its gRPC one", async () => {
    const host = await DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions());
    const { pid, socket, framed } = host.record;
    assert.ok(framed !== undefined && existsSync(framed));
    try {
      process.kill(pid, "SIGKILL");
      await eventually(() => !existsSync(socket) && !existsSync(framed), {
        what: "both sockets of the killed driver removed",
      });
    } finally {
      await host.stop();
    }
  });
});

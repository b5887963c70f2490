// stop() of a re-attached driver whose Health watch keeps breaking: the host must not open the
// watch again on the connection stop() closed (grpc-js throws "Channel has been shut down"), and
// the driver must still end. The watch is broken for real, by Unix socket proxies between the
// host and the driver (its gRPC socket and its framed one, which the watch uses) that drop
// every connection they carry.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DriverHost, type DriverLogLine } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { nodeDriver, procState, quietOptions, stopAll } from "./helpers.ts";

const hosts: DriverHost[] = [];
const dir = mkdtempSync(join(tmpdir(), "rtt-watch-"));
after(async () => {
  await stopAll(hosts);
  rmSync(dir, { recursive: true, force: true });
});

/** A proxy on `path` to the driver's socket; `cut()` drops its connections, `refuse` new ones. */
async function socketProxy(path: string, target: string) {
  const open = new Set<Socket>();
  const state = { refuse: false };
  const server: Server = createServer((client) => {
    if (state.refuse) return client.destroy();
    const upstream = createConnection({ path: target });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
      a.pipe(b);
    }
    open.add(client);
    client.on("close", () => open.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    state,
    cut: () => {
      for (const s of open) s.destroy();
    },
    close: () => server.close(),
  };
}

test("stop() while a broken watch waits: no re-open on the closed channel, the driver ends", async () => {
  const problems: unknown[] = [];
  const onProblem = (error: unknown) => problems.push(error);
  process.on("uncaughtException", onProblem);
  process.on("unhandledRejection", onProblem);
  after(() => {
    process.off("uncaughtException", onProblem);
    process.off("unhandledRejection", onProblem);
  });

  const first = await DriverHost.launch(
    nodeDriver("echo", "echo-driver.ts"),
    quietOptions([], { graceMs: 60_000 }),
  );
  const { record, exit } = first.detach();
  if (record.framed === undefined) throw new Error("the echo driver serves no framed channel");
  const proxy = await socketProxy(join(dir, "proxy.sock"), record.socket);
  const framedProxy = await socketProxy(join(dir, "framed.sock"), record.framed);
  after(() => {
    proxy.close();
    framedProxy.close();
  });
  const lines: DriverLogLine[] = [];
  const host = await DriverHost.attach(
    { ...record, socket: join(dir, "proxy.sock"), framed: join(dir, "framed.sock") },
    {
      ...quietOptions(lines),
      stopTimeoutMs: 1500,
    },
  );
  hosts.push(host);

  // Break the watch over and over: every connection dropped, new ones refused.
  for (const p of [proxy, framedProxy]) {
    p.state.refuse = true;
    p.cut();
  }
  const rewatched = () => lines.filter((l) => /watching again/.test(l.line)).length;
  await eventually(() => rewatched() >= 2, { what: "the watch broken and re-opened twice" });
  // Now stop, inside the next broken-watch wait (the re-opened watch fails at once on the
  // refused connection; the next re-open is 1 s after): Shutdown cannot get through, so the
  // driver lives on past that wait while stop() falls back to SIGTERM.
  const seen = rewatched();
  await eventually(() => rewatched() > seen, { what: "the watch re-opened once more" });
  await new Promise((r) => setTimeout(r, 300));
  await host.stop();
  assert.equal(host.state, "stopped");
  assert.deepEqual(await exit, { code: 0, signal: null }, "ended by SIGTERM, cleanly");
  await eventually(() => procState(record.pid) === undefined, { what: "the driver gone" });
  // Past the longest broken-watch wait (1 s): nothing re-opened on the closed channel.
  await new Promise((r) => setTimeout(r, 1200));
  assert.deepEqual(problems, []);
});

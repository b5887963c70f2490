/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 4. Garbage on the sockets of a uds route (driver and panel gRPC sockets, and the lane sockets
 * while the route is wired): the panel survives and the route recovers.
 */
import assert from "node:assert/strict";
import { watch } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { ppidOf, SOCKET_DIR, socketsOf } from "../support/panel-processes.ts";
import {
  cleanup,
  EVENTS_ROUTE,
  type PanelStatus,
  processes,
  type RouteListing,
  type TapSample,
  Workspace,
} from "../support/quickstart-workspace.ts";
import { STREAM_FOREVER, waitForGrowth } from "./stream.ts";

after(cleanup);

/** Opens a Unix socket, writes `bytes`, and keeps it until the returned function is called. */
function garbageTo(
  path: string,
  bytes: Uint8Array,
): Promise<{ connected: boolean; close(): void }> {
  return new Promise((resolve) => {
    const s: Socket = connect(path);
    s.on("error", () => resolve({ connected: false, close: () => s.destroy() }));
    s.once("connect", () => {
      s.write(bytes);
      s.resume(); // whatever the peer answers
      resolve({ connected: true, close: () => s.destroy() });
    });
  });
}

function garbage(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 0xff;
  b.set(new TextEncoder().encode("GARBAGE\n{not a frame}\r\n"), 0);
  return b;
}

describe("4. corrupt bytes on the sockets of a uds route", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  let panelPid = 0;
  const hits: string[] = [];
  const held: { close(): void }[] = [];

  it("garbage written onto the route's lane sockets as they appear: the panel survives", async (t) => {
    ws.editText(".rtt/panel.yaml", (yaml) => yaml.replace(/prefer: \[[^\]]*\]/, 'prefer: ["uds"]'));
    assert.match(ws.read(".rtt/panel.yaml"), /prefer: \["uds"\]/);
    await ws.ok(["scan"]);
    await ws.ok(["panel", "start"]);
    panelPid = (await ws.status()).pid;
    processes.track([panelPid]);

    // Every lane socket a driver of this panel creates is connected to at once (the listener
    // takes one peer: when we are first, the garbage is what it reads).
    const watcher = watch(SOCKET_DIR, (_event, name) => {
      const m = /^lane-(\d+)-[0-9a-f]+\.sock$/.exec(String(name));
      if (m === null || ppidOf(Number(m[1])) !== panelPid) return;
      void garbageTo(join(SOCKET_DIR, String(name)), garbage(4096)).then((g) => {
        held.push(g);
        if (g.connected) hits.push(String(name));
      });
    });
    try {
      const apply = await ws.rtt(["apply", "--auto-approve"]);
      await sleep(2000);
      const status = await ws.rtt(["panel", "status", "--json"]);
      assert.equal(status.code, 0, `the panel does not answer after the garbage\n${ws.tail()}`);
      assert.ok(isAlive(panelPid), "the panel died");
      // Report what happened (the report of the suite quotes it).
      const tap = await ws.rtt(["tap", `route/${EVENTS_ROUTE}`, "--json", "--count", "1"]);
      const said = (text: string) =>
        text
          .split("\n")
          .filter((l) => /batch|fail|error|lane|garbage|frame/i.test(l))
          .join(" | ");
      t.diagnostic(`garbage reached ${hits.length} lane socket(s) first: ${hits.join(", ")}`);
      t.diagnostic(`apply exit ${apply.code}: ${said(apply.stdout + apply.stderr)}`);
      t.diagnostic(`panel.log: ${said(ws.panelLog())}`);
      t.diagnostic(`tap: exit ${tap.code} ${tap.stdout.trim()}${tap.stderr.trim()}`);
      if (tap.code === 0) {
        const s = JSON.parse(tap.stdout.trim().split("\n")[0] ?? "{}") as TapSample;
        // Reported down, or healthy and carrying the stream.
        if (s.ok) assert.ok(s.to_link.frames_in > 0, JSON.stringify(s));
        else assert.notEqual(s.err, "", "a route that is not ok says why");
      }
    } finally {
      watcher.close();
      for (const g of held) g.close();
    }
  });

  it("the route recovers: a second apply wires it over uds and the stream flows", async () => {
    assert.ok(panelPid > 0, "the first step failed");
    await ws.ok(["apply", "--auto-approve"]);
    let last: RouteListing | undefined;
    const ok = await eventually(
      async () => {
        last = await ws.route(EVENTS_ROUTE);
        return last.live?.wired && last.live.from_link.ok && last.live.to_link.ok && last;
      },
      {
        ...ws.wait("the route to recover"),
        intervalMs: 1000,
        detail: () => `not recovered: ${JSON.stringify(last)}\n${ws.tail()}`,
      },
    );
    assert.ok(ok.live?.wired);
    assert.equal(ok.live.lane, "uds");
    await waitForGrowth(ws, "the stream over the recovered route", 2000);
  });

  it("garbage into the driver and panel gRPC sockets: the panel, drivers and route survive", async () => {
    const status = await ws.status();
    const pids = ws.trackTree(status);
    const targets = [
      ...socketsOf(
        status.drivers.map((d) => d.pid),
        ws.createdAt,
      )
        .filter((n) => n.startsWith("driver-"))
        .map((n) => join(SOCKET_DIR, n)),
      ws.path(".rtt/sockets/panel.sock"),
    ];
    assert.ok(targets.length >= 3, `driver sockets and the panel socket: ${targets.join(", ")}`);
    const conns = await Promise.all(targets.map((p) => garbageTo(p, garbage(65_536))));
    try {
      assert.ok(
        conns.every((c) => c.connected),
        "every gRPC socket accepted the connection",
      );
      await sleep(2000);
      const again = await ws.status();
      assert.equal(again.pid, status.pid);
      const byName = (s: PanelStatus) =>
        Object.fromEntries(s.drivers.map((d) => [d.name, [d.pid, d.restarts]] as const));
      assert.deepEqual(byName(again), byName(status), "no driver died or restarted");
      await waitForGrowth(ws, "the stream after the gRPC garbage", 2000);
      const [s] = await ws.tap(EVENTS_ROUTE, 1);
      assert.ok(s?.ok, `route ok after the gRPC garbage: ${JSON.stringify(s)}`);
    } finally {
      for (const c of conns) c.close();
    }
    await ws.stopLeavingNothing([...new Set([...pids, panelPid])]);
  });
});

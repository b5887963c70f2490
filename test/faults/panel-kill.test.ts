/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 2. kill -9 the panel under load: the data keeps flowing over the lanes with no panel, `rtt
 * panel start` re-attaches the same drivers without rewiring, traffic continues.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_GRACE_MS, GRACE_ENV } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { describePids, processTree, programsUnder } from "../support/panel-processes.ts";
import {
  cleanup,
  EVENTS_ROUTE,
  type PanelStatus,
  processes,
  scanAndApply,
  Workspace,
} from "../support/quickstart-workspace.ts";
import { EVENTS_FILE, STREAM_FOREVER, waitForGrowth } from "./stream.ts";

after(cleanup);

// How long the drivers, left without a panel, keep their links for one to re-attach (inherited
// through the panel that starts them). The default is the product's timer, not a state the test
// can wait for, and this case's restart — a cold `rtt panel start` — has taken longer than it on
// a machine at load 20+, so the drivers had exited. Six times the default leaves it room.
process.env[GRACE_ENV] = String(6 * DEFAULT_GRACE_MS);

describe("2. kill -9 the panel under load", { timeout: 360_000 }, () => {
  const ws = new Workspace(STREAM_FOREVER);
  let first: PanelStatus | undefined;
  let pids: number[] = [];
  let emitPid = 0;

  it("the data keeps flowing over the lanes while no panel runs", async () => {
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the logger", 2000);
    first = await ws.status();
    pids = ws.trackTree(first);
    emitPid = programsUnder(ws.driverPid(first, "process"), /emit\.py/)[0] ?? 0;
    assert.ok(emitPid > 0, "emit.py runs under the process driver");

    const panel = first.pid;
    process.kill(panel, "SIGKILL");
    await eventually(() => !isAlive(panel), ws.wait(`the panel (pid ${panel}) to die`));
    const atKill = ws.count(EVENTS_FILE);
    await sleep(1500);
    const later = ws.count(EVENTS_FILE);
    assert.ok(
      later > atKill,
      `${EVENTS_FILE} did not grow in the 1.5 s after the panel died (${atKill} → ${later})`,
    );
    const others = pids.filter((p) => p !== panel);
    assert.deepEqual(
      others.filter((p) => !isAlive(p)),
      [],
      `processes died with the panel:\n${describePids(others)}`,
    );
  });

  it("rtt panel start re-attaches the same drivers, rewires nothing, traffic continues", async () => {
    assert.ok(first !== undefined, "the kill step failed");
    const logBefore = ws.panelLog().length;
    await ws.ok(["panel", "start"]);
    const status = await ws.status();
    processes.track([status.pid]);
    pids.push(status.pid);
    assert.notEqual(status.pid, first.pid);
    assert.equal(status.routes, 2);
    const byName = (s: PanelStatus) =>
      Object.fromEntries(s.drivers.map((d) => [d.name, [d.pid, d.restarts]] as const));
    assert.deepEqual(
      byName(status),
      byName(first),
      `drivers relaunched, not re-attached\n${ws.tail()}`,
    );

    const log = ws.panelLog().slice(logBefore);
    assert.match(log, new RegExp(`took over the lock of a dead panel \\(pid ${first.pid}\\)`));
    for (const d of first.drivers)
      assert.match(log, new RegExp(`re-attached driver ${d.name} \\(pid ${d.pid}\\)`), ws.tail());
    assert.doesNotMatch(log, /rewiring|restarted: its links are gone/, ws.tail());
    assert.ok(isAlive(emitPid), "emit.py was not restarted: the same process streams on");

    await waitForGrowth(ws, "traffic after the re-attach", 2000);
    const route = await ws.route(EVENTS_ROUTE);
    assert.ok(route.live?.wired && route.live.to_link.ok, JSON.stringify(route));
  });

  it("panel stop after the re-attach leaves nothing behind", async () => {
    pids = [...new Set([...pids, ...processTree(pids.filter(isAlive))])];
    await ws.stopLeavingNothing(pids);
  });
});

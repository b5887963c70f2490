/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 1. kill -9 the `process` driver under load: the panel restarts it and rewires its routes; the
 * programs of the journaled `buffer` route outlive the driver and the new one adopts them; every
 * message the source program handed over before (and while) the driver was dead reaches the
 * logger, in order, at most one twice; nothing is left after stop.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { describePids, processTree, programsUnder } from "../support/panel-processes.ts";
import {
  bothRoutesLive,
  cleanup,
  EVENTS_ROUTE,
  type PanelStatus,
  scanAndApply,
  Workspace,
} from "../support/quickstart-workspace.ts";
import {
  assertNoLoss,
  EMITTED_FILE,
  EVENTS_FILE,
  POLICY_BUFFER,
  recordEmitted,
  runsOf,
  seqs,
  waitForGrowth,
} from "./stream.ts";

after(cleanup);

describe("1. kill -9 the process driver under load", { timeout: 360_000 }, () => {
  const ws = new Workspace();
  let before: PanelStatus | undefined;
  let oldDriver = 0;
  let oldPrograms: number[] = [];
  let pids: number[] = [];
  let emittedAtKill = 0;

  it("the panel restarts the driver and logs the rewiring of its routes", async () => {
    recordEmitted(ws);
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the logger", 2000);
    before = await ws.status();
    pids = ws.trackTree(before);
    oldDriver = ws.driverPid(before, "process");
    oldPrograms = programsUnder(oldDriver, /emit-recorded\.py|logger\.mjs/);
    assert.ok(
      oldPrograms.length >= 2,
      `emit-recorded.py and logger.mjs under the driver:\n${describePids(processTree([oldDriver]))}`,
    );

    process.kill(oldDriver, "SIGKILL");
    emittedAtKill = ws.count(EMITTED_FILE);
    await eventually(() => !isAlive(oldDriver), ws.wait(`the driver (pid ${oldDriver}) to die`));
    await eventually(() => {
      const log = ws.panelLog();
      return (
        /\[process\] driver was killed by SIGKILL/.test(log) &&
        /driver process restarted: its links are gone, rewiring its routes/.test(log) &&
        new RegExp(`rewiring \\d+ committed route\\(s\\): .*${EVENTS_ROUTE}`).test(log)
      );
    }, ws.wait("the restart and the rewiring in panel.log"));
  });

  it("the old driver's programs live on and the new driver adopts them", async () => {
    assert.ok(oldPrograms.length > 0, "the kill step failed");
    // They run in process groups of their own, and hold the far ends of their own stdio FIFOs
    // (the route is journaled): the SIGKILL neither reaches them nor closes their pipes.
    assert.deepEqual(
      oldPrograms.filter((p) => !isAlive(p)),
      [],
      `the old driver's programs died with it:\n${describePids(oldPrograms)}`,
    );
    // Each runs under its exit-status waiter (an `sh`, the process recorded and adopted).
    await eventually(() => {
      const adopted = [...ws.panelLog().matchAll(/adopted the running program \(pid (\d+)\)/g)];
      const pidsAdopted = new Set(adopted.map((m) => Number(m[1])));
      return pidsAdopted.size >= 2 && [...pidsAdopted].every((p) => oldPrograms.includes(p));
    }, ws.wait("both programs adopted in panel.log"));
  });

  it("the route is wired again on a new driver, and the same emit.py streams on", async () => {
    assert.ok(before !== undefined, "the kill step failed");
    // The rewire runs batch by batch: wait until both routes are live again.
    const after = await bothRoutesLive(ws);
    const newDriver = ws.driverPid(after, "process");
    assert.notEqual(newDriver, oldDriver, "the process driver should have a new pid");
    assert.equal(after.pid, before.pid, "the panel itself is the same process");
    assert.equal(after.drivers.find((d) => d.name === "process")?.restarts, 1);
    assert.equal(after.routes, 2, `both routes live again: ${JSON.stringify(after)}`);
    pids = [...new Set([...pids, ...ws.trackTree(after)])];

    const route = await ws.route(EVENTS_ROUTE);
    assert.ok(route.live?.wired, `not wired: ${JSON.stringify(route)}`);
    assert.ok(route.live.from_link.ok && route.live.to_link.ok, JSON.stringify(route.live));

    await waitForGrowth(ws, "messages after the rewire", 2000);
    assert.equal(runsOf(seqs(ws, EMITTED_FILE)).length, 1, "emit.py was not restarted");
  });

  it("no message loss within the buffer bound: what the source took reaches the logger, in order", (t) => {
    const emitted = seqs(ws, EMITTED_FILE);
    t.diagnostic(`source took ${emitted.length} messages; policy buffer ${POLICY_BUFFER}`);
    assertNoLoss(t, ws, EVENTS_FILE, emittedAtKill);
  });

  it("panel stop leaves none of the processes, old or new, behind", async () => {
    const now = await ws.status();
    pids = [...new Set([...pids, ...oldPrograms, ...ws.trackTree(now)])];
    await ws.stopLeavingNothing(pids);
  });
});

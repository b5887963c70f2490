/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 1c. kill -9 the `process` driver under load while one bus program feeds two journaled
 * (`drop: buffer`) routes through a journal tee (ADR 0025): logger2 is stopped first, so its
 * route's journal holds a backlog its target never took. The panel restarts the driver, which
 * adopts the one bus program; whichever route reopens second joins a running shared program and
 * still gets its own backlog and the stream since its journal ended: both loggers end up with
 * every seq from 1 on (duplicates allowed, no gap).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { describePids, processTree, programsUnder } from "../support/panel-processes.ts";
import {
  bothRoutesLive,
  cleanup,
  type PanelStatus,
  scanAndApply,
  Workspace,
} from "../support/quickstart-workspace.ts";
import { EMITTED_FILE, EVENTS_FILE, recordEmitted, runsOf, seqs, waitForGrowth } from "./stream.ts";

after(cleanup);

const GO = `import os, time
while not os.path.exists("../../logs/go"):
    time.sleep(0.05)
`;
const EVENTS2_FILE = "logs/events2.ndjson";
/** The bus program itself by argv (python3 may be a shim that execs another path), */
const BUS = /^\S*python3[\d.]* emit-recorded\.py/;
/** and with its exit-status waiter (the `sh` recorded and adopted). */
const BUS_AND_WAITER = /emit-recorded\.py/;
const LOGGER2 = /^node \.\.\/logger\/logger\.mjs .*events2/;

/** The seqs at `rel` seen for the first time are 1..n with no gap; returns n. */
function gapless(ws: Workspace, rel: string): number {
  const firsts: number[] = [];
  for (const s of seqs(ws, rel)) if (s > (firsts.at(-1) ?? 0)) firsts.push(s);
  const gap = firsts.findIndex((s, i) => s !== i + 1);
  assert.equal(
    gap,
    -1,
    `${rel} skips from seq ${firsts[gap - 1] ?? 0} to ${firsts[gap]}: lost\n${ws.tail(80)}`,
  );
  return firsts.at(-1) ?? 0;
}

describe("1c. kill -9 the process driver under a journaled fan-out", { timeout: 360_000 }, () => {
  const ws = new Workspace({
    routes: ["events-to-log"],
    policy: (policy) => {
      policy.failover = [];
    },
  });
  let before: PanelStatus | undefined;
  let oldDriver = 0;
  let bus: number[] = [];
  let busAndWaiter: number[] = [];
  let pids: number[] = [];
  let emittedAtKill = 0;

  it("with logger2 stopped (a backlog in its journal), the driver is killed and restarted", async () => {
    recordEmitted(ws);
    // The bus streams once both routes are wired: a route wired later joins where the stream is.
    const emit = "services/events/emit-recorded.py";
    ws.write(emit, `${GO}${ws.read(emit)}`);
    ws.editJson<{ routes: Record<string, string>[] }>(".rtt/routes.json", (file) => {
      file.routes.push({
        id: "events-to-log2",
        from: "rtt://core/bus/events",
        to: "rtt://obs/extension/logger2#ndjson",
      });
    });
    await scanAndApply(ws);
    assert.equal((await ws.status()).routes, 2, "both routes wired");
    ws.write("logs/go", "");
    await waitForGrowth(ws, "the stream to reach logger2", 2000, EVENTS2_FILE);
    before = await ws.status();
    assert.equal(before.routes, 2);
    pids = ws.trackTree(before);
    oldDriver = ws.driverPid(before, "process");
    bus = programsUnder(oldDriver, BUS);
    assert.equal(bus.length, 1, `one bus program:\n${describePids(processTree([oldDriver]))}`);
    busAndWaiter = programsUnder(oldDriver, BUS_AND_WAITER);

    const logger2 = programsUnder(oldDriver, LOGGER2);
    assert.ok(logger2.length > 0, "logger2 runs");
    for (const pid of logger2) process.kill(pid, "SIGSTOP");
    try {
      // The stopped logger paces the bus: once the first logger stands, logger2's journal is full.
      await eventually(async () => {
        const n = ws.count(EVENTS_FILE);
        await new Promise((r) => setTimeout(r, 300));
        return ws.count(EVENTS_FILE) === n;
      }, ws.wait("the stopped logger2 to pause the bus"));
      process.kill(oldDriver, "SIGKILL");
      emittedAtKill = ws.count(EMITTED_FILE);
      await eventually(() => !isAlive(oldDriver), ws.wait(`the driver (pid ${oldDriver}) to die`));
    } finally {
      for (const pid of logger2) process.kill(pid, "SIGCONT");
    }
    await eventually(
      () => /driver process restarted: its links are gone, rewiring its routes/.test(ws.panelLog()),
      ws.wait("the restart in panel.log"),
    );
  });

  it("both routes are wired again and the same one bus program streams on", async () => {
    assert.ok(before !== undefined, "the kill step failed");
    const now = await bothRoutesLive(ws);
    assert.notEqual(ws.driverPid(now, "process"), oldDriver);
    pids = [...new Set([...pids, ...ws.trackTree(now)])];
    await eventually(
      () => {
        const adopted = [...ws.panelLog().matchAll(/adopted the running program \(pid (\d+)\)/g)];
        return adopted.some((m) => busAndWaiter.includes(Number(m[1])));
      },
      ws.wait(`the bus program (${busAndWaiter.join(", ")}) adopted`),
    );
    assert.ok(isAlive(bus[0] as number), "the bus program lives on");
    await waitForGrowth(ws, "logger after the rewire", 2000);
    await waitForGrowth(ws, "logger2 after the rewire", 2000, EVENTS2_FILE);
    assert.equal(runsOf(seqs(ws, EMITTED_FILE)).length, 1, "emit.py was not restarted");
    assert.deepEqual(
      programsUnder(ws.driverPid(now, "process"), BUS),
      [],
      "no second bus program under the new driver",
    );
  });

  it("both loggers have every seq from 1 past the kill, no gap", (t) => {
    for (const rel of [EVENTS_FILE, EVENTS2_FILE]) {
      const newest = gapless(ws, rel);
      t.diagnostic(`${rel}: seq 1..${newest}; the source took ${emittedAtKill} before the kill`);
      assert.ok(newest >= emittedAtKill, `${rel} at ${newest}, below the kill's ${emittedAtKill}`);
    }
  });

  it("panel stop leaves none of the processes, old or new, behind", async () => {
    const now = await ws.status();
    pids = [...new Set([...pids, ...busAndWaiter, ...ws.trackTree(now)])];
    await ws.stopLeavingNothing(pids);
  });
});

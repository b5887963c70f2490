/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 1b. The same route with its target in another driver (a file sink), and that driver killed:
 * the panel closes the surviving source end *detached* (its program runs on), the rewire adopts
 * the same emit.py, and nothing is lost at the sink.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { programsUnder } from "../support/panel-processes.ts";
import {
  bothRoutesLive,
  cleanup,
  EVENTS_ROUTE,
  scanAndApply,
  Workspace,
} from "../support/quickstart-workspace.ts";
import {
  assertNoLoss,
  EMITTED_FILE,
  recordEmitted,
  runsOf,
  seqs,
  waitForGrowth,
} from "./stream.ts";

after(cleanup);

/**
 * The events route's target moved to the file driver (an NDJSON sink it appends to), so the
 * route's two ends are in two drivers.
 */
const SINK_FILE = "sink/events.ndjson";

function routeToSink(ws: Workspace): void {
  ws.write(SINK_FILE, "");
  ws.write(
    "sink/rtt.manifest.json",
    JSON.stringify({
      $schema: "https://rtt/spec/v1",
      symbol: {
        saddr: "rtt://obs/extension/sink@1.0.0#ndjson",
        type: "extension",
        direction: "consumer",
        capabilities: ["stream"],
        io: "stream",
        inputs: [{ name: "record", schema: "json://logger.record" }],
        "x-driver": "file",
        "x-path": ws.path(SINK_FILE),
      },
    }),
  );
  ws.editJson<{ routes: { id: string; to: string; params?: Record<string, string> }[] }>(
    ".rtt/routes.json",
    (file) => {
      for (const r of file.routes)
        if (r.id === EVENTS_ROUTE) {
          r.to = "rtt://obs/extension/sink#ndjson";
          r.params = { append: "lines" };
        }
    },
  );
  // The sink appends slower than emit.py writes (lag past the failover SLO): no failover here,
  // the route must stay on the sink whose driver is killed.
  ws.editJson<{ failover?: unknown }>(".rtt/policy.json", (policy) => {
    delete policy.failover;
  });
}

describe("1b. kill -9 the target's driver of a buffer route under load", {
  timeout: 360_000,
}, () => {
  const ws = new Workspace();
  let emitPids: number[] = [];
  let emittedAtKill = 0;
  let pids: number[] = [];

  it("the source's program is left running for the rewire, which adopts it", async () => {
    recordEmitted(ws);
    routeToSink(ws);
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the sink", 2000, SINK_FILE);
    const before = await ws.status();
    pids = ws.trackTree(before);
    // emit-recorded.py and its exit-status waiter (an `sh`, the process recorded and adopted).
    emitPids = programsUnder(ws.driverPid(before, "process"), /emit-recorded\.py/);
    assert.ok(emitPids.length > 0, "emit-recorded.py runs under the process driver");
    const fileDriver = ws.driverPid(before, "file");

    process.kill(fileDriver, "SIGKILL");
    emittedAtKill = ws.count(EMITTED_FILE);
    await eventually(() => {
      const log = ws.panelLog();
      return emitPids.some(
        (p) =>
          log.includes(`left running for the next link (pid ${p})`) &&
          log.includes(`adopted the running program (pid ${p})`),
      );
    }, ws.wait("the source's program left running, then adopted, in panel.log"));
    assert.deepEqual(
      emitPids.filter((p) => !isAlive(p)),
      [],
      "the same emit-recorded.py streams on",
    );
    const after = await bothRoutesLive(ws);
    assert.equal(after.routes, 2, `both routes live again: ${JSON.stringify(after)}\n${ws.tail()}`);
    pids = [...new Set([...pids, ...ws.trackTree(after)])];
    await waitForGrowth(ws, "messages after the rewire", 2000, SINK_FILE);
    assert.equal(runsOf(seqs(ws, EMITTED_FILE)).length, 1, "emit-recorded.py was not restarted");
  });

  it("no message loss: every seq the source took reaches the sink, in order, at most one twice", (t) => {
    assertNoLoss(t, ws, SINK_FILE, emittedAtKill);
  });

  it("panel stop leaves nothing behind", async () => {
    pids = [...new Set([...pids, ...emitPids, ...ws.trackTree(await ws.status())])];
    await ws.stopLeavingNothing(pids);
  });
});

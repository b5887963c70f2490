/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 8. kill -9 the panel at random moments during a stream of `qc` flips under load (issue 20): a
 *    flip answers once its source switched and its commit is written, not fsynced, so a crash
 *    can fall between the Switch and the commit. Round after round, on one workspace: flips of
 *    events-to-log between logger and logger2 as fast as the panel takes them, emit.py streaming,
 *    a SIGKILL after a random while, `rtt panel start`. After each start the WAL's committed
 *    target is the one the events flow to (the drivers' wiring, adopted where the WAL lost the
 *    flip), and `rtt audit --verify` passes; at the end every seq reached exactly one logger.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { PanelConnection } from "@rtt/panel";
import { replayRecords } from "../../packages/panel/src/wal/replay.ts";
import { readWal } from "../../packages/panel/src/wal/segments.ts";
import { LOGGER_REF, LOGGER2_REF } from "../support/quickstart.ts";
import {
  cleanup,
  EVENTS_ROUTE,
  processes,
  scanAndApply,
  type Workspace,
} from "../support/quickstart-workspace.ts";
import { assertEachSeqOnce, flipWorkspace, waitForGrowth } from "./stream.ts";

after(cleanup);

const ROUNDS = Number(process.env.RTT_QC_CRASH_ROUNDS ?? 30);
/** The kill comes this long (uniformly at random) after the flips began. */
const KILL_AFTER_MS: readonly [number, number] = [20, 1500];
const LOGS: Record<string, string> = {
  [LOGGER_REF]: "logs/events.ndjson",
  [LOGGER2_REF]: "logs/events2.ndjson",
};

/** The committed target of the events route, by reference (LOGGER_REF or LOGGER2_REF). */
function committedTarget(ws: Workspace): string {
  const post = replayRecords(readWal(ws.path(".rtt", "wal")).records).committed?.post as
    | { edges?: Record<string, { to: { saddr: string } }> }
    | undefined;
  const saddr = post?.edges?.[EVENTS_ROUTE]?.to.saddr ?? "";
  const ref = [LOGGER2_REF, LOGGER_REF].find((r) => saddr.startsWith(`${r}@`));
  assert.ok(ref !== undefined, `the WAL commits ${EVENTS_ROUTE} to ${saddr || "nothing"}`);
  return ref;
}

/** The links the WAL's last commit names for the events route. */
function committedLinks(ws: Workspace): unknown {
  const post = replayRecords(readWal(ws.path(".rtt", "wal")).records).committed?.post as
    | { links?: Record<string, unknown> }
    | undefined;
  return post?.links?.[EVENTS_ROUTE];
}

/**
 * Between two flips, so the target a flip leaves is drained and armed as the way back's warm
 * spare before the next flip may take it (bench:control waits 300 ms for the same reason).
 */
const FLIP_GAP_MS: readonly [number, number] = [150, 400];

/** Flips the events route back and forth until the panel dies; how many answered. */
async function flipUntilGone(listen: string, stop: AbortSignal): Promise<number> {
  const conn = new PanelConnection(listen);
  let answered = 0;
  try {
    for (let i = 0; !stop.aborted; i++) {
      try {
        await conn.quickConnect(EVENTS_ROUTE, i % 2 === 0 ? LOGGER2_REF : LOGGER_REF, "qc-crash");
        answered++;
        const [lo, hi] = FLIP_GAP_MS;
        await sleep(lo + Math.random() * (hi - lo));
      } catch {
        // The panel died under the call (or refused a flip racing its own failover): next.
        await sleep(5);
      }
    }
  } finally {
    conn.close();
  }
  return answered;
}

describe("8. kill -9 the panel during a stream of qc flips", { timeout: 1_200_000 }, () => {
  const ws = flipWorkspace();

  it(`${ROUNDS} rounds: the WAL commits what the drivers do, the audit verifies, no message is lost or doubled`, async (t) => {
    await scanAndApply(ws);
    await waitForGrowth(ws, "the stream to reach the logger", 200);
    const listen = `unix://${ws.path(".rtt", "sockets", "panel.sock")}`;
    let pid = (await ws.status()).pid;
    let flips = 0;
    let adopted = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const began = performance.now();
      processes.track([pid]);
      const stop = new AbortController();
      const flipping = flipUntilGone(listen, stop.signal);
      const [lo, hi] = KILL_AFTER_MS;
      const killAfter = Math.round(lo + Math.random() * (hi - lo));
      await sleep(killAfter);
      const killed = pid;
      process.kill(killed, "SIGKILL");
      await eventually(() => !isAlive(killed), ws.wait(`the panel (pid ${killed}) to die`));
      stop.abort();
      const answered = await flipping;
      flips += answered;

      const logBefore = ws.panelLog().length;
      pid = (JSON.parse((await ws.ok(["panel", "start", "--json"])).stdout) as { pid: number }).pid;
      const adopts = /adopted route events-to-log/.test(ws.panelLog().slice(logBefore));
      if (adopts) adopted++;
      // The WAL's committed target is where the events flow; the other logger gets nothing.
      const target = committedTarget(ws);
      t.diagnostic(
        `round ${round}: ${answered} flip(s), the kill ${killAfter} ms in; committed ${target}${adopts ? " (adopted from the drivers)" : ""}`,
      );
      const other = target === LOGGER_REF ? LOGGER2_REF : LOGGER_REF;
      const otherLog = LOGS[other] ?? "";
      await waitForGrowth(
        ws,
        `round ${round}: events at the committed target`,
        50,
        LOGS[target],
      ).catch(async (error: unknown) => {
        const routes = await ws.rtt(["ls", "routes", "--json"]);
        throw new Error(
          `${String(error)}\nthe WAL commits ${JSON.stringify(committedLinks(ws))}\nrtt ls routes: ${routes.stdout}`,
        );
      });
      const otherAt = ws.count(otherLog);
      await waitForGrowth(
        ws,
        `round ${round}: more events at the committed target`,
        50,
        LOGS[target],
      );
      assert.equal(
        ws.count(otherLog),
        otherAt,
        `round ${round}: the WAL commits ${target}, but ${other} still gets events\n${ws.tail(60)}`,
      );
      // The panel's own view of the wiring agrees.
      const conn = new PanelConnection(listen);
      const live = await conn.wired().finally(() => conn.close());
      const to = live.topology.edges[EVENTS_ROUTE]?.to.saddr ?? "";
      assert.ok(to.startsWith(`${target}@`), `round ${round}: the panel says it wired ${to}`);
      const verify = await ws.rtt(["audit", "--verify"]);
      assert.equal(
        verify.code,
        0,
        `round ${round}: rtt audit --verify\n${verify.stdout}${verify.stderr}`,
      );
      t.diagnostic(`round ${round} checked in ${Math.round(performance.now() - began)} ms`);
    }
    t.diagnostic(
      `${flips} flips answered over ${ROUNDS} kills; ${adopted} start(s) adopted the drivers' target`,
    );

    // Every seq the loggers have, across both, came once; none below the newest is missing.
    assertEachSeqOnce(t, ws, Object.values(LOGS));
    await ws.ok(["panel", "stop"]);
  });
});

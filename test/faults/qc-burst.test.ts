/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 9. back-to-back `qc` flips of one route (no gap between them) under a stream: a flip back to a
 *    target whose link is still draining from the flip before opens a newer link of it, and the
 *    process driver hands that end's program to the newer link. The older one, once drained,
 *    runs no program: kept as a warm spare, a later flip switched the stream onto it (no event
 *    reached a logger again), and keeping it closed the newer one as the spare it displaced (the
 *    logger exited). After each burst the stream reaches the target the last flip chose, and at
 *    the end every seq reached exactly one of the two loggers.
 */
import { after, it } from "node:test";
import { PanelConnection } from "@rtt/panel";
import { LOGGER_REF, LOGGER2_REF } from "../support/quickstart.ts";
import { cleanup, EVENTS_ROUTE, scanAndApply } from "../support/quickstart-workspace.ts";
import { assertEachSeqOnce, flipWorkspace, waitForGrowth } from "./stream.ts";

after(cleanup);

const BURSTS = 4;
/** Flips per burst: even, so each burst ends on logger (the first flip goes to logger2). */
const FLIPS = 10;
const LOGS = ["logs/events.ndjson", "logs/events2.ndjson"];

it("9. back-to-back qc flips: the stream reaches the last flip's target, each event once", {
  timeout: 120_000,
}, async (t) => {
  const ws = flipWorkspace();
  await scanAndApply(ws);
  await waitForGrowth(ws, "the stream to reach the logger", 200);
  const conn = new PanelConnection(`unix://${ws.path(".rtt", "sockets", "panel.sock")}`);
  try {
    for (let burst = 1; burst <= BURSTS; burst++) {
      let warm = 0;
      for (let i = 0; i < FLIPS; i++) {
        const to = i % 2 === 0 ? LOGGER2_REF : LOGGER_REF;
        if ((await conn.quickConnect(EVENTS_ROUTE, to, "qc-burst")).warm) warm++;
      }
      t.diagnostic(`burst ${burst}: ${FLIPS} flips, ${warm} onto a warm spare`);
      await waitForGrowth(ws, `burst ${burst}: events at logger after the flips`, 200, LOGS[0]);
    }
  } finally {
    conn.close();
  }
  // Stopped first: what the retired targets still held has reached them.
  await ws.ok(["panel", "stop"]);
  assertEachSeqOnce(t, ws, LOGS);
});

/**
 * Holding a one-way route through the real binary, on a temp copy of the quickstart with only
 * its event route and no failover list: emit.py streams N events, one every 2 ms. `rtt trip`
 * opens the route's breaker; with nowhere to fail over to and no degrade mode for a stream, the
 * panel parks the route's source — the logger gets nothing more while the breaker is open, and
 * the events wait at the source under the route's QoS (`drop: buffer`: queued, then emit.py is
 * paused on its pipe). `rtt heal` resumes the route on a fresh lane of the same logger — its
 * half-open trial bounded to the breaker's probe budget until the breaker closes — and all N
 * events arrive: none lost, none duplicated, in order. Audited as degrade (parked) and
 * restore. Only the order of what follows each command is asserted, never how long it took.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { readNdjson } from "./helpers.ts";

/** emit.py's events: at 2 ms apart the stream lasts long enough to be held mid-way. */
const N = 3000;
const { ws, use } = quickstartSuite();

const seqs = (): number[] =>
  readNdjson<{ record: { seq: number } }>(ws().path("logs", "events.ndjson")).map(
    (l) => l.record.seq,
  );

describe("holding a one-way route whose breaker is open", () => {
  it("trip parks the source (nothing reaches the logger), heal resumes it: every event once, in order", async () => {
    use({
      emit: { count: N, intervalMs: 2 },
      routes: ["events-to-log"],
      // No failover list: an open breaker has nowhere to send the stream.
      policy: (policy) => {
        delete policy.failover;
      },
    });
    await scanAndApply(ws());
    await eventually(() => seqs().length > 100, ws().wait("events at the logger"));

    const trip = await ws().rtt(["trip", "route/events-to-log", "--why", "e2e hold", "--json"]);
    assert.equal(trip.code, 0, trip.stderr);
    await eventually(
      () => /events-to-log: held/.test(ws().panelLog()),
      ws().wait("the route held"),
    );
    const live = await ws().wiredRoute("events-to-log");
    assert.deepEqual({ held: live?.held, breaker: live?.breaker }, { held: true, breaker: "open" });
    // What was on the lane before its EOS lands; after that the logger gets nothing.
    await sleep(500);
    const held = seqs().length;
    await sleep(1000);
    assert.equal(seqs().length, held, "a held route delivers nothing");
    assert.ok(held < N, `the stream was not over when the route was held (${held} of ${N})`);

    const heal = await ws().rtt(["heal", "route/events-to-log", "--json"]);
    assert.equal(heal.code, 0, heal.stderr);
    await eventually(
      () => /events-to-log: resumed on/.test(ws().panelLog()),
      ws().wait("the route resumed"),
    );
    // Half-open: a bounded sample reaches the logger until the breaker closes.
    await eventually(
      () =>
        /events-to-log: half-open trial: at most \d+ messages every \d+ ms[\s\S]*events-to-log: trial over/.test(
          ws().panelLog(),
        ),
      ws().wait("the half-open trial, then its end"),
    );
    await eventually(() => seqs().length >= N, ws().wait(`all ${N} events`));
    await sleep(300); // nothing more (no duplicates) arrives
    assert.deepEqual(
      seqs(),
      Array.from({ length: N }, (_, i) => i + 1),
      "every event once, in order, across the hold",
    );

    const audit = await ws().rtt(["audit", "--route", "events-to-log", "--json"]);
    assert.equal(audit.code, 0, audit.stderr);
    const actions = audit.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { action: string }).action);
    const after = (action: string, from: number) => actions.indexOf(action, from);
    const tripAt = after("trip", 0);
    const parkAt = after("degrade", tripAt);
    const healAt = after("heal", parkAt);
    assert.ok(
      tripAt >= 0 && parkAt > tripAt && healAt > parkAt && after("restore", healAt) > healAt,
      `audit order: ${actions.join(", ")}`,
    );
  });
});

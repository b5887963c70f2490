/**
 * `rtt trip` then `rtt heal` on the quickstart's event route, as shipped (its failover list names
 * only the logger, so the trip parks the source): the heal's fresh link of the logger is opened
 * by the very driver whose parked link still holds the logger's state directory. That driver
 * must hand the logger over from its own earlier link — not take itself for another live owner
 * and start a second logger beside it — and the flow goes on to the same program: the route's
 * counts rise again after the heal, and the logger's file gets the events that follow.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { readNdjson } from "./helpers.ts";

/** Enough events, 2 ms apart, that the stream outlasts the trip and the heal. */
const N = 8000;
const { ws, use } = quickstartSuite();

/** The logger the route's target end runs, as its state directory's program record says. */
function loggerPid(): number {
  const routeDir = ws().path(".rtt", "run", "routes", "events-to-log");
  const end = readdirSync(routeDir).find((name) => name.startsWith("target-"));
  assert.ok(end !== undefined, `no target end in ${routeDir}`);
  const record = JSON.parse(readFileSync(join(routeDir, end, "program.json"), "utf8")) as {
    pid: number;
  };
  return record.pid;
}

const seqs = (): number[] =>
  readNdjson<{ record: { seq: number } }>(ws().path("logs", "events.ndjson")).map(
    (l) => l.record.seq,
  );

describe("trip and heal of the quickstart's event route", () => {
  it("the healed route's logger is the same program, and the events flow on to it", async () => {
    use({ emit: { count: N, intervalMs: 2 }, routes: ["events-to-log"] });
    await scanAndApply(ws());
    await eventually(() => seqs().length > 100, ws().wait("events at the logger"));
    const logger = loggerPid();

    await ws().ok(["trip", "route/events-to-log", "--why", "e2e trip-heal"]);
    await eventually(
      () => /events-to-log: held/.test(ws().panelLog()),
      ws().wait("the route held"),
    );
    await ws().ok(["heal", "route/events-to-log"]);
    await eventually(
      () => /events-to-log: resumed on/.test(ws().panelLog()),
      ws().wait("the route resumed"),
    );
    const healed = await ws().wiredRoute("events-to-log");
    assert.ok(healed !== undefined, "still wired");
    const atHeal = { out: healed.from_link.frames_out, in: healed.to_link.frames_in };
    const loggedAtHeal = seqs().length;

    // The counts rise on both ends of the healed route, and the logger's file grows.
    let last = "";
    await eventually(
      async () => {
        const now = await ws().wiredRoute("events-to-log");
        last = JSON.stringify({ atHeal, from: now?.from_link, to: now?.to_link });
        return (
          now !== undefined &&
          now.from_link.frames_out > atHeal.out &&
          now.to_link.frames_in > atHeal.in &&
          now.to_link.frames_in > 0
        );
      },
      {
        ...ws().wait("the healed route's counts rising at both ends"),
        timeoutMs: 20_000,
        detail: () => last,
      },
    );
    await eventually(() => seqs().length > loggedAtHeal, ws().wait("events after the heal"));
    await eventually(() => seqs().length >= N, ws().wait(`all ${N} events`));
    assert.deepEqual(
      seqs(),
      Array.from({ length: N }, (_, i) => i + 1),
      "every event once, in order, across trip and heal",
    );

    const log = ws().panelLog();
    assert.doesNotMatch(log, /belongs to a live driver/, "no link took its own driver for another");
    assert.match(log, new RegExp(`handed over to another link \\(pid ${logger}\\)`));
    assert.match(
      log,
      new RegExp(`adopted the running program \\(pid ${logger}\\)`),
      "the heal's link took over the very logger the route had",
    );
    assert.equal(loggerPid(), logger, "the end's program record names it still");
  });
});

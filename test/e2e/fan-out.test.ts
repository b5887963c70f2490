/**
 * Fan-out (ADR 0025) through the real binary and real processes: a temp copy of the quickstart
 * whose event bus is wired into three routes — the logger, a second logger, and a consumer that
 * sleeps 10 ms per line — on a taildrop route. The bus program runs once (counted by argv in
 * /proc); both loggers get every event; the slow route drops what its full lane cannot take,
 * and `rtt ls routes --json` counts it (sent + drops = emitted) and says the source is shared.
 * The source waits for a `go` file, so all three routes are wired before its first event. A trip
 * holds one route (its taildrop share dropped), heal and qc move it alone.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { afterEach, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { BURST_BUS, loggedSeqs, oneToN, useBurstBus } from "../support/burst-bus.ts";
import { countCompleteLines } from "../support/files.ts";
import { programsUnder } from "../support/panel-processes.ts";
import { quickstartSuite, scanAndApply, type WiredRoute } from "../support/quickstart-workspace.ts";

const { ws, use } = quickstartSuite(afterEach);

/** Events the source writes: big enough that the slow route's lane and pipes fill up. */
const N = 12_000;
const PAD = 1500;

/** A consumer `rtt://obs/extension/<name>` like the logger, running `run` in services/<name>. */
function consumer(name: string, run: readonly string[]): void {
  const w = ws();
  mkdirSync(w.path("services", name));
  const manifest = JSON.parse(w.read("services/logger/rtt.manifest.json")) as {
    symbol: Record<string, unknown>;
  };
  manifest.symbol.saddr = `rtt://obs/extension/${name}@1.0.0#ndjson`;
  manifest.symbol["x-run"] = run;
  writeFileSync(w.path("services", name, "rtt.manifest.json"), JSON.stringify(manifest));
}

/**
 * The quickstart's bus (burst.py writing `count` events) wired to the logger, logger2 and a third
 * consumer, `slow`, running `thirdRun`; every route taildrop at a rate nothing here reaches.
 */
function setUp(count: number, pad: number, thirdRun: readonly string[]): void {
  use({
    routes: ["events-to-log"],
    policy: (policy) => {
      // A rate nothing here reaches: only a full lane refuses, on the slow route.
      policy.qos = [
        { match: "rtt://core/bus/*", prio: 0, rate: 1e7, burst: 1e7, drop: "taildrop" },
      ];
      policy.failover = [];
    },
  });
  const w = ws();
  useBurstBus(w, count, pad);
  consumer("slow", thirdRun);
  // Nobody's target: where a qc moves the third route.
  consumer("spare", ["node", "../logger/logger.mjs", "../../logs/spare.ndjson"]);
  w.editJson<{ routes: Record<string, string>[] }>(".rtt/routes.json", (file) => {
    file.routes.push(
      {
        id: "events-to-log2",
        from: "rtt://core/bus/events",
        to: "rtt://obs/extension/logger2#ndjson",
      },
      {
        id: "events-to-slow",
        from: "rtt://core/bus/events",
        to: "rtt://obs/extension/slow#ndjson",
      },
    );
  });
}

describe("fan-out: one bus, three routes, one program", () => {
  it("runs the bus once; the loggers get every event; the slow taildrop route drops alone", async (t) => {
    setUp(N, PAD, [
      "sh",
      "-c",
      'while read l; do sleep 0.01; echo "$l" >> ../../logs/slow.ndjson; done',
    ]);
    const w = ws();
    await scanAndApply(w);
    const status = await w.status();
    assert.equal(status.routes, 3, "three routes wired");
    const sources = programsUnder(w.driverPid(status, "process"), BURST_BUS);
    assert.equal(sources.length, 1, `one bus program for three routes: ${sources.join(", ")}`);

    w.write("logs/go", "");
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      await eventually(
        () => countCompleteLines(w.path(file)) >= N,
        w.wait(`${N} events in ${file}`),
      );
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      assert.deepEqual(loggedSeqs(ws(), file), oneToN(N), `${file}: every event once`);

    const slow = await eventually(async () => {
      const live = await w.wiredRoute("events-to-slow");
      const l = live?.from_link;
      return l !== undefined && l.frames_out + l.drops === N ? l : undefined;
    }, w.wait("the slow route to account for every event"));
    assert.ok(slow.drops > 0, "the slow consumer's route dropped");
    assert.equal(slow.shared, 3, "ls routes says three routes share it");
    for (const id of ["events-to-log", "events-to-log2"]) {
      const live = await w.wiredRoute(id);
      assert.equal(live?.shared_source, true, `${id} shows its shared source`);
      assert.equal(live?.from_link.drops, 0, `${id} dropped nothing`);
      assert.equal(live?.from_link.frames_out, N, `${id} sent every event`);
    }
    const table = (await w.ok(["ls", "routes"])).stdout;
    assert.match(table, /events-to-slow \(source shared by 3 routes\)/);
    const [tapped] = await w.tap("events-to-slow", 1);
    assert.equal(tapped?.from_link.shared, 3, "rtt tap shows the shared source");
    assert.equal(
      programsUnder(w.driverPid(status, "process"), BURST_BUS).length,
      1,
      "still one bus program",
    );
    t.diagnostic(`slow route: ${slow.frames_out} sent, ${slow.drops} dropped`);
    await w.stopLeavingNothing(w.trackTree(status));
  });

  it("trip, heal and qc act on one route of the fan-out; the others get every event", async () => {
    const n = 3000;
    // The third consumer is one more logger: only the trip keeps events from it.
    setUp(n, 0, ["node", "../logger/logger.mjs", "../../logs/third.ndjson"]);
    const w = ws();
    await scanAndApply(w);
    const trip = await w.rtt(["trip", "route/events-to-slow", "--why", "e2e fan-out", "--json"]);
    assert.equal(trip.code, 0, trip.stderr);
    await eventually(() => /events-to-slow: held/.test(w.panelLog()), w.wait("the route held"));

    w.write("logs/go", "");
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      await eventually(
        () => countCompleteLines(w.path(file)) >= n,
        w.wait(`${n} events in ${file}`),
      );
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      assert.deepEqual(
        loggedSeqs(ws(), file),
        oneToN(n),
        `${file}: every event once, the hold aside`,
      );
    const held = await eventually(async () => {
      const live = await w.wiredRoute("events-to-slow");
      return live?.held === true && live.from_link.drops > 0 ? live : undefined;
    }, w.wait("the held taildrop route to drop its share"));
    assert.equal(held.breaker, "open");
    for (const id of ["events-to-log", "events-to-log2"]) {
      const live = await w.wiredRoute(id);
      assert.deepEqual(
        { held: live?.held, breaker: live?.breaker },
        { held: false, breaker: "closed" },
      );
    }

    const heal = await w.rtt(["heal", "route/events-to-slow", "--json"]);
    assert.equal(heal.code, 0, heal.stderr);
    const healed = await eventually(async () => {
      const l = (await w.wiredRoute("events-to-slow"))?.from_link;
      return l !== undefined && l.frames_out > 0 && l.frames_out + l.drops === n ? l : undefined;
    }, w.wait("the healed route to send what it kept"));
    await eventually(
      () => countCompleteLines(w.path("logs/third.ndjson")) >= healed.frames_out,
      w.wait("what the healed route kept at its logger"),
    );
    const third = loggedSeqs(ws(), "logs/third.ndjson");
    assert.ok(
      third.every((seq, i) => i === 0 || seq > (third[i - 1] ?? 0)),
      "the healed route's events in order",
    );

    // A qc moves that route alone: its siblings keep their links, the bus stays one program.
    const before = await w.routes();
    const qc = await w.rtt(["qc", "events-to-slow -> rtt://obs/extension/spare", "--json"]);
    assert.equal(qc.code, 0, qc.stderr);
    const moved = await w.wiredRoute("events-to-slow");
    assert.equal(moved?.to, "rtt://obs/extension/spare@1.0.0#ndjson");
    assert.equal(moved?.from_link.link, held.from_link.link, "the same source link, switched");
    for (const id of ["events-to-log", "events-to-log2"]) {
      const was = before.find((r) => r.id === id)?.live as WiredRoute | undefined;
      const now = await w.wiredRoute(id);
      assert.deepEqual(
        [now?.from_link.link, now?.to_link.link],
        [was?.from_link.link, was?.to_link.link],
        `${id} untouched by the qc`,
      );
      assert.equal(now?.from_link.shared, 3);
    }
    assert.equal(
      programsUnder(w.driverPid(await w.status(), "process"), BURST_BUS).length,
      1,
      "one bus program throughout",
    );
  });
});

/**
 * Fan-out of journaled routes (ADR 0025, "journal tee") through the real binary and real
 * processes: a temp copy of the quickstart whose event bus feeds the logger and a second logger,
 * both routes `drop: buffer` (so each has a journal, ADR 0016). The bus program runs once
 * (counted by argv in /proc), in a state folder of its own under `.rtt/run/sources/`; both
 * loggers get every event exactly once, in order; a stopped logger pauses the source for both
 * routes, its journal at the route's bound, and once it goes on both get everything.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { readDeliveredMark } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { BURST_BUS, loggedSeqs, oneToN, useBurstBus } from "../support/burst-bus.ts";
import { countCompleteLines } from "../support/files.ts";
import { programsUnder } from "../support/panel-processes.ts";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";

const { ws, use } = quickstartSuite(afterEach);

const N = 3000;
/** The routes' `buffer`: the most messages in flight on each, all in its journal. */
const BUFFER = 64;

/** Whole messages a route's journal holds past its delivered mark: what is in flight. */
function inFlight(route: string): number {
  const dir = ws().path(".rtt", "run", "routes", route);
  const segments = readdirSync(dir)
    .filter((f) => /^seg-\d{16}$/.test(f))
    .sort();
  const first = Number((segments[0] ?? "seg-0").slice(4));
  const bytes = Buffer.concat(segments.map((s) => readFileSync(join(dir, s))));
  const rest = bytes.subarray(Math.max(0, readDeliveredMark(dir) - first));
  return rest.filter((b) => b === 0x0a).length;
}

function setUp(): void {
  use({
    routes: ["events-to-log"],
    policy: (policy) => {
      policy.qos = [
        {
          match: "rtt://core/bus/*",
          prio: 0,
          rate: 1e7,
          burst: 1e7,
          drop: "buffer",
          buffer: BUFFER,
        },
      ];
      policy.failover = [];
    },
  });
  const w = ws();
  useBurstBus(w, N, 1000);
  w.editJson<{ routes: Record<string, string>[] }>(".rtt/routes.json", (file) => {
    file.routes.push({
      id: "events-to-log2",
      from: "rtt://core/bus/events",
      to: "rtt://obs/extension/logger2#ndjson",
    });
  });
}

describe("fan-out of journaled (drop: buffer) routes", () => {
  it("runs the bus once, in its own state folder; both loggers get every event once, in order", async () => {
    setUp();
    const w = ws();
    await scanAndApply(w);
    const status = await w.status();
    assert.equal(status.routes, 2, "two routes wired");
    const driver = w.driverPid(status, "process");
    const sources = programsUnder(driver, BURST_BUS);
    assert.equal(sources.length, 1, `one bus program for two routes: ${sources.join(", ")}`);

    // The program lives by its source, not by a route: deleting either route cannot end it.
    const run = w.path(".rtt", "run");
    const folders = readdirSync(join(run, "sources"));
    assert.equal(folders.length, 1, `one shared program folder: ${folders.join(", ")}`);
    assert.equal(statSync(join(run, "sources", folders[0] as string)).mode & 0o777, 0o700);
    for (const route of ["events-to-log", "events-to-log2"])
      assert.deepEqual(
        readdirSync(join(run, "routes", route)).filter((f) => f.startsWith("source-")),
        [],
        `${route}: no program of its own`,
      );

    w.write("logs/go", "");
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      await eventually(
        () => countCompleteLines(w.path(file)) >= N,
        w.wait(`${N} events in ${file}`),
      );
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      assert.deepEqual(loggedSeqs(ws(), file), oneToN(N), `${file}: every event once, in order`);
    for (const id of ["events-to-log", "events-to-log2"]) {
      // The counters are the panel's last health sample, which may predate the last events.
      const live = await eventually(
        async () => {
          const l = await w.wiredRoute(id);
          return (l?.from_link.frames_out ?? 0) >= N ? l : undefined;
        },
        w.wait(`a health sample of ${id} that counted every event`),
      );
      assert.equal(live.from_link.shared, 2, `${id} shows its shared source`);
      assert.equal(live.from_link.frames_out, N, `${id} sent every event`);
    }
    assert.deepEqual(programsUnder(driver, BURST_BUS), sources, "the same bus program throughout");

    // Deleting one of its routes leaves the program to the other.
    const tracked = w.trackTree(status);
    w.editJson<{ routes: { id: string }[] }>(".rtt/routes.json", (file) => {
      file.routes = file.routes.filter((r) => r.id !== "events-to-log2");
    });
    await scanAndApply(w);
    assert.equal((await w.status()).routes, 1);
    assert.deepEqual(
      programsUnder(driver, BURST_BUS),
      sources,
      "the bus runs on for the other route",
    );
    const left = await eventually(async () => {
      const live = await w.wiredRoute("events-to-log");
      return live?.from_link.shared === 1 ? live : undefined;
    }, w.wait("the remaining route to be alone on the bus"));
    assert.equal(left.from_link.frames_out, N);
    await w.stopLeavingNothing(tracked);
  });

  it("a stopped logger pauses the source for both routes, its journal at the bound", async () => {
    setUp();
    const w = ws();
    await scanAndApply(w);
    const status = await w.status();
    const driver = w.driverPid(status, "process");
    const logger2 = programsUnder(driver, /^node \.\.\/logger\/logger\.mjs .*events2/);
    assert.ok(logger2.length > 0, "logger2 runs");
    for (const pid of logger2) process.kill(pid, "SIGSTOP");
    try {
      w.write("logs/go", "");
      await eventually(
        () => inFlight("events-to-log2") >= BUFFER,
        w.wait("logger2's route journal to reach its bound"),
      );
      // The source is paused: the first logger stops well short of the end, and stays there.
      const settled = await eventually(async () => {
        const a = countCompleteLines(w.path("logs/events.ndjson"));
        await new Promise((r) => setTimeout(r, 300));
        return countCompleteLines(w.path("logs/events.ndjson")) === a ? a : undefined;
      }, w.wait("the first logger to stop growing"));
      assert.ok(settled < N / 2, `the first logger got ${settled} of ${N} while logger2 stood`);
      for (const route of ["events-to-log", "events-to-log2"])
        assert.ok(inFlight(route) < N / 2, `${route}: journal bounded (${inFlight(route)})`);
    } finally {
      for (const pid of logger2) process.kill(pid, "SIGCONT");
    }
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      await eventually(
        () => countCompleteLines(w.path(file)) >= N,
        w.wait(`${N} events in ${file}`),
      );
    for (const file of ["logs/events.ndjson", "logs/events2.ndjson"])
      assert.deepEqual(loggedSeqs(ws(), file), oneToN(N), `${file}: every event once, in order`);
    assert.equal(programsUnder(driver, BURST_BUS).length, 1);
  });
});

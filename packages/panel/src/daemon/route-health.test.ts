import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHealthExpr } from "@rtt/core";
import fc from "fast-check";
import { breakerConfig } from "../health/breaker.ts";
import { linkSample, wiredOneWay } from "./route-fixtures.ts";
import { RouteHealth } from "./route-health.ts";

const route = wiredOneWay();

/** Ten health rounds against samples taken at `takenAt(round)`; the breaker's transitions. */
async function tenRounds(takenAt: (round: number) => number): Promise<string[]> {
  let round = 0;
  let now = 1_800_000_000_000;
  const transitions: string[] = [];
  const health = new RouteHealth({
    intervalMs: 250,
    routes: () => [route],
    sample: () => Promise.resolve(linkSample(false, takenAt(round))),
    configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 60_000 } }),
    onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
    now: () => now,
    random: () => 0,
  });
  for (round = 0; round < 10; round++) {
    now += 250;
    await health.tick();
  }
  return transitions;
}

describe("route health", () => {
  it("a route's throughput is what its target took: a sink's frames in, not its frames out", async () => {
    let now = 1_800_000_000_000;
    let round = 0;
    const health = new RouteHealth({
      intervalMs: 1000,
      routes: () => [route],
      // The source writes 500 a second, the target (a sink) reads them and writes nothing.
      sample: (_driver, link) =>
        Promise.resolve({
          ...linkSample(true, now),
          ...(link === route.from.link
            ? { frames_out: 500 * round }
            : { frames_in: 500 * round, frames_out: 0 }),
        }),
      configFor: () => breakerConfig({}),
      onTransition: () => {},
      now: () => now,
    });
    for (round = 0; round < 4; round++) {
      now += 1000;
      await health.tick();
    }
    assert.equal(health.view(route.edge.route)?.stats.throughput, 500);
  });

  it("a sample served again (same time taken) is one observation: ten rounds of it do not trip", async () => {
    assert.deepEqual(await tenRounds(() => 1_800_000_000_001), []);
  });

  it("a target's counted errors feed the error rate, and trip at the threshold though ok", async () => {
    let now = 1_800_000_000_000;
    let round = 0;
    const transitions: string[] = [];
    // An ok target that failed 2 of its 10 messages a round (cumulative counters).
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: (_driver, link) =>
        Promise.resolve(
          link === route.to.link
            ? { ...linkSample(true, now, 2 * round), frames_in: 10 * round }
            : linkSample(true, now),
        ),
      configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 60_000 } }),
      onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
      now: () => now,
      random: () => 0,
    });
    // Round 0 is the baseline; rounds 1 and 2 bring 4 errors: not yet the threshold.
    for (round = 0; round < 3; round++) {
      now += 250;
      await health.tick();
    }
    assert.deepEqual(transitions, []);
    const stats = health.view(route.edge.route)?.stats;
    assert.equal(stats?.errors, 4);
    assert.equal(stats?.err_rate, 0.2);
    round = 3;
    now += 250;
    await health.tick();
    assert.deepEqual(transitions, ["closed→open"]);
    assert.match(
      health.view(route.edge.route)?.breaker.reason ?? "",
      /5 errors .*2 failed messages/,
    );
  });

  it("the window's errors are the counters' rises after the first sample, restarts included", async () => {
    // Each round the target's counter rises by `step`, or restarts from `step` (a new driver),
    // which shows only when the counter went down: a restart past the old value reads as a rise.
    const round = fc.record({ step: fc.nat(20), restart: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 30 }), async (rounds) => {
        let now = 1_800_000_000_000;
        let counter = 7;
        const health = new RouteHealth({
          intervalMs: 250,
          routes: () => [route],
          sample: (_driver, link) =>
            Promise.resolve(linkSample(true, now, link === route.to.link ? counter : 0)),
          configFor: () => breakerConfig({ trip_threshold: { errors: 1000, window_ms: 60_000 } }),
          onTransition: () => {},
          now: () => now,
        });
        now += 250;
        await health.tick(); // the baseline
        let expected = 0;
        for (const { step, restart } of rounds) {
          counter = restart && step < counter ? step : counter + step;
          expected += step;
          now += 250;
          await health.tick();
        }
        assert.equal(health.view(route.edge.route)?.stats.errors, expected);
      }),
      { numRuns: 50 },
    );
  });

  it("a driver's errors from before the panel watched are a baseline, not a trip", async () => {
    let now = 1_800_000_000_000;
    const transitions: string[] = [];
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(linkSample(true, now, 1000)),
      configFor: () => breakerConfig({}),
      onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
      now: () => now,
    });
    for (let i = 0; i < 3; i++) {
      now += 250;
      await health.tick();
    }
    assert.deepEqual(transitions, []);
    assert.equal(health.view(route.edge.route)?.stats.errors, 0);
  });

  it("a half-open trial is judged on its own samples, not the slow window that tripped it", async () => {
    let now = 1_800_000_000_000;
    let lagMs = 60;
    const transitions: string[] = [];
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve({ ...linkSample(true, now), lag_ms: lagMs }),
      configFor: () => breakerConfig({}, parseHealthExpr("p95<50ms")),
      onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
      now: () => now,
      random: () => 0,
    });
    for (let i = 0; i < 3; i++) {
      now += 250;
      await health.tick();
    }
    assert.deepEqual(transitions, ["closed→open"], "three slow samples in a row trip it");
    // The route is fast again; the backoff ends and the trial begins on the next round.
    lagMs = 1;
    for (let i = 0; i < 10; i++) {
      now += 250;
      await health.tick();
    }
    assert.deepEqual(transitions, ["closed→open", "open→half-open", "half-open→closed"]);
  });

  it("ten fresh failing samples trip the breaker (errors 5 in the window)", async () => {
    const transitions = await tenRounds((r) => 1_800_000_000_001 + r);
    assert.equal(transitions[0], "closed→open", transitions.join(", "));
  });
});

describe("manual trip and heal", () => {
  it("each transition one causes goes out with who asked: a due backoff's half-open too", async () => {
    let now = 1_800_000_000_000;
    let taken = 0;
    const seen: string[] = [];
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(linkSample(false, 1_800_000_000_000 + ++taken)),
      configFor: () => breakerConfig({ trip_threshold: { errors: 2, window_ms: 60_000 } }),
      onTransition: (_r, t, actor) =>
        seen.push(`${t.from}→${t.to} ${actor === undefined ? "-" : `${actor.who}/${actor.why}`}`),
      now: () => now,
      random: () => 0,
    });
    await health.tick();
    await health.tick();
    now += 60_000; // the open breaker's backoff has ended: the trip half-opens it first
    const state = health.trip(route.edge.route, { who: "ann", why: "rtt trip" }, "maintenance");
    health.heal(route.edge.route, { who: "bob", why: "fixed" });
    assert.deepEqual(seen, [
      "closed→open -",
      "open→half-open ann/rtt trip",
      "half-open→open ann/rtt trip",
      "open→half-open bob/fixed",
    ]);
    assert.equal(state.reason, "manual trip by ann: maintenance");
  });
});

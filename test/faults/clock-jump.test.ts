/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 5. A wall-clock jump (unit level, RouteHealth): with an injected clock, what a jump does to
 * the breakers and their backoff; with the daemon's own clock, a Date.now jump does nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linkSample, wiredOneWay } from "../../packages/panel/src/daemon/route-fixtures.ts";
import { RouteHealth } from "../../packages/panel/src/daemon/route-health.ts";
import { breakerConfig } from "../../packages/panel/src/health/breaker.ts";

describe("5. wall-clock jumps and the health loop (RouteHealth with an injected clock)", () => {
  const route = wiredOneWay();

  /** A RouteHealth whose wall clock the test moves; `up` decides the samples. */
  function harness(start = 1_800_000_000_000) {
    const clock = { now: start, up: true };
    const transitions: string[] = [];
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(linkSample(clock.up)),
      configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 5000 } }),
      onTransition: (_r, t) => transitions.push(`${t.from}→${t.to}`),
      now: () => clock.now,
      random: () => 0,
    });
    /** One heartbeat (250 ms of real time). */
    const beat = async (jumpMs = 0) => {
      clock.now += 250 + jumpMs;
      await health.tick();
    };
    return { clock, health, transitions, beat };
  }

  it("a forward jump does not open a closed breaker (healthy, or below the error threshold)", async () => {
    const h = harness();
    for (let i = 0; i < 4; i++) await h.beat();
    await h.beat(3_600_000);
    h.clock.up = false;
    for (let i = 0; i < 4; i++) await h.beat(); // 4 errors < 5
    await h.beat(3_600_000);
    assert.deepEqual(h.transitions, [], "no transition from a jump alone");
    assert.equal(h.health.view("r")?.breaker.state, "closed");
  });

  it("a backward jump cannot hold an open breaker beyond the backoff cap (30 s)", async () => {
    const h = harness();
    h.clock.up = false;
    for (let i = 0; i < 5; i++) await h.beat();
    assert.deepEqual(h.transitions, ["closed→open"]);
    await h.beat(-86_400_000); // the clock goes back a day
    const retryAt = h.health.view("r")?.breaker.retryAt ?? 0;
    assert.ok(retryAt - h.clock.now <= 30_000, `retry ${retryAt - h.clock.now} ms ahead`);
    h.clock.up = true;
    for (let i = 0; i < 30_000 / 250 + 1; i++) await h.beat();
    assert.deepEqual(h.transitions.slice(0, 2), ["closed→open", "open→half-open"]);
  });

  it("a forward jump does not close a half-open breaker: closing needs successes, not time", async () => {
    const h = harness();
    h.clock.up = false;
    for (let i = 0; i < 5; i++) await h.beat();
    h.clock.up = true;
    await h.beat(750); // backoff (500 ms, jitter 0) over: half-open at this tick, 1 success
    assert.deepEqual(h.transitions, ["closed→open", "open→half-open"]);
    await h.beat(3_600_000);
    assert.equal(h.health.view("r")?.breaker.state, "half-open", "one jump is one success");
  });

  it("the daemon's health clock is monotonic: a wall-clock jump does not end a backoff early", async (t) => {
    // No injected clock: what the daemon runs. Trip the breaker with errors at real time, then
    // jump the wall clock (Date.now) an hour ahead: the open breaker must stay open.
    const health = new RouteHealth({
      intervalMs: 250,
      routes: () => [route],
      sample: () => Promise.resolve(linkSample(false)),
      configFor: () => breakerConfig({ trip_threshold: { errors: 5, window_ms: 5000 } }),
      onTransition: () => {},
      random: () => 0,
    });
    for (let i = 0; i < 5; i++) await health.tick();
    assert.equal(health.view("r")?.breaker.state, "open");
    const realNow = Date.now;
    t.mock.method(Date, "now", () => realNow() + 3_600_000);
    await health.tick();
    assert.equal(health.view("r")?.breaker.state, "open", "a wall-clock jump changes nothing");
  });
});

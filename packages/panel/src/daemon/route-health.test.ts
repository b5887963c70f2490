import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HealthSample } from "@rtt/connector-sdk";
import { breakerConfig } from "../health/breaker.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import { RouteHealth } from "./route-health.ts";

const route: WiredRoute = {
  edge: {
    route: "r",
    from: { saddr: "rtt://core/bus/a@1.0.0", driver: "d", contract_hash: "x" },
    to: { saddr: "rtt://obs/extension/b@1.0.0", driver: "d", contract_hash: "y" },
    lane: "uds",
    pattern: "oneway",
    prio: 0,
    params: {},
  },
  from: { driver: "d", link: "a" },
  to: { driver: "d", link: "b" },
};

const failing = (at: number): HealthSample => ({
  link_id: "l",
  ok: false,
  lag_ms: 0,
  err: "down",
  qdepth: 0,
  frames_in: 0,
  frames_out: 0,
  bytes_in: 0,
  bytes_out: 0,
  at_unix_ms: at,
  drops: 0,
  marked: 0,
  nacked: 0,
  buffered: 0,
});

/** Ten health rounds against samples taken at `takenAt(round)`; the breaker's transitions. */
async function tenRounds(takenAt: (round: number) => number): Promise<string[]> {
  let round = 0;
  let now = 1_800_000_000_000;
  const transitions: string[] = [];
  const health = new RouteHealth({
    intervalMs: 250,
    routes: () => [route],
    sample: () => Promise.resolve(failing(takenAt(round))),
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
  it("a sample served again (same time taken) is one observation: ten rounds of it do not trip", async () => {
    assert.deepEqual(await tenRounds(() => 1_800_000_000_001), []);
  });

  it("ten fresh failing samples trip the breaker (errors 5 in the window)", async () => {
    const transitions = await tenRounds((r) => 1_800_000_000_001 + r);
    assert.equal(transitions[0], "closed→open", transitions.join(", "));
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseHealthExpr, RttError } from "@rtt/core";
import fc from "fast-check";
import {
  BREAKER_STATES,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
  type BreakerTransition,
  breakerBackoff,
  breakerConfig,
  newBreaker,
  nextDeadline,
  restoreBreaker,
  stepBreaker,
} from "./breaker.ts";

const T0 = 1_700_000_000_000;
const cfg = breakerConfig(
  { heartbeat_ms: 250, trip_threshold: { errors: 5, window_ms: 5000 } },
  parseHealthExpr("p95<5ms,err<0.1%"),
);

/** Drives one breaker with simulated time; `random` is fixed unless a test sets it. */
class Sim {
  state: BreakerState;
  now: number;
  random = 0;
  log: BreakerTransition[] = [];
  readonly config: BreakerConfig;
  constructor(config: BreakerConfig = cfg, now = T0) {
    this.config = config;
    this.now = now;
    this.state = newBreaker(now);
  }
  send(event: BreakerEvent): readonly BreakerTransition[] {
    const r = stepBreaker(this.config, this.state, event, {
      now: this.now,
      random: () => this.random,
    });
    this.state = r.state;
    this.log.push(...r.transitions);
    return r.transitions;
  }
  at(ms: number): this {
    this.now = T0 + ms;
    return this;
  }
  errors(n: number, spacingMs = 100): void {
    for (let i = 0; i < n; i++) {
      this.send({ kind: "error", detail: "boom" });
      this.now += spacingMs;
    }
  }
}

describe("closed", () => {
  test("trips on the configured number of errors within the window", () => {
    const sim = new Sim();
    sim.errors(4);
    assert.equal(sim.state.state, "closed");
    const t = sim.send({ kind: "error", detail: "ECONNRESET" });
    assert.equal(sim.state.state, "open");
    assert.deepEqual(t, [
      {
        from: "closed",
        to: "open",
        at: sim.now,
        reason: "5 errors in 5000 ms: ECONNRESET",
        retryAt: sim.now + 500,
      },
    ]);
    assert.equal(sim.state.reason, "5 errors in 5000 ms: ECONNRESET");
    assert.equal(nextDeadline(sim.state), sim.now + 500);
  });

  test("one sample's counted errors each count: 3 then 2 trip; a count of 0 is one", () => {
    const sim = new Sim();
    sim.send({ kind: "error", detail: "3 failed messages", count: 3 });
    assert.deepEqual(sim.state.errorTimes, [T0, T0, T0]);
    sim.send({ kind: "error", count: 0 });
    assert.equal(sim.state.errorTimes.length, 4);
    sim.now += 100;
    sim.send({ kind: "error", detail: "2 failed messages", count: 2 });
    assert.equal(sim.state.state, "open");
    assert.equal(sim.state.reason, "5 errors in 5000 ms: 2 failed messages");
    // Never more kept than the threshold, however many one sample brings.
    const big = new Sim();
    big.send({ kind: "error", count: 1e9 });
    assert.equal(big.state.state, "open");
    assert.equal(big.state.errorTimes.length, 0);
  });

  test("errors spread wider than the window never trip", () => {
    const sim = new Sim();
    sim.errors(50, 1300); // 4 per 5200 ms
    assert.equal(sim.state.state, "closed");
    assert.ok(sim.state.errorTimes.length <= cfg.tripErrors);
  });

  test("uses panel.yaml's trip_threshold", () => {
    const sim = new Sim(breakerConfig({ trip_threshold: { errors: 2, window_ms: 100 } }));
    sim.send({ kind: "error", detail: "boom" });
    sim.now += 300;
    sim.send({ kind: "error", detail: "boom" });
    assert.equal(sim.state.state, "closed");
    sim.now += 50;
    sim.send({ kind: "error", detail: "boom" });
    assert.equal(sim.state.state, "open");
    assert.equal(sim.state.reason, "2 errors in 100 ms: boom");
  });

  test("trips on an SLO violation held for 3 consecutive samples, with the reading", () => {
    const sim = new Sim();
    sim.send({ kind: "slo", observed: { p95: 7.2, err: 0 } });
    sim.send({ kind: "slo", observed: { p95: 7.2, err: 0 } });
    sim.send({ kind: "slo", observed: { p95: 1, err: 0 } }); // healthy: streak resets
    sim.send({ kind: "slo", observed: { p95: 7.2 } });
    sim.send({ kind: "slo", observed: { p95: 7.2 } });
    assert.equal(sim.state.state, "closed");
    const [t] = sim.send({ kind: "slo", observed: { p95: 7.2 } });
    assert.equal(t?.reason, "p95 7.2 ms > 5 ms for 3 samples");
    assert.equal(sim.state.state, "open");
  });

  test("SLO reasons: error rate in %, bound hit exactly, missing metrics not judged", () => {
    const sim = new Sim();
    for (let i = 0; i < 3; i++) sim.send({ kind: "slo", observed: { err: 0.005 } });
    assert.equal(sim.state.reason, "err 0.5% > 0.1% for 3 samples");
    const other = new Sim();
    for (let i = 0; i < 3; i++) other.send({ kind: "slo", observed: { p95: 5 } });
    assert.equal(other.state.reason, "p95 5 ms ≥ 5 ms for 3 samples");
    const none = new Sim();
    for (let i = 0; i < 10; i++) none.send({ kind: "slo", observed: {} });
    assert.equal(none.state.state, "closed");
  });

  test("no SLO bounds: observations never trip", () => {
    const sim = new Sim(breakerConfig(undefined));
    for (let i = 0; i < 10; i++) sim.send({ kind: "slo", observed: { p95: 1e9, err: 1 } });
    assert.equal(sim.state.state, "closed");
  });

  test("successes and ticks change nothing; heal on closed is a no-op", () => {
    const sim = new Sim();
    const before = sim.state;
    assert.deepEqual(sim.send({ kind: "success" }), []);
    assert.deepEqual(sim.send({ kind: "tick" }), []);
    assert.deepEqual(sim.send({ kind: "heal", who: "ann" }), []);
    assert.deepEqual(sim.state, before);
  });
});

describe("manual trip and heal", () => {
  test("trip opens at once and holds until heal; heal half-opens at once", () => {
    const sim = new Sim();
    const [t] = sim.send({ kind: "trip", who: "ann", why: "maintenance" });
    assert.deepEqual(t, {
      from: "closed",
      to: "open",
      at: T0,
      reason: "manual trip by ann: maintenance",
    });
    assert.equal(nextDeadline(sim.state), undefined);
    sim.at(3_600_000).send({ kind: "tick" });
    assert.equal(sim.state.state, "open");
    assert.deepEqual(sim.send({ kind: "trip", who: "bob" }), []); // already held
    const [h] = sim.send({ kind: "heal", who: "bob" });
    assert.equal(h?.reason, "heal by bob");
    assert.equal(sim.state.state, "half-open");
  });

  test("trip from half-open and from an automatic open", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    const [t] = sim.send({ kind: "trip", who: "ann" });
    assert.equal(t?.from, "open");
    assert.equal(t?.reason, "manual trip by ann");
    assert.equal(sim.state.held, true);
    sim.send({ kind: "heal", who: "ann" });
    const [u] = sim.send({ kind: "trip", who: "ann" });
    assert.equal(u?.from, "half-open");
    assert.equal(sim.state.state, "open");
  });
});

describe("open → half-open → closed", () => {
  test("half-opens exactly when the backoff ends", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    const openedAt = sim.now;
    sim.now = openedAt + 499;
    assert.deepEqual(sim.send({ kind: "tick" }), []);
    sim.now = openedAt + 500;
    const [t] = sim.send({ kind: "tick" });
    assert.deepEqual(t, {
      from: "open",
      to: "half-open",
      at: sim.now,
      reason: "half-open after 500 ms",
    });
  });

  test("events in open are ignored", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    const s = sim.state;
    sim.send({ kind: "error" });
    sim.send({ kind: "success" });
    sim.send({ kind: "slo", observed: { p95: 100 } });
    assert.deepEqual(sim.state, s);
  });

  test("an event after the deadline first half-opens, then acts (two transitions)", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    sim.now += 10_000;
    const ts = sim.send({ kind: "error", detail: "still down" });
    assert.deepEqual(
      ts.map((t) => [t.from, t.to, t.reason]),
      [
        ["open", "half-open", "half-open after 500 ms"],
        ["half-open", "open", "error in half-open: still down"],
      ],
    );
    assert.equal(sim.state.backoffMs, 1000);
  });

  test("closes after 5 successes; counts reset so the next trip starts at the base backoff", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    sim.now += 500;
    sim.send({ kind: "tick" });
    for (let i = 0; i < 4; i++) sim.send({ kind: "success" });
    assert.equal(sim.state.state, "half-open");
    const [t] = sim.send({ kind: "success" });
    assert.equal(t?.reason, "5 successes in half-open");
    assert.equal(sim.state.state, "closed");
    assert.equal(sim.state.opens, 0);
    sim.errors(5, 0);
    assert.equal(sim.state.backoffMs, 500);
  });

  test("an SLO violation in half-open re-opens at once with the next step", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    sim.now += 500;
    sim.send({ kind: "tick" });
    sim.send({ kind: "success" });
    const [t] = sim.send({ kind: "slo", observed: { p99: 1, p95: 9 } });
    assert.equal(t?.reason, "p95 9 ms > 5 ms in half-open");
    assert.equal(sim.state.backoffMs, 1000);
    assert.equal(sim.state.successes, 0);
  });

  test("backoff doubles per consecutive open up to the cap, jitter within [1, 1.5)", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    const seen = [sim.state.backoffMs];
    for (let i = 0; i < 9; i++) {
      sim.now = sim.state.retryAt ?? assert.fail("no deadline");
      sim.send({ kind: "tick" });
      sim.send({ kind: "error" });
      seen.push(sim.state.backoffMs);
    }
    assert.deepEqual(seen, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    assert.equal(breakerBackoff(cfg, 1, 0, 0.999), 749);
    assert.equal(breakerBackoff(cfg, 3, 0, 0.5), 2500);
    assert.equal(breakerBackoff(cfg, 100, 0, 0.5), 30000);
    assert.equal(breakerBackoff(cfg, 1, 0, Number.NaN), 500);
  });
});

describe("journal and restore", () => {
  const roundTrip = (s: BreakerState, now: number): BreakerState =>
    restoreBreaker(cfg, JSON.parse(JSON.stringify(s)), now);

  test("an open breaker stays open; the remaining backoff comes from the absolute deadline", () => {
    const sim = new Sim();
    sim.random = 0.5;
    sim.errors(5, 0);
    const openedAt = sim.now;
    assert.equal(sim.state.backoffMs, 625); // 500 · (1 + 0.5/2)
    sim.state = roundTrip(sim.state, openedAt + 300); // restart 300 ms later
    assert.equal(sim.state.state, "open");
    sim.now = openedAt + 624;
    assert.deepEqual(sim.send({ kind: "tick" }), []);
    sim.now = openedAt + 625;
    assert.equal(sim.send({ kind: "tick" })[0]?.to, "half-open");
  });

  test("a backoff that ended during the downtime half-opens on the first tick", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    sim.now += 60_000;
    sim.state = roundTrip(sim.state, sim.now);
    assert.equal(sim.state.state, "open");
    assert.equal(sim.send({ kind: "tick" })[0]?.to, "half-open");
  });

  test("a held breaker stays held across a restart", () => {
    const sim = new Sim();
    sim.send({ kind: "trip", who: "ann" });
    sim.now += 86_400_000;
    sim.state = roundTrip(sim.state, sim.now);
    sim.send({ kind: "tick" });
    assert.equal(sim.state.state, "open");
    assert.equal(sim.state.reason, "manual trip by ann");
  });

  test("a clock jumped back cannot stretch the wait beyond the cap", () => {
    const sim = new Sim();
    sim.errors(5, 0);
    const back = sim.now - 3_600_000;
    const s = roundTrip(sim.state, back);
    assert.equal(s.retryAt, back + cfg.backoffCapMs);
    // and at runtime, without a restart:
    sim.now = back;
    sim.send({ kind: "tick" });
    assert.equal(sim.state.retryAt, back + cfg.backoffCapMs);
  });

  test("restore is the identity on a consistent state", () => {
    const sim = new Sim();
    sim.errors(3);
    assert.deepEqual(roundTrip(sim.state, sim.now), sim.state);
  });

  test("a journal entry with the probe counters of older panels restores", () => {
    const sim = new Sim();
    sim.send({ kind: "trip", who: "t" });
    sim.send({ kind: "heal", who: "t" });
    const older = { ...sim.state, probe: { windowStart: T0, seen: 3, admitted: 1 } };
    assert.deepEqual(restoreBreaker(cfg, JSON.parse(JSON.stringify(older)), sim.now), sim.state);
  });

  test("a damaged journal entry is a coded error", () => {
    const good = JSON.parse(JSON.stringify(newBreaker(T0))) as Record<string, unknown>;
    for (const bad of [
      null,
      [],
      { ...good, v: 2 },
      { ...good, state: "ajar" },
      { ...good, errorTimes: ["x"] },
      { ...good, opens: -1 },
      { ...good, held: "no" },
    ]) {
      assert.throws(
        () => restoreBreaker(cfg, bad, T0),
        (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_WAL_CORRUPT",
      );
    }
  });
});

test("config validation", () => {
  assert.throws(() => breakerConfig(undefined, [], { probeMax: 0 }), RangeError);
  assert.throws(() => breakerConfig(undefined, [], { backoffCapMs: 1 }), RangeError);
  assert.equal(breakerConfig(undefined).tripErrors, 5);
});

// ---- properties ----

type Op =
  | { readonly op: "wait"; readonly ms: number }
  | { readonly op: "event"; readonly event: BreakerEvent };

const eventArb: fc.Arbitrary<BreakerEvent> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: "error", detail: "x" } as const) },
  { weight: 4, arbitrary: fc.constant({ kind: "success" } as const) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        p95: fc.double({ min: 0, max: 20, noNaN: true }),
        err: fc.double({ min: 0, max: 0.01, noNaN: true }),
      })
      .map((observed) => ({ kind: "slo", observed }) as const),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "trip", who: "p" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "heal", who: "p" } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: "tick" } as const) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 40_000 }).map((ms) => ({ op: "wait", ms }) as const),
  eventArb.map((event) => ({ op: "event", event }) as const),
);
const configArb: fc.Arbitrary<BreakerConfig> = fc
  .record({
    tripErrors: fc.integer({ min: 1, max: 6 }),
    tripWindowMs: fc.integer({ min: 1, max: 10_000 }),
    probeMax: fc.integer({ min: 1, max: 25 }),
    probeWindowMs: fc.integer({ min: 1, max: 2000 }),
    successesToClose: fc.integer({ min: 1, max: 6 }),
  })
  .map((o) => breakerConfig(undefined, parseHealthExpr("p95<5ms,err<0.1%"), o));

interface Decision {
  readonly t: number;
  readonly state: string;
  readonly admitted?: boolean;
  readonly transitions?: readonly BreakerTransition[];
}

/** Runs ops from `state`, checking invariants as it goes; returns every decision made. */
function run(
  config: BreakerConfig,
  start: BreakerState,
  now0: number,
  ops: readonly Op[],
  randoms: readonly number[],
): { decisions: Decision[]; state: BreakerState; now: number } {
  let s = start;
  let now = now0;
  let r = 0;
  const random = (): number => randoms[r++ % randoms.length] ?? 0;
  const decisions: Decision[] = [];
  for (const o of ops) {
    if (o.op === "wait") now += o.ms;
    else {
      const prev = s;
      const step = stepBreaker(config, s, o.event, { now, random });
      s = step.state;
      decisions.push({ t: now, state: s.state, transitions: step.transitions });
      for (const t of step.transitions) {
        assert.ok(BREAKER_STATES.includes(t.to));
        assert.ok(t.reason.length > 0);
      }
      // Backoff: capped, and never shorter while failing consecutively.
      assert.ok(s.backoffMs <= config.backoffCapMs);
      if (s.opens > prev.opens) assert.ok(s.backoffMs >= prev.backoffMs);
      if (s.state === "open" && s.retryAt !== null)
        assert.ok(s.retryAt - now <= config.backoffCapMs);
    }
    assert.ok(BREAKER_STATES.includes(s.state));
  }
  return { decisions, state: s, now };
}

describe("properties", () => {
  test("invariants hold over random event sequences", () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(opArb, { maxLength: 120 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 8,
        }),
        (config, ops, randoms) => {
          run(config, newBreaker(T0), T0, ops, randoms);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("journal → restore at any point gives the same decisions afterwards", () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(opArb, { maxLength: 80 }),
        fc.array(opArb, { maxLength: 80 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 8,
        }),
        (config, before, after, randoms) => {
          const first = run(config, newBreaker(T0), T0, before, randoms);
          const straight = run(config, first.state, first.now, after, randoms);
          const restored = restoreBreaker(
            config,
            JSON.parse(JSON.stringify(first.state)),
            first.now,
          );
          const resumed = run(config, restored, first.now, after, randoms);
          assert.deepEqual(resumed.decisions, straight.decisions);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("backoff is monotone in the step and capped for any jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r1, r2) => {
          const a = breakerBackoff(cfg, n, 0, r1);
          const b = breakerBackoff(cfg, n + 1, 0, r2);
          assert.ok(a >= cfg.backoffBaseMs && a <= cfg.backoffCapMs);
          assert.ok(b >= a);
        },
      ),
    );
  });
});

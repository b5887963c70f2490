/**
 * RouteFallback's decisions over a scripted reconciler (the reconciler itself runs for real in
 * reconciler.test.ts and the e2e tests): here, only what the fallback asks of it and when.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CatalogSymbol, type Contract, symbolFromContract } from "@rtt/core";
import type { BreakerState } from "../health/breaker.ts";
import { compilePolicy } from "../policy/policy-engine.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import type { Reconciler } from "../reconcile/reconciler.ts";
import { manifestTrust } from "../router/router.ts";
import { RouteFallback } from "./fallback.ts";
import { BUS, busAndLoggers, LOGGER, LOGGER2, wiredOneWay } from "./route-fixtures.ts";

const catalog = busAndLoggers();

const policy = compilePolicy({
  allow: [{ from: "rtt://core/bus/*", to: "rtt://obs/extension/*", scopes: ["*"] }],
  failover: [
    { route: "rtt://core/bus/events -> [rtt://obs/extension/logger2#ndjson]", health: "err<1%" },
  ],
});

const route: WiredRoute = {
  ...wiredOneWay("events-to-log", BUS, LOGGER, "process"),
  from: { driver: "process", link: "l1" },
  to: { driver: "process", link: "l2" },
};

/** A reconciler whose QuickConnect fails `failures` times, then succeeds. */
const NOT_STRICT_TRUST = manifestTrust(undefined);

function scripted(failures: number) {
  const calls: string[] = [];
  let left = failures;
  const reconciler = {
    live: new Map([[route.edge.route, route]]),
    isParked: () => false,
    throttle: async () => undefined,
    prebind: async () => false,
    quickConnect: async (id: string, target: CatalogSymbol) => {
      calls.push(`qc ${id} -> ${target.saddr}`);
      if (left-- > 0) throw new Error("the target's driver is restarting");
      return { route: id, changed: true, seq: 7, oldFrames: 0, warm: false };
    },
  };
  return { reconciler: reconciler as unknown as Reconciler, calls };
}

/** A RouteFallback over `reconciler`, with the test's catalog and policy unless given. */
function fallbackOver(
  reconciler: Reconciler,
  options: {
    breaker: () => BreakerState | undefined;
    catalog?: readonly CatalogSymbol[];
    log?: (line: string) => void;
    now?: () => number;
  },
): RouteFallback {
  const symbols = options.catalog ?? catalog;
  return new RouteFallback({
    reconciler,
    breaker: options.breaker,
    catalog: () => symbols,
    policy: () => policy,
    trust: () => NOT_STRICT_TRUST,
    trialBudget: () => ({ perWindow: 20, windowMs: 1000 }),
    log: options.log ?? (() => {}),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

describe("route fallback", () => {
  it("a failover that failed is tried again by the sweep, backing off, while the breaker stays open; then no more", async () => {
    const { reconciler, calls } = scripted(2);
    let breaker: BreakerState | undefined = { state: "open", reason: "errors" } as BreakerState;
    let now = 0;
    const log: string[] = [];
    const fallback = fallbackOver(reconciler, {
      breaker: () => breaker,
      log: (line) => log.push(line),
      now: () => now,
    });
    await fallback.opened(route.edge.route, "errors");
    assert.match(log.join("\n"), /failover to .*logger2.* failed \(tried again in 5 s/);
    await fallback.sweep();
    assert.equal(calls.length, 1, "not before its time");
    now = 5_000;
    await fallback.sweep();
    assert.equal(calls.length, 2, "retried");
    assert.match(log.at(-1) ?? "", /tried again in 10 s/, "failed again: twice the wait");
    now = 14_999;
    await fallback.sweep();
    assert.equal(calls.length, 2);
    now = 15_000;
    await fallback.sweep();
    assert.deepEqual(calls, Array(3).fill(`qc events-to-log -> ${LOGGER2}`));
    assert.match(log.at(-1) ?? "", /failed over to .*logger2/);
    now = 100_000;
    await fallback.sweep();
    assert.equal(calls.length, 3, "done: not tried again");

    // Failed, but the breaker closed before the retry: nothing to fail over from.
    const second = scripted(5);
    const closing = fallbackOver(second.reconciler, { breaker: () => breaker, now: () => now });
    await closing.opened(route.edge.route, "errors");
    breaker = { state: "closed", reason: "" } as BreakerState;
    now = 1_000_000;
    await closing.sweep();
    await closing.sweep();
    assert.equal(second.calls.length, 1);
  });

  it("a tripped route that failed over runs on there: the sweep does not hold it for want of a next target", async () => {
    const live = new Map([[route.edge.route, route]]);
    const parks: string[] = [];
    const reconciler = {
      live,
      isParked: () => false,
      throttle: async () => undefined,
      prebind: async () => false,
      quickConnect: async (id: string, target: CatalogSymbol) => {
        live.set(id, {
          ...route,
          edge: { ...route.edge, to: { ...route.edge.to, saddr: target.saddr } },
        });
        return { route: id, changed: true, seq: 7, oldFrames: 0, warm: true };
      },
      park: async (id: string) => {
        parks.push(id);
        return true;
      },
    } as unknown as Reconciler;
    const tripped = { state: "open", reason: "tripped by hand", held: true } as BreakerState;
    let breaker: BreakerState = tripped;
    const fallback = fallbackOver(reconciler, { breaker: () => breaker });
    await fallback.opened(route.edge.route, "tripped by hand");
    assert.equal(live.get(route.edge.route)?.edge.to.saddr, LOGGER2);
    await fallback.sweep();
    await fallback.sweep();
    assert.deepEqual(parks, [], "on logger2, still tripped: not parked");
    // Healed, then tripped again on logger2, which has no next target: now it is held.
    breaker = { state: "closed", reason: "" } as BreakerState;
    await fallback.sweep();
    breaker = tripped;
    await fallback.opened(route.edge.route, "tripped by hand");
    assert.deepEqual(parks, [route.edge.route]);
  });

  it("a restarted panel keeps a tripped route running on its failover target when the graph journaled it so", async () => {
    const onLogger2: WiredRoute = {
      ...route,
      edge: { ...route.edge, to: { ...route.edge.to, saddr: LOGGER2 } },
    };
    const tripped = { state: "open", reason: "tripped by hand", held: true } as BreakerState;
    const parksAfterRestart = async (journaled: string[]) => {
      const parks: string[] = [];
      const reconciler = {
        live: new Map([[onLogger2.edge.route, onLogger2]]),
        isParked: () => false,
        assumeParked: () => {},
        throttle: async () => undefined,
        prebind: async () => false,
        park: async (id: string) => {
          parks.push(id);
          return true;
        },
      } as unknown as Reconciler;
      await fallbackOver(reconciler, { breaker: () => tripped }).recovered(journaled);
      return parks;
    };
    assert.deepEqual(
      await parksAfterRestart([route.edge.route]),
      [],
      "journaled on failover: runs on",
    );
    assert.deepEqual(
      await parksAfterRestart([]),
      [route.edge.route, route.edge.route],
      "not on failover: held again (re-asserted, then by the sweep)",
    );
  });

  it("the sweep degrades a request/response route whose breaker is open but which is wired to its real target", async () => {
    const API = "rtt://core/api/metrics@1.0.0";
    const withExamples = [
      ...catalog,
      symbolFromContract(
        {
          saddr: API,
          type: "api",
          direction: "provider",
          io: "req",
          "x-url": "http://127.0.0.1:1",
          "x-examples": [{ response: { status: 200 } }],
        } as unknown as Contract,
        { file: "rtt.manifest.json", scanner: "manifest", score: 1 },
      ),
    ];
    const api: WiredRoute = {
      ...wiredOneWay("ui-refresh", BUS, API, "http"),
      edge: { ...wiredOneWay("ui-refresh", BUS, API, "http").edge, pattern: "reqrep" },
    };
    const moves: string[] = [];
    const reconciler = {
      live: new Map([[api.edge.route, api]]),
      isParked: () => false,
      throttle: async () => undefined,
      prebind: async () => false,
      retarget: async (_id: string, choose: (r: WiredRoute) => { action: string } | undefined) => {
        const move = choose(api);
        if (move !== undefined) moves.push(move.action);
        return undefined;
      },
    } as unknown as Reconciler;
    let breaker = { state: "open", reason: "errors" } as BreakerState;
    const fallback = fallbackOver(reconciler, { breaker: () => breaker, catalog: withExamples });
    await fallback.sweep();
    assert.deepEqual(moves, ["degrade"], "open, a stub could answer, not degraded: degrade");
    breaker = { state: "closed", reason: "" } as BreakerState;
    await fallback.sweep();
    assert.deepEqual(moves, ["degrade"], "closed and not degraded: nothing to do");
  });
});

describe("route fallback of a request/response route", () => {
  const HOOK = "rtt://ui/hook/refresh@1.0.0";
  const API = "rtt://core/api/metrics@1.0.0";
  const BACKUP = "rtt://core/api/backup@1.0.0";
  const api = (saddr: string) =>
    symbolFromContract(
      {
        saddr,
        type: "api",
        direction: "provider",
        io: "req",
        "x-url": "http://127.0.0.1:1",
        "x-examples": [{ response: { status: 200 } }],
      } as unknown as Contract,
      { file: "rtt.manifest.json", scanner: "manifest", score: 1 },
    );
  const symbols = [
    symbolFromContract(
      {
        saddr: HOOK,
        type: "hook",
        direction: "consumer",
        io: "req",
        "x-run": ["prog"],
      } as unknown as Contract,
      { file: "rtt.manifest.json", scanner: "manifest", score: 1 },
    ),
    api(API),
    api(BACKUP),
  ];
  const apiPolicy = compilePolicy({
    allow: [{ from: "rtt://ui/*/*", to: "rtt://core/api/*", scopes: ["*"] }],
    failover: [{ route: "rtt://ui/hook/refresh -> [rtt://core/api/backup]", health: "err<1%" }],
  });
  const wiredTo = (to: string): WiredRoute => {
    const r = wiredOneWay("ui-refresh", HOOK, to, "http");
    return { ...r, edge: { ...r.edge, pattern: "reqrep" } };
  };

  it("fails over along the failover list, is not degraded there; with the list exhausted, the stub answers", async () => {
    const moves: string[] = [];
    const live = new Map([["ui-refresh", wiredTo(API)]]);
    const reconciler = {
      live,
      isParked: () => false,
      throttle: async () => undefined,
      prebind: async () => false,
      quickConnect: async (id: string, target: CatalogSymbol) => {
        moves.push(`qc ${target.saddr}`);
        live.set(id, wiredTo(target.saddr));
        return { route: id, changed: true, seq: 7, oldFrames: 0, warm: false };
      },
      retarget: async (_id: string, choose: (r: WiredRoute) => { action: string } | undefined) => {
        const move = choose(live.get("ui-refresh") as WiredRoute);
        if (move !== undefined) moves.push(move.action);
        return undefined;
      },
    } as unknown as Reconciler;
    let breaker = { state: "open", reason: "errors" } as BreakerState;
    const fallback = new RouteFallback({
      reconciler,
      breaker: () => breaker,
      catalog: () => symbols,
      policy: () => apiPolicy,
      trust: () => NOT_STRICT_TRUST,
      trialBudget: () => ({ perWindow: 20, windowMs: 1000 }),
      log: () => {},
    });
    await fallback.opened("ui-refresh", "errors");
    assert.deepEqual(moves, [`qc ${BACKUP}`], "the API route failed over to the backup");
    await fallback.sweep();
    assert.deepEqual(moves, [`qc ${BACKUP}`], "on its failover target: not degraded to a stub");
    // The backup's breaker opens in its turn: the list has nothing else, the stub answers.
    breaker = { state: "closed", reason: "" } as BreakerState;
    await fallback.sweep();
    breaker = { state: "open", reason: "errors" } as BreakerState;
    await fallback.opened("ui-refresh", "errors");
    assert.deepEqual(moves, [`qc ${BACKUP}`, "degrade"]);
  });
});

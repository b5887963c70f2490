/**
 * Fixtures for the reconciler's tests: a small catalog of in-process memory symbols, two routes
 * (a one-way stream, a request/response hook), and a real reconciler over in-process drivers, a
 * WAL and an audit ledger in a folder of its own, with a fault to inject at any apply step.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "node:test";
import { type CatalogSymbol, type Contract, type RouteSpec, symbolFromContract } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { AuditLedger } from "../audit/ledger.ts";
import { makePlan, NOT_STRICT, type Plan, type PlanInputs } from "../plan/plan.ts";
import type { Topology } from "../plan/topology.ts";
import type { RouteTokenSource } from "../trust/route-tokens.ts";
import type { WalIo } from "../wal/segment-writer.ts";
import { Wal } from "../wal/wal.ts";
import type { Actor } from "./actor.ts";
import { clearReceived, MemoryPool, received } from "./memory-drivers.ts";
import { type ApplyResult, type ApplyStep, Reconciler } from "./reconciler.ts";

/** A symbol of the in-process memory drivers: a provider with both capabilities unless `rest` says. */
export function symbol(
  saddr: string,
  rest: Partial<Contract> & Record<string, unknown>,
): CatalogSymbol {
  const contract = {
    saddr,
    type: saddr.split("/")[3] ?? "proc",
    direction: "provider",
    capabilities: ["inproc", "stream"],
    ...rest,
  } as Contract;
  return symbolFromContract(contract, {
    file: "x/rtt.manifest.json",
    scanner: "manifest",
    score: 1,
  });
}

export const catalog: CatalogSymbol[] = [
  symbol("rtt://t/bus/s1@1.0.0", { io: "stream", "x-emit": 5, "x-driver": "ma" }),
  symbol("rtt://t/extension/d1@1.0.0", { direction: "consumer", io: "stream", "x-driver": "mb" }),
  symbol("rtt://t/extension/d2@1.0.0", { direction: "consumer", io: "stream", "x-driver": "mb" }),
  symbol("rtt://t/api/a@1.0.0", { io: "req", "x-driver": "mb" }),
  symbol("rtt://t/hook/h@1.0.0", {
    direction: "consumer",
    io: "req",
    "x-emit": 3,
    "x-driver": "ma",
  }),
];

export const ROUTES: RouteSpec[] = [
  { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d1" },
  { id: "r2", from: "rtt://t/hook/h", to: "rtt://t/api/a" },
];

export function inputs(
  routes: RouteSpec[],
  symbols: readonly CatalogSymbol[] = catalog,
): PlanInputs {
  return {
    catalog: symbols,
    routes,
    policy: { qos: [{ match: "rtt://t/hook/*", prio: 1 }] },
    prefer: ["inproc", "uds"],
    security: NOT_STRICT,
  };
}

export const meta: Actor = { who: "test@host", why: "test" };

/** What a fixture's plan is made over and against, when not the catalog and the live graph. */
export interface PlanOver {
  readonly symbols?: readonly CatalogSymbol[];
  readonly observed?: Topology;
}

/** A reconciler under test, and what it runs on. */
export interface ReconcilerFixture {
  readonly dir: string;
  readonly wal: Wal;
  readonly pool: MemoryPool;
  readonly reconciler: Reconciler;
  /** The step (of a route) that fails next; `once`: only the first time. */
  failAt: { step: ApplyStep; route: string; once?: boolean } | undefined;
  /** A plan for `routes` over `symbols` (default: `catalog`) against `observed` (default: the live graph). */
  planFor(routes: RouteSpec[], over?: PlanOver): Plan;
  /** Applies the plan for `routes` over `symbols` (default: `catalog`) to the live graph. */
  wire(routes: RouteSpec[], symbols?: readonly CatalogSymbol[]): Promise<ApplyResult>;
  tearDown(): Promise<void>;
}

/**
 * `routeTokens`: the reconciler's route token source (default: none, as without a panel key);
 * `io`: the WAL's file operations (a failing disk); `onStep`: called before each step;
 * `replyDrainMs`: how long a moved request/response target may answer (reply-handover.ts);
 * `progress`: the reconciler's progress lines (the panel log).
 */
export function setUp(
  options: {
    readonly routeTokens?: RouteTokenSource;
    readonly io?: WalIo;
    readonly onStep?: (step: ApplyStep, route: string) => void;
    readonly replyDrainMs?: number;
    readonly progress?: (line: string) => void;
  } = {},
): ReconcilerFixture {
  const dir = mkdtempSync(join(tmpdir(), "rtt-reconciler-"));
  const wal = Wal.open({ dir: join(dir, "wal"), ...(options.io ? { io: options.io } : {}) });
  const pool = new MemoryPool();
  const fixture: ReconcilerFixture = {
    dir,
    wal,
    pool,
    failAt: undefined,
    reconciler: new Reconciler({
      wal,
      audit: new AuditLedger(join(dir, "audit", "ledger.ndjson")),
      pool,
      root: dir,
      ...options,
      beforeStep(step, route) {
        options.onStep?.(step, route);
        const { failAt } = fixture;
        if (failAt !== undefined && failAt.step === step && failAt.route === route) {
          if (failAt.once === true) fixture.failAt = undefined;
          throw new Error(`injected failure at ${step} of ${route}`);
        }
      },
    }),
    planFor: (routes, { symbols = catalog, observed = fixture.reconciler.graph } = {}) =>
      makePlan(inputs(routes, symbols), observed, wal.committed?.seq ?? 0),
    wire: (routes, symbols = catalog) =>
      fixture.reconciler.apply(fixture.planFor(routes, { symbols }), symbols, meta),
    async tearDown() {
      await pool.close();
      wal.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  clearReceived();
  return fixture;
}

/**
 * A fresh fixture for each test of the enclosing `describe`, torn down after it: the returned
 * function gives the current test's.
 */
export function fixturePerTest(): () => ReconcilerFixture {
  let current: ReconcilerFixture | undefined;
  beforeEach(() => {
    current = setUp();
  });
  afterEach(() => current?.tearDown());
  return () => {
    assert.ok(current !== undefined, "the fixture is set up before each test");
    return current;
  };
}

/** How many messages the fast stream emits, all at once. */
export const N = 3000;
export const streaming = symbol("rtt://t/bus/fast@1.0.0", {
  io: "stream",
  "x-emit": N,
  "x-emit-interval-ms": 0,
  "x-driver": "ma",
});
export const d1 = catalog.find((s) => s.saddr === "rtt://t/extension/d1@1.0.0") as CatalogSymbol;
export const d2 = catalog.find((s) => s.saddr === "rtt://t/extension/d2@1.0.0") as CatalogSymbol;
/** The catalog with the fast stream. */
export const all = [...catalog, streaming];

/** Route "f": the fast stream to d1. */
export const FAST: RouteSpec = { id: "f", from: "rtt://t/bus/fast", to: "rtt://t/extension/d1" };

/** Route "f" from the fast stream to d1, wired, with some of the stream at d1. */
export async function wireFast(t: ReconcilerFixture): Promise<RouteSpec> {
  await t.wire([FAST], all);
  await eventually(() => received(d1.saddr).length > 100, { what: "d1 receives some" });
  return FAST;
}

/** All N of the stream at d1 and d2 together: each once, in order (d1's share first). */
export async function everyMessageOnceInOrder(): Promise<void> {
  await eventually(() => received(d1.saddr).length + received(d2.saddr).length >= N, {
    what: `${N} messages in all`,
  });
  await new Promise((r) => setTimeout(r, 100)); // no duplicates arrive late
  const got = [...received(d1.saddr), ...received(d2.saddr)].map((m) => Number(m.split(" ")[1]));
  assert.deepEqual(
    got,
    Array.from({ length: N }, (_, i) => i + 1),
  );
}

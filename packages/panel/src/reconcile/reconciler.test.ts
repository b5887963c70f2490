import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import {
  type CatalogSymbol,
  type Contract,
  type RouteSpec,
  RttError,
  symbolFromContract,
} from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { AuditLedger } from "../audit/ledger.ts";
import { inPlaceMoves, makePlan, movesTargetOnly, type PlanInputs } from "../plan/plan.ts";
import { EMPTY_TOPOLOGY, type Topology } from "../plan/topology.ts";
import { Wal } from "../wal/wal.ts";
import type { DriverCalls } from "./drivers.ts";
import { clearReceived, MemoryPool, received } from "./memory-drivers.ts";
import { APPLY_STEPS, type ApplyStep, Reconciler } from "./reconciler.ts";

function symbol(saddr: string, rest: Partial<Contract> & Record<string, unknown>): CatalogSymbol {
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

const catalog: CatalogSymbol[] = [
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

const ROUTES: RouteSpec[] = [
  { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d1" },
  { id: "r2", from: "rtt://t/hook/h", to: "rtt://t/api/a" },
];

function inputs(routes: RouteSpec[]): PlanInputs {
  return {
    catalog,
    routes,
    policy: { qos: [{ match: "rtt://t/hook/*", prio: 1 }] },
    prefer: ["inproc", "uds"],
  };
}

let dir: string;
let wal: Wal;
let pool: MemoryPool;
let reconciler: Reconciler;
let failAt: { step: ApplyStep; route: string; once?: boolean } | undefined;

function setUp(): void {
  dir = mkdtempSync(join(tmpdir(), "rtt-reconciler-"));
  wal = Wal.open({ dir: join(dir, "wal") });
  pool = new MemoryPool();
  failAt = undefined;
  reconciler = new Reconciler({
    wal,
    audit: new AuditLedger(join(dir, "audit", "ledger.ndjson")),
    pool,
    root: dir,
    beforeStep(step, route) {
      if (failAt !== undefined && failAt.step === step && failAt.route === route) {
        if (failAt.once === true) failAt = undefined;
        throw new Error(`injected failure at ${step} of ${route}`);
      }
    },
  });
  clearReceived();
}

async function tearDown(): Promise<void> {
  await pool.close();
  wal.close();
  rmSync(dir, { recursive: true, force: true });
}

const planFor = (routes: RouteSpec[], observed: Topology = reconciler.graph) =>
  makePlan(inputs(routes), observed, wal.committed?.seq ?? 0);
const meta = { who: "test@host", why: "test" };

describe("apply", () => {
  beforeEach(setUp);
  afterEach(tearDown);

  test("wires both routes through real in-proc lanes; a second apply changes nothing", async () => {
    const plan = planFor(ROUTES, EMPTY_TOPOLOGY);
    assert.deepEqual(plan.batches, [["r2"], ["r1"]]); // r2 has QoS prio 1, r1 the default 4
    const result = await reconciler.apply(plan, catalog, meta);
    assert.deepEqual(
      result.batches.map((b) => b.outcome),
      ["committed", "committed"],
    );
    assert.equal(result.created, 2);
    await eventually(() => received("rtt://t/extension/d1@1.0.0").length === 5, {
      what: "5 events at d1",
    });
    assert.deepEqual(received("rtt://t/extension/d1@1.0.0"), [
      "rtt://t/bus/s1@1.0.0 1",
      "rtt://t/bus/s1@1.0.0 2",
      "rtt://t/bus/s1@1.0.0 3",
      "rtt://t/bus/s1@1.0.0 4",
      "rtt://t/bus/s1@1.0.0 5",
    ]);
    await eventually(() => received("rtt://t/hook/h@1.0.0").length === 3, {
      what: "3 answers at the hook",
    });
    assert.deepEqual(received("rtt://t/hook/h@1.0.0"), [
      "re: rtt://t/hook/h@1.0.0 1",
      "re: rtt://t/hook/h@1.0.0 2",
      "re: rtt://t/hook/h@1.0.0 3",
    ]);
    assert.deepEqual(pool.linkCounts(), { ma: 2, mb: 2 });
    const again = planFor(ROUTES);
    assert.deepEqual(again.edits, []);
    const second = await reconciler.apply(again, catalog, meta);
    assert.deepEqual(second.batches, []);
    assert.equal(second.seq, result.seq);
    // The WAL's last commit is the live graph; the audit ledger has one bind per route.
    assert.deepEqual(wal.committed?.post, reconciler.graph);
  });

  test("a replace restarts both ends on new links and closes the old ones; delete unbinds", async () => {
    await reconciler.apply(planFor(ROUTES, EMPTY_TOPOLOGY), catalog, meta);
    await eventually(() => received("rtt://t/extension/d1@1.0.0").length === 5, {
      what: "5 events at d1",
    });
    // A new parameter is more than a target move: both ends are opened anew with it.
    const changed: RouteSpec[] = [
      { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d2", params: { tag: "x" } },
      ROUTES[1] as RouteSpec,
    ];
    const plan = planFor(changed);
    assert.deepEqual(
      plan.edits.map((e) => [e.action, e.route, movesTargetOnly(e)]),
      [["replace", "r1", false]],
    );
    const before = reconciler.live.get("r1");
    const result = await reconciler.apply(plan, catalog, meta);
    assert.equal(result.replaced, 1);
    assert.notEqual(reconciler.live.get("r1")?.from.link, before?.from.link);
    // The new source link emits its 5 events again, to d2.
    await eventually(() => received("rtt://t/extension/d2@1.0.0").length === 5, {
      what: "events at d2",
    });
    assert.deepEqual(pool.linkCounts(), { ma: 2, mb: 2 });
    const removed = await reconciler.apply(planFor([ROUTES[1] as RouteSpec]), catalog, meta);
    assert.equal(removed.deleted, 1);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 });
    assert.deepEqual(Object.keys(reconciler.graph.edges), ["r2"]);
  });

  test("a plan made against another topology is refused", async () => {
    const stale = planFor(ROUTES, EMPTY_TOPOLOGY);
    await reconciler.apply(stale, catalog, meta);
    await assert.rejects(reconciler.apply(stale, catalog, meta), { code: "RTT_ERR_PLAN_STALE" });
  });
});

describe("a failure at any prepare or commit step leaves exactly the old graph, nothing orphaned", () => {
  const steps = APPLY_STEPS.filter((s) => s !== "retire");
  after(() => clearReceived());
  // create: both routes new; replace: r1 on new links at both ends (a new parameter); move: only
  // r1's target changes — moved in place, and replaced when that fails (the same step fails again).
  const moveSteps: readonly ApplyStep[] = ["open-to", "offer", "handshake", "flip"];
  for (const scenario of ["create", "replace", "move"] as const) {
    for (const step of steps) {
      for (const route of ["r1", "r2"]) {
        if (step === "bind-reply" && route === "r1") continue; // r1 is one-way: no reply lane
        if (scenario !== "create" && route === "r2") continue; // only r1 changes
        if (scenario === "move" && !moveSteps.includes(step)) continue; // steps a move has
        if (step === "commit" && route === "r2") continue; // the commit step names a batch's first route
        test(`${scenario}: ${step} of ${route}`, async () => {
          setUp();
          try {
            if (scenario !== "create")
              await reconciler.apply(planFor(ROUTES, EMPTY_TOPOLOGY), catalog, meta);
            const before = reconciler.graph;
            const counts = pool.linkCounts();
            const target: RouteSpec[] =
              scenario === "create"
                ? ROUTES
                : [
                    {
                      id: "r1",
                      from: "rtt://t/bus/s1",
                      to: "rtt://t/extension/d2",
                      ...(scenario === "replace" ? { params: { tag: "x" } } : {}),
                    },
                    ROUTES[1] as RouteSpec,
                  ];
            failAt = { step, route };
            const plan = planFor(target);
            if (scenario !== "create")
              assert.deepEqual(
                plan.edits.map((e) => movesTargetOnly(e)),
                [scenario === "move"],
              );
            const result = await reconciler.apply(plan, catalog, meta);
            await reconciler.retired();
            const failed = result.batches.find((b) => b.outcome === "rolled-back");
            assert.ok(failed, "a batch rolled back");
            assert.match(failed.error?.message ?? "", /injected failure/);
            // The failed batch's routes are exactly as before; batches before it committed.
            for (const id of failed.routes)
              assert.deepEqual(reconciler.graph.edges[id], before.edges[id], `route ${id}`);
            assert.deepEqual(
              wal.committed?.post ?? null,
              result.seq === 0 ? null : reconciler.graph,
            );
            const committedLinks = Object.keys(reconciler.graph.edges).length;
            const expected = Object.values(pool.linkCounts()).reduce((a, b) => a + b, 0);
            assert.equal(expected, committedLinks * 2, "no link beyond the committed routes'");
            if (scenario !== "create") assert.deepEqual(pool.linkCounts(), counts);
          } finally {
            await tearDown();
          }
        });
      }
    }
  }
});
describe("an in-place move that fails is replaced instead", () => {
  for (const step of ["open-to", "offer", "handshake", "flip"] as const) {
    test(`${step} of r1 fails once: the replace commits, with a warning; one commit, nothing left`, async () => {
      setUp();
      try {
        await reconciler.apply(planFor(ROUTES, EMPTY_TOPOLOGY), catalog, meta);
        const source = reconciler.live.get("r1")?.from.link;
        const counts = pool.linkCounts();
        const commits = wal.commits.length;
        const plan = planFor([
          { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d2" },
          ROUTES[1] as RouteSpec,
        ]);
        assert.deepEqual([...inPlaceMoves(plan.edits, plan.batches)], ["r1"]);
        failAt = { step, route: "r1", once: true };
        const result = await reconciler.apply(plan, catalog, meta);
        await reconciler.retired();
        assert.deepEqual(
          result.batches.map((b) => [b.outcome, b.warnings]),
          [["committed", [`r1: not moved in place (injected failure at ${step} of r1)`]]],
        );
        assert.deepEqual(reconciler.graph.edges, plan.desired.edges);
        assert.notEqual(reconciler.live.get("r1")?.from.link, source, "replaced: a new source");
        assert.equal(wal.commits.length, commits + 1, "the failed move committed nothing");
        assert.deepEqual(wal.committed?.post, reconciler.graph);
        assert.deepEqual(pool.linkCounts(), counts);
      } finally {
        await tearDown();
      }
    });
  }
});

describe("quickConnect", () => {
  const N = 3000;
  const streaming = symbol("rtt://t/bus/fast@1.0.0", {
    io: "stream",
    "x-emit": N,
    "x-emit-interval-ms": 0,
    "x-driver": "ma",
  });
  const d1 = catalog.find((s) => s.saddr === "rtt://t/extension/d1@1.0.0") as CatalogSymbol;
  const d2 = catalog.find((s) => s.saddr === "rtt://t/extension/d2@1.0.0") as CatalogSymbol;
  const all = [...catalog, streaming];
  beforeEach(setUp);
  afterEach(tearDown);

  /** Route "f" from the fast stream to d1, wired, with some of the stream at d1. */
  async function wireFast(): Promise<RouteSpec> {
    const route: RouteSpec = { id: "f", from: "rtt://t/bus/fast", to: "rtt://t/extension/d1" };
    const plan = makePlan({ ...inputs([route]), catalog: all }, reconciler.graph, 0);
    await reconciler.apply(plan, all, meta);
    await eventually(() => received(d1.saddr).length > 100, { what: "d1 receives some" });
    return route;
  }

  /** All N of the stream at d1 and d2 together: each once, in order (d1's share first). */
  async function everyMessageOnceInOrder(): Promise<void> {
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

  test("moves a streaming route mid-stream: every message reaches exactly one target, in order", async () => {
    await wireFast();
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(r.changed, true);
    assert.equal(reconciler.graph.edges.f?.to.saddr, d2.saddr);
    assert.deepEqual(wal.committed?.post, reconciler.graph);
    await everyMessageOnceInOrder();
    assert.equal(r.oldFrames, received(d1.saddr).length, "the old target got its lane's share");
    assert.ok(received(d2.saddr).length > 0, "the new target got the rest");
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 }, "the old target stays as a warm spare");
    // The same swap again is a no-op.
    const again = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(again.changed, false);
    assert.equal(again.seq, r.seq);
    // Swapping back takes the spare: nothing new is opened, d2 becomes the spare.
    const back = await reconciler.quickConnect("f", d1, "mb", meta);
    assert.equal(back.changed, true);
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
    assert.equal(reconciler.graph.edges.f?.to.saddr, d1.saddr);
    // A sweep leaves the spare alone; unwiring everything closes the route's links.
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
  });

  test("a Switch whose answer timed out after the driver switched is asked again: the move commits, every message once", async () => {
    await wireFast();
    const source = (await pool.get("ma")) as DriverCalls;
    const realSwitch = source.switch.bind(source);
    let calls = 0;
    source.switch = async (link, address) => {
      calls++;
      const answer = await realSwitch(link, address);
      if (calls > 1) return answer;
      throw new RttError("RTT_ERR_DRIVER_TIMEOUT", 'driver "ma" did not answer Switch in time');
    };
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(calls, 2);
    assert.equal(r.changed, true);
    assert.equal(reconciler.graph.edges.f?.to.saddr, d2.saddr);
    await everyMessageOnceInOrder();
    assert.equal(
      r.oldFrames,
      received(d1.saddr).length,
      "the retry answered the first Switch's result",
    );
  });

  test("an apply that changes only the target moves it in place: same source link, every message once", async () => {
    const route = await wireFast();
    const source = reconciler.live.get("f")?.from.link;
    const moved = makePlan(
      { ...inputs([{ ...route, to: "rtt://t/extension/d2" }]), catalog: all },
      reconciler.graph,
      wal.committed?.seq ?? 0,
    );
    assert.deepEqual(
      moved.edits.map((e) => [e.action, e.route, movesTargetOnly(e)]),
      [["replace", "f", true]],
    );
    const result = await reconciler.apply(moved, all, meta);
    assert.deepEqual(
      result.batches.map((b) => b.outcome),
      ["committed"],
    );
    assert.equal(result.replaced, 1);
    assert.equal(reconciler.live.get("f")?.from.link, source, "the source was not kept");
    assert.deepEqual(reconciler.graph.edges.f, moved.desired.edges.f);
    assert.deepEqual(wal.committed?.post, reconciler.graph);
    await everyMessageOnceInOrder();
    await reconciler.retired();
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the old target is closed, not kept");
    // A plan against the new graph has nothing to do.
    const again = makePlan(
      { ...inputs([{ ...route, to: "rtt://t/extension/d2" }]), catalog: all },
      reconciler.graph,
      wal.committed?.seq ?? 0,
    );
    assert.deepEqual(again.edits, []);
  });

  test("a prebound spare makes the swap warm: the Switch only, every message once, in order", async () => {
    const route: RouteSpec = { id: "f", from: "rtt://t/bus/fast", to: "rtt://t/extension/d1" };
    await reconciler.apply(
      makePlan({ ...inputs([route]), catalog: all }, reconciler.graph, 0),
      all,
      meta,
    );
    assert.equal(await reconciler.prebind("f", d2, "mb"), true);
    assert.equal(await reconciler.prebind("f", d2, "mb"), false, "already armed: nothing opened");
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
    assert.deepEqual(
      reconciler.spares.map((s) => s.prebound),
      ["f"],
    );
    await eventually(() => received(d1.saddr).length > 100, { what: "d1 receives some" });
    const r = await reconciler.quickConnect("f", d2, "mb", meta);
    assert.equal(r.changed, true);
    assert.equal(r.warm, true, "the prebound spare was taken, armed");
    await eventually(() => received(d1.saddr).length + received(d2.saddr).length >= N, {
      what: `${N} messages in all`,
    });
    const got = [...received(d1.saddr), ...received(d2.saddr)].map((m) => Number(m.split(" ")[1]));
    assert.deepEqual(
      got,
      Array.from({ length: N }, (_, i) => i + 1),
    );
    await reconciler.retired();
    // d1 is now the retired spare (it expires); no prebound one is left.
    assert.deepEqual(
      reconciler.spares.map((s) => s.prebound),
      [undefined],
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 2 });
  });

  test("a prebound spare whose route is gone is closed by the sweep", async () => {
    const route: RouteSpec = { id: "f", from: "rtt://t/bus/fast", to: "rtt://t/extension/d1" };
    await reconciler.apply(
      makePlan({ ...inputs([route]), catalog: all }, reconciler.graph, 0),
      all,
      meta,
    );
    await reconciler.prebind("f", d2, "mb");
    assert.equal(await reconciler.prebind("f", d1, "mb"), false, "d1 is the route's target");
    await reconciler.apply(
      makePlan({ ...inputs([]), catalog: all }, reconciler.graph, wal.committed?.seq ?? 0),
      all,
      meta,
    );
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
    assert.deepEqual(reconciler.spares, []);
    assert.deepEqual(pool.linkCounts(), { ma: 0, mb: 0 });
  });

  /** Route "p" from a source of M messages, one every 2 ms, to d1; some have arrived. */
  async function wirePaced() {
    const M = 400;
    const paced = symbol("rtt://t/bus/paced@1.0.0", {
      io: "stream",
      "x-emit": M,
      "x-emit-interval-ms": 2,
      "x-driver": "ma",
    });
    const cat = [...all, paced];
    const route: RouteSpec = { id: "p", from: "rtt://t/bus/paced", to: "rtt://t/extension/d1" };
    await reconciler.apply(
      makePlan({ ...inputs([route]), catalog: cat }, reconciler.graph, 0),
      cat,
      meta,
    );
    await eventually(() => received(d1.saddr).length > 20, { what: "d1 receives some" });
    return { M, cat, route };
  }

  test("park holds a route's frames at its source; unpark moves them on to a fresh target link", async () => {
    const { M } = await wirePaced();
    // A park decided on a breaker that changed before its turn in the queue does nothing.
    assert.equal(await reconciler.park("p", meta, () => false), false, "no longer wanted");
    assert.equal(reconciler.isParked("p"), false);
    assert.equal(await reconciler.park("p", meta), true);
    assert.equal(await reconciler.park("p", meta), false, "already parked");
    assert.equal(reconciler.isParked("p"), true);
    // What was on the lane before its EOS lands; then nothing more reaches the target.
    await new Promise((r) => setTimeout(r, 100));
    const held = received(d1.saddr).length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received(d1.saddr).length, held, "a parked route delivers nothing");
    assert.ok(held < M, "the source had more to send");
    assert.equal(await reconciler.unpark("p", d1, meta, () => false), false, "no longer wanted");
    assert.equal(reconciler.isParked("p"), true);
    assert.equal(await reconciler.unpark("p", d1, meta), true);
    assert.equal(reconciler.isParked("p"), false);
    await eventually(() => received(d1.saddr).length >= M, { what: `${M} messages at d1` });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      received(d1.saddr).map((m) => Number(m.split(" ")[1])),
      Array.from({ length: M }, (_, i) => i + 1),
      "every message once, in order, across the park",
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the parked target link was closed");
    assert.equal(await reconciler.unpark("p", d1, meta), false, "not parked");
  });

  test("an apply that moves a held route's target moves it in place and keeps it held; unpark goes on to the new one", async () => {
    const { M, cat, route } = await wirePaced();
    assert.equal(await reconciler.park("p", meta), true);
    const source = reconciler.live.get("p")?.from.link;
    const moved = makePlan(
      { ...inputs([{ ...route, to: "rtt://t/extension/d2" }]), catalog: cat },
      reconciler.graph,
      wal.committed?.seq ?? 0,
    );
    const result = await reconciler.apply(moved, cat, meta);
    assert.deepEqual(
      result.batches.map((b) => [b.outcome, b.warnings]),
      [["committed", undefined]],
    );
    assert.equal(reconciler.live.get("p")?.from.link, source, "the same source: not started again");
    assert.equal(reconciler.graph.edges.p?.to.saddr, d2.saddr);
    assert.equal(reconciler.isParked("p"), true, "still held");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(received(d2.saddr).length, 0, "a held route delivers nothing, to either target");
    const atD1 = received(d1.saddr).length;
    assert.equal(await reconciler.unpark("p", d1, meta), false, "decided before the move: stale");
    assert.equal(reconciler.isParked("p"), true);
    assert.equal(await reconciler.unpark("p", d2, meta), true);
    await eventually(() => atD1 + received(d2.saddr).length >= M, { what: `${M} messages in all` });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      [...received(d1.saddr), ...received(d2.saddr)].map((m) => Number(m.split(" ")[1])),
      Array.from({ length: M }, (_, i) => i + 1),
      "every message once, in order, across the hold and the move",
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "the old targets were closed");
  });

  test("a route only assumed parked after a restart is switched by a move, not left writing to a closed target", async () => {
    const route = await wireFast();
    reconciler.assumeParked(["f"]); // as a restarted panel does for a half-open route: it streams
    const moved = makePlan(
      { ...inputs([{ ...route, to: "rtt://t/extension/d2" }]), catalog: all },
      reconciler.graph,
      wal.committed?.seq ?? 0,
    );
    await reconciler.apply(moved, all, meta);
    assert.equal(reconciler.isParked("f"), false);
    await everyMessageOnceInOrder();
  });

  test("a target whose contract is not the planned one is refused; the route stays", async () => {
    const route: RouteSpec = { id: "f", from: "rtt://t/bus/fast", to: "rtt://t/extension/d1" };
    await reconciler.apply(
      makePlan({ ...inputs([route]), catalog: all }, reconciler.graph, 0),
      all,
      meta,
    );
    const forged = { ...d2, contract_hash: "0".repeat(64) };
    await assert.rejects(reconciler.quickConnect("f", forged, "mb", meta), {
      code: "RTT_ERR_QC_REFUSED",
    });
    assert.equal(reconciler.graph.edges.f?.to.saddr, d1.saddr);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 });
  });
});

describe("the stability sweep", () => {
  beforeEach(setUp);
  afterEach(tearDown);

  test("closes links no route uses, and gives back the routes whose links are gone", async () => {
    await reconciler.apply(planFor(ROUTES, EMPTY_TOPOLOGY), catalog, meta);
    const committed = reconciler.graph;
    // A stray link nobody wired, and a route's target link closed behind the panel's back.
    const mb = await pool.get("mb");
    const stray = await mb.open("rtt://t/extension/d2@1.0.0", {
      contract: JSON.stringify({ saddr: "rtt://t/extension/d2@1.0.0", type: "extension" }),
      params: {},
    });
    const r1 = reconciler.live.get("r1");
    assert.ok(r1);
    await mb.close(r1.to.link);
    const swept = await reconciler.sweep();
    assert.deepEqual(swept.broken, ["r1"]);
    assert.deepEqual(swept.orphans, [`mb/${stray}`]);
    assert.deepEqual(Object.keys(reconciler.graph.edges), ["r2"]);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1 }, "r1's source closed too, the stray gone");
    // Rewiring the committed topology brings r1 back; a second sweep finds nothing.
    const back = await reconciler.reconcileTo(committed, catalog, meta);
    assert.equal(back.created, 1);
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
  });
});

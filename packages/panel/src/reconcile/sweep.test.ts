/**
 * The stability sweep (in-process drivers, a real reconciler, WAL and audit): it closes links no
 * route uses and gives back the routes whose links are gone; and a driver that is restarting
 * must leave its routes to `dropDriver`, which closes a journaled route's surviving end
 * *detached*, so the rewire adopts its program.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { AuditLedger } from "../audit/ledger.ts";
import { makePlan, NOT_STRICT } from "../plan/plan.ts";
import { EMPTY_TOPOLOGY } from "../plan/topology.ts";
import { Wal } from "../wal/wal.ts";
import type { DriverCalls, DriverPool } from "./drivers.ts";
import { MemoryPool } from "./memory-drivers.ts";
import { Reconciler } from "./reconciler.ts";
import {
  catalog as fixtureCatalog,
  fixturePerTest,
  meta,
  ROUTES,
  symbol,
} from "./reconciler-fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-sweep-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const catalog = [
  symbol("rtt://t/bus/s1@1.0.0", { io: "stream", "x-emit": 5, "x-driver": "ma" }),
  symbol("rtt://t/extension/d1@1.0.0", { direction: "consumer", io: "stream", "x-driver": "mb" }),
];

test("a sweep while a driver restarts leaves its routes to dropDriver, which closes the journaled route's other end detached", {
  timeout: 30_000,
}, async () => {
  const wal = Wal.open({ dir: join(dir, "wal") });
  const inner = new MemoryPool();
  const restarting = new Set<string>();
  const closes: string[] = [];
  const recording = (name: string, d: DriverCalls): DriverCalls =>
    new Proxy(d, {
      get(target, key) {
        if (key === "closeLink")
          return (id: string, detach?: boolean, drainMs?: number) => {
            closes.push(`${name}/${id}${detach === true ? " detached" : ""}`);
            return target.closeLink(id, detach, drainMs);
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const pool: DriverPool = {
    get: async (n) => recording(n, await inner.get(n)),
    running: (n) => {
      const d = restarting.has(n) ? undefined : inner.running(n);
      return d === undefined ? undefined : recording(n, d);
    },
    names: () => inner.names().filter((n) => !restarting.has(n)),
  };
  const reconciler = new Reconciler({
    wal,
    audit: new AuditLedger(join(dir, "audit.ndjson")),
    pool,
    root: dir,
  });
  const plan = makePlan(
    {
      catalog,
      routes: [{ id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d1" }],
      policy: { qos: [{ match: "rtt://t/bus/*", rate: 1000, drop: "buffer" }] },
      prefer: ["inproc"],
      security: NOT_STRICT,
    } as Parameters<typeof makePlan>[0],
    EMPTY_TOPOLOGY,
    0,
  );
  const applied = await reconciler.apply(plan, catalog, { who: "t", why: "t" });
  assert.equal(applied.batches[0]?.outcome, "committed");
  const wired = reconciler.live.get("r1");
  assert.ok(wired !== undefined);

  restarting.add("mb");
  assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] }, "not broken: restarting");
  assert.deepEqual(closes, []);
  restarting.delete("mb");
  assert.deepEqual(await reconciler.dropDriver("mb"), ["r1"]);
  assert.deepEqual(closes, [`ma/${wired.from.link} detached`]);
  await inner.close();
  wal.close();
});

describe("the stability sweep", () => {
  const t = fixturePerTest();

  test("closes links no route uses, and gives back the routes whose links are gone", async () => {
    const { reconciler, pool } = t();
    await t().wire(ROUTES);
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
    const back = await reconciler.reconcileTo(committed, fixtureCatalog, meta);
    assert.equal(back.created, 1);
    assert.deepEqual(await reconciler.sweep(), { orphans: [], broken: [] });
  });
});

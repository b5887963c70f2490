// The reconciler's retarget (degrade modes): a wired route's target end moves to another driver
// of the same symbol as one journaled replace batch, audited as the caller says; a failure
// before the commit leaves the route as it was.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type CatalogSymbol, type Contract, symbolFromContract } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { AuditLedger } from "../audit/ledger.ts";
import { makePlan } from "../plan/plan.ts";
import { asTopology, EMPTY_TOPOLOGY } from "../plan/topology.ts";
import { Wal } from "../wal/wal.ts";
import { clearReceived, MemoryPool, received } from "./memory-drivers.ts";
import { type ApplyStep, Reconciler } from "./reconciler.ts";

function symbol(saddr: string, rest: Record<string, unknown>): CatalogSymbol {
  const contract = {
    saddr,
    type: saddr.split("/")[3],
    direction: "provider",
    capabilities: ["inproc"],
    io: "req",
    ...rest,
  } as Contract;
  return symbolFromContract(contract, {
    file: "x/rtt.manifest.json",
    scanner: "manifest",
    score: 1,
  });
}

const catalog = [
  symbol("rtt://t/hook/h@1.0.0", { direction: "consumer", "x-emit": 3, "x-driver": "ma" }),
  symbol("rtt://t/api/a@1.0.0", { "x-driver": "mb" }),
];

let dir: string;
let wal: Wal;
let pool: MemoryPool;
let reconciler: Reconciler;
let failAt: ApplyStep | undefined;
const ledger = () =>
  readFileSync(join(dir, "audit", "ledger.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { action: string; after: { to_driver?: string } });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "rtt-retarget-"));
  wal = Wal.open({ dir: join(dir, "wal") });
  pool = new MemoryPool();
  failAt = undefined;
  clearReceived();
  reconciler = new Reconciler({
    wal,
    audit: new AuditLedger(join(dir, "audit", "ledger.ndjson")),
    pool,
    root: dir,
    beforeStep(step) {
      if (step === failAt) throw new Error(`injected failure at ${step}`);
    },
  });
  const plan = makePlan(
    {
      catalog,
      routes: [{ id: "r", from: "rtt://t/hook/h", to: "rtt://t/api/a" }],
      policy: {},
      prefer: ["inproc"],
    },
    EMPTY_TOPOLOGY,
    0,
  );
  await reconciler.apply(plan, catalog, { who: "test", why: "wire" });
  await eventually(() => received("rtt://t/hook/h@1.0.0").length === 3, {
    what: "3 answers at the hook",
  });
});

afterEach(async () => {
  await pool.close();
  wal.close();
  rmSync(dir, { recursive: true, force: true });
});

const toDriver = (driver: string) => () => ({
  to: { ...(reconciler.live.get("r")?.edge.to ?? { saddr: "", contract_hash: "" }), driver },
  action: "degrade" as const,
  why: "breaker open",
});

describe("retarget", () => {
  test("moves the target end to another driver in one journaled, audited replace", async () => {
    const moved = await reconciler.retarget("r", toDriver("stubby"), catalog, "panel");
    assert.equal(moved?.outcome.outcome, "committed");
    assert.equal(moved?.move.action, "degrade");
    const edge = asTopology(wal.committed?.post).edges.r;
    assert.deepEqual(
      [edge?.to.saddr, edge?.to.driver],
      ["rtt://t/api/a@1.0.0", "stubby"],
      "journaled: the same symbol, another driver",
    );
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 0, stubby: 1 }, "the old links are closed");
    const last = ledger().at(-1);
    assert.deepEqual([last?.action, last?.after.to_driver], ["degrade", "stubby"]);
    // The new pair carries requests and answers: the new hook link's 3 answers after the first 3.
    await eventually(() => received("rtt://t/hook/h@1.0.0").length === 6, {
      what: "6 answers at the hook",
    });
  });

  test("the current end, or no choice, changes nothing", async () => {
    const seq = wal.committed?.seq;
    assert.equal(await reconciler.retarget("r", toDriver("mb"), catalog, "panel"), undefined);
    assert.equal(await reconciler.retarget("r", () => undefined, catalog, "panel"), undefined);
    assert.equal(await reconciler.retarget("nope", toDriver("x"), catalog, "panel"), undefined);
    assert.equal(wal.committed?.seq, seq);
  });

  test("a failure before the commit leaves the route on its target", async () => {
    const before = reconciler.live.get("r");
    failAt = "handshake";
    const moved = await reconciler.retarget("r", toDriver("stubby"), catalog, "panel");
    assert.equal(moved?.outcome.outcome, "rolled-back");
    assert.deepEqual(reconciler.live.get("r"), before);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1, stubby: 0 });
    assert.notEqual(ledger().at(-1)?.action, "degrade");
  });
});

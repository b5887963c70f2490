// The reconciler's retarget (degrade modes): a wired route's target end moves to another driver
// of the same symbol as one journaled replace batch, audited as the caller says; a failure
// before the commit leaves the route as it was.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import { asTopology } from "../plan/topology.ts";
import { received } from "./memory-drivers.ts";
import type { Retarget } from "./reconciler.ts";
import { catalog, fixturePerTest } from "./reconciler-fixtures.ts";

describe("retarget", () => {
  const t = fixturePerTest();
  const ledger = () =>
    readFileSync(join(t().dir, "audit", "ledger.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; after: { to_driver?: string } });

  beforeEach(async () => {
    await t().wire([{ id: "r", from: "rtt://t/hook/h", to: "rtt://t/api/a" }]);
    await eventually(() => received("rtt://t/hook/h@1.0.0").length === 3, {
      what: "3 answers at the hook",
    });
  });

  const toDriver = (driver: string) => (): Retarget => ({
    to: { ...(t().reconciler.live.get("r")?.edge.to ?? { saddr: "", contract_hash: "" }), driver },
    action: "degrade",
    why: "breaker open",
  });

  test("moves the target end to another driver in one journaled, audited replace", async () => {
    const { reconciler, wal, pool } = t();
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
    const { reconciler, wal } = t();
    const seq = wal.committed?.seq;
    assert.equal(await reconciler.retarget("r", toDriver("mb"), catalog, "panel"), undefined);
    assert.equal(await reconciler.retarget("r", () => undefined, catalog, "panel"), undefined);
    assert.equal(await reconciler.retarget("nope", toDriver("x"), catalog, "panel"), undefined);
    assert.equal(wal.committed?.seq, seq);
  });

  test("a failure before the commit leaves the route on its target", async () => {
    const { reconciler, pool } = t();
    const before = reconciler.live.get("r");
    t().failAt = { step: "handshake", route: "r" };
    const moved = await reconciler.retarget("r", toDriver("stubby"), catalog, "panel");
    assert.equal(moved?.outcome.outcome, "rolled-back");
    assert.deepEqual(reconciler.live.get("r"), before);
    assert.deepEqual(pool.linkCounts(), { ma: 1, mb: 1, stubby: 0 });
    assert.notEqual(ledger().at(-1)?.action, "degrade");
  });
});

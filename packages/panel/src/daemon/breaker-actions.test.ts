/**
 * What a breaker transition does, over a recording ledger, reconciler and fallback: who the
 * audit names (the operator of a manual trip or heal, carried with the transition; else the
 * panel) and which fallback steps follow, in order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEntry } from "../audit/ledger.ts";
import { breakerConfig } from "../health/breaker.ts";
import { breakerActions } from "./breaker-actions.ts";
import { linkSample, wiredOneWay } from "./route-fixtures.ts";
import { RouteHealth } from "./route-health.ts";

const route = wiredOneWay();
const id = route.edge.route;

/** breakerActions over a ledger, reconciler and fallback that record what they are asked. */
function recording() {
  const audits: AuditEntry[] = [];
  const steps: string[] = [];
  const onBreaker = breakerActions({
    ledger: {
      appendAll: (entries) => {
        audits.push(...entries);
        return [];
      },
    },
    reconciler: {
      journal: async () => {
        steps.push("journal");
        return 0;
      },
    },
    fallback: {
      trial: async (r) => {
        steps.push(`trial ${r}`);
      },
      opened: async (r, why) => {
        steps.push(`opened ${r}: ${why}`);
      },
      settle: async (r) => {
        steps.push(`settle ${r}`);
      },
    },
    log: () => {},
  });
  return { audits, steps, onBreaker };
}

/** A health loop over the one route, whose every sample is a fresh failing one. */
function healthOver(onBreaker: ReturnType<typeof recording>["onBreaker"]) {
  let taken = 0;
  return new RouteHealth({
    intervalMs: 250,
    routes: () => [route],
    sample: () => Promise.resolve(linkSample(false, 1_800_000_000_000 + ++taken)),
    configFor: () => breakerConfig({ trip_threshold: { errors: 2, window_ms: 60_000 } }),
    onTransition: onBreaker,
    now: () => 1_800_000_000_000,
    random: () => 0,
  });
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("breaker actions", () => {
  it("a trip by the health loop is audited by the panel, with the breaker's reason", async () => {
    const { audits, steps, onBreaker } = recording();
    const health = healthOver(onBreaker);
    await health.tick();
    await health.tick();
    await settled();
    assert.equal(audits.length, 1);
    assert.equal(audits[0]?.action, "trip");
    assert.equal(audits[0]?.who, "panel");
    assert.match(audits[0]?.why ?? "", /^2 errors in 60000 ms/);
    assert.deepEqual(steps, ["journal", `trial ${id}`, `opened ${id}: ${audits[0]?.why}`]);
  });

  it("a manual trip and heal are audited by who asked and why; the reason has their own why", async () => {
    const { audits, steps, onBreaker } = recording();
    const health = healthOver(onBreaker);
    const tripped = health.trip(id, { who: "ann", why: "rtt trip route/x" });
    assert.equal(tripped.reason, "manual trip by ann");
    await settled();
    health.heal(id, { who: "bob", why: "back" });
    await settled();
    assert.deepEqual(
      audits.map((a) => [a.action, a.who, a.why]),
      [
        ["trip", "ann", "rtt trip route/x"],
        ["heal", "bob", "back"],
      ],
    );
    assert.deepEqual(steps, [
      "journal",
      `trial ${id}`,
      `opened ${id}: manual trip by ann`,
      "journal",
      `trial ${id}`,
      `settle ${id}`,
      `trial ${id}`,
    ]);
  });
});

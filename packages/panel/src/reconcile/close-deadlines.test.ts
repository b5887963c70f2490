import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type JsonValue, launchOf } from "@rtt/core";
import fc from "fast-check";
import type { EdgeEnd } from "../plan/topology.ts";
import {
  CLOSE_SLACK_MS,
  closeDrainMs,
  linkDrainMs,
  STOP_DRAIN_CAP_MS,
  stopDrains,
} from "./close-deadlines.ts";
import type { LinkRef } from "./drivers.ts";

/** An end whose manifest has these `x-` keys (its launch, as the plan records it). */
function end(extensions: Record<string, JsonValue>): EdgeEnd {
  const launch = launchOf({
    type: "extension",
    extensions,
    source: { file: "services/t/rtt.manifest.json" },
  } as Parameters<typeof launchOf>[0]);
  return { saddr: "rtt://t/extension/t@1.0.0", driver: "process", contract_hash: "", launch };
}

describe("close and stop deadlines follow the programs' drains (ADR 0024)", () => {
  test("a link carries its target program's x-drain-ms; a source, or no program, none", () => {
    const sorter = end({ "x-run": ["sort"], "x-drain-ms": 12_000 });
    assert.equal(linkDrainMs(sorter, "target"), 12_000);
    assert.equal(linkDrainMs(sorter, "source"), 0);
    assert.equal(linkDrainMs(end({ "x-run": ["sort"] }), "target"), 5000);
    assert.equal(linkDrainMs(end({ "x-path": "out.ndjson" }), "target"), 0);
    // Planned before launches were recorded: whether it runs a program is unknown.
    const { launch: _launch, ...unrecorded } = sorter;
    assert.equal(linkDrainMs(unrecorded, "target"), 5000);
  });

  test("a Close may take the link's drain and the slack for TERM and KILL", () => {
    assert.equal(closeDrainMs({ driver: "process", link: "a", drain_ms: 12_000 }), 17_000);
    assert.equal(closeDrainMs({ driver: "process", link: "a", drain_ms: 0 }), CLOSE_SLACK_MS);
    // Only named in the ledger (a stray): the default drain.
    assert.equal(closeDrainMs({ driver: "process", link: "a" }), 5000 + CLOSE_SLACK_MS);
  });

  test("each driver's stop gets its longest drain; one above the cap is cut and named", () => {
    const refs: LinkRef[] = [
      { driver: "process", link: "src", drain_ms: 0 },
      { driver: "process", link: "sort", drain_ms: 12_000 },
      { driver: "process", link: "tac", drain_ms: 2000 },
      { driver: "http", link: "api", drain_ms: 600_000 },
      { driver: "file", link: "out", drain_ms: 0 },
    ];
    const { byDriver, cut } = stopDrains(refs);
    assert.deepEqual([...byDriver].sort(), [
      ["file", 0],
      ["http", STOP_DRAIN_CAP_MS],
      ["process", 12_000],
    ]);
    assert.deepEqual(
      cut.map((r) => r.link),
      ["api"],
    );
  });

  test("property: a stop's drain is the capped maximum of its driver's links", () => {
    // drain_ms absent, or 0…600000 (the manifest's bounds).
    const ref: fc.Arbitrary<LinkRef> = fc.record(
      {
        driver: fc.constantFrom("a", "b", "c"),
        link: fc.string(),
        drain_ms: fc.integer({ min: 0, max: 600_000 }),
      },
      { requiredKeys: ["driver", "link"] },
    );
    fc.assert(
      fc.property(fc.array(ref), (refs) => {
        const { byDriver, cut } = stopDrains(refs);
        for (const driver of ["a", "b", "c"]) {
          const own = refs.filter((r) => r.driver === driver).map((r) => r.drain_ms ?? 5000);
          const want = own.length === 0 ? undefined : Math.min(Math.max(...own), STOP_DRAIN_CAP_MS);
          assert.equal(byDriver.get(driver), want);
        }
        assert.deepEqual(
          cut,
          refs.filter((r) => (r.drain_ms ?? 5000) > STOP_DRAIN_CAP_MS),
        );
      }),
    );
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type JsonValue, launchOf } from "@rtt/core";
import type { EdgeEnd } from "../plan/topology.ts";
import { drainMsOf } from "./close-deadlines.ts";
import { describeRetired, reattachable } from "./retire-target.ts";

/** A target end whose manifest has these `x-` keys (its launch, as the plan records it). */
function end(extensions: Record<string, JsonValue>): EdgeEnd {
  const launch = launchOf({
    type: "extension",
    extensions,
    source: { file: "services/t/rtt.manifest.json" },
  } as Parameters<typeof launchOf>[0]);
  return { saddr: "rtt://t/extension/t@1.0.0", driver: "process", contract_hash: "", launch };
}

describe("retiring a target: what its manifest says", () => {
  test("x-drain-ms is read from the launch the plan recorded; 5000 without it", () => {
    assert.equal(drainMsOf(end({ "x-run": ["sort"] })), 5000);
    assert.equal(drainMsOf(end({ "x-run": ["sort"], "x-drain-ms": 250 })), 250);
    assert.equal(drainMsOf(end({ "x-run": ["sort"], "x-drain-ms": 0 })), 0);
  });

  test("a warm spare only for x-reattach: true, or a target that runs no program", () => {
    assert.equal(reattachable(end({ "x-run": ["sort"] })), false);
    assert.equal(reattachable(end({ "x-run": ["sort"], "x-reattach": false })), false);
    assert.equal(reattachable(end({ "x-run": ["node", "logger.mjs"], "x-reattach": true })), true);
    assert.equal(reattachable(end({ "x-path": "out.ndjson" })), true);
  });

  test("the words say how it ended, and what is unaccounted for", () => {
    const base = { to: "t", link: "process/l-1", signal: null, at: "" };
    assert.equal(
      describeRetired({ ...base, ended: "exited", code: 0, frames: 12, unaccounted: 0 }),
      "exited 0 after EOF, 12 frames taken",
    );
    assert.equal(
      describeRetired({
        ...base,
        ended: "killed",
        code: null,
        signal: "SIGKILL",
        frames: 7,
        unaccounted: 7,
      }),
      "killed (SIGKILL): it did not exit by itself after EOF, 7 frames taken, 7 unaccounted for",
    );
  });
});

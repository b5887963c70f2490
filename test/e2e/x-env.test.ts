/**
 * A manifest's `x-env` reaches the program the panel starts (docs/manifest.md), with real
 * processes on a temp copy of examples/quickstart: the logger, started through `sh` so its
 * argument comes from the environment, writes where its `x-env` says; `rtt plan` shows an
 * edited `x-env` as a change of the route.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { describeRun } from "./helpers.ts";

const { use } = quickstartSuite(after);
const LOGGER = "services/logger/rtt.manifest.json";

describe("x-env", { timeout: 300_000 }, () => {
  it("is in the environment of the program x-run starts, and an edit is a change in the plan", async () => {
    const ws = use();
    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = ["sh", "-c", 'exec node logger.mjs "$LOG_FILE"'];
      symbol["x-env"] = { LOG_FILE: "../../logs/from-env.ndjson" };
    });
    await scanAndApply(ws);
    await eventually(() => ws.count("logs/from-env.ndjson") > 0, ws.wait("events in from-env"));

    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-env"] = { LOG_FILE: "../../logs/elsewhere.ndjson" };
    });
    await ws.ok(["scan"]);
    const plan = await ws.rtt(["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 2, describeRun(plan));
    assert.match(plan.stdout, /^~ route events-to-log$/m);
    assert.ok(plan.stdout.includes("elsewhere.ndjson"), plan.stdout);
  });
});

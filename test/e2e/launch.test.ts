/**
 * What runs is part of the plan (issue 14, ADR 0012), with real processes on a temp copy of
 * examples/quickstart: after an apply, editing the logger manifest's `x-run` is a `~` replace
 * in `rtt plan` showing both argvs, and `rtt apply` restarts it — the new program writes where
 * its new argv says, and the old one is gone.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { programsUnder } from "../support/panel-processes.ts";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { describeRun } from "./helpers.ts";

const { use } = quickstartSuite(after);
const LOGGER = "services/logger/rtt.manifest.json";
const OLD_ARGV = ["node", "logger.mjs", "../../logs/events.ndjson"];
const NEW_ARGV = ["node", "logger.mjs", "../../logs/moved.ndjson"];

describe("an x-run edit is a change", { timeout: 300_000 }, () => {
  it("plan shows ~ with both argvs; apply restarts the logger with the new one", async () => {
    const ws = use();
    await scanAndApply(ws);
    await eventually(() => ws.count("logs/events.ndjson") > 0, ws.wait("events logged"));
    const loggers = async (file: string) =>
      (await ws.status()).drivers.flatMap((d) =>
        programsUnder(d.pid, new RegExp(`logger\\.mjs \\.\\./\\.\\./logs/${file}`)),
      );
    const old = await loggers("events\\.ndjson");
    // The logger, and the sh waiter it may run under (a journaled route's end).
    assert.ok(old.length > 0, "the logger runs");

    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = NEW_ARGV;
    });
    await ws.ok(["scan"]);
    const plan = await ws.rtt(["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 2, describeRun(plan));
    assert.match(plan.stdout, /^~ route events-to-log$/m);
    assert.ok(
      plan.stdout.includes(`to argv: ${JSON.stringify(OLD_ARGV)} → ${JSON.stringify(NEW_ARGV)}`),
      plan.stdout,
    );
    assert.ok(plan.stdout.includes(`to manifest ${LOGGER}`), plan.stdout);
    assert.ok(
      plan.stdout.includes(`runs ${JSON.stringify(NEW_ARGV)} in services/logger`),
      plan.stdout,
    );
    assert.match(plan.stdout, /Plan: 0 to add, 1 to change, 0 to destroy\./);

    await ws.ok(["apply", "--auto-approve"]);
    await eventually(() => ws.count("logs/moved.ndjson") > 0, ws.wait("events in moved.ndjson"));
    await eventually(() => old.every((pid) => !isAlive(pid)), ws.wait("the old logger gone"));
    assert.ok((await loggers("moved\\.ndjson")).length > 0, "the new logger runs");
    assert.equal((await ws.rtt(["plan", "--detailed-exitcode"])).code, 0);
  });
});

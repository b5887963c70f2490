/**
 * A failed start fails the apply (issue 16), through the real binary on a temp copy of the
 * quickstart. Batches run by QoS priority: events-to-log (prio 0) is batch 1, ui-refresh
 * (prio 1) batch 2, and a failed batch skips the ones after it.
 *
 * - The logger (events-to-log's target, a journaled end: it runs under the sh waiter) is
 *   `x-run: ["jqq"]`, a program that does not exist: `rtt apply` exits 1 naming the route, the
 *   argv and the cause; batch 1 rolls back (its source program is ended too), batch 2 is
 *   skipped, nothing is wired.
 * - The ui hook (ui-refresh's source, on plain pipes) exits at once with 3: batch 1 commits and
 *   events flow; batch 2 rolls back naming the route, the argv, the exit code and the hook's
 *   last stderr line; ui-refresh is not wired.
 * - A replace of the running logger by a program that exits with 3 rolls back: the old logger
 *   keeps logging. A missing source program (the ui hook, on plain pipes: ENOENT, or the
 *   shell's 127 under a sandbox) fails its batch the same way.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { programsUnder } from "../support/panel-processes.ts";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { describeRun } from "./helpers.ts";

const { use } = quickstartSuite(after);
const LOGGER = "services/logger/rtt.manifest.json";
const UI = "ui/rtt.manifest.json";
const EVENTS = "services/events/rtt.manifest.json";
const LOGGER_ARGV = ["node", "logger.mjs", "../../logs/events.ndjson"];

describe("a failed start fails the apply", { timeout: 300_000 }, () => {
  it("missing and exiting programs, as targets and as sources, new and replacing", async () => {
    const ws = use();
    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = ["jqq"];
    });
    await ws.ok(["scan"]);
    const missing = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(missing.code, 1, describeRun(missing));
    const out = missing.stdout;
    assert.match(out, /batch 1 \(events-to-log\): rolled back/, out);
    assert.match(
      out,
      /RTT_ERR_PROGRAM_START: route events-to-log: .*program \["jqq"\] did not start: .*(ENOENT|command not found).*; its last stderr lines: .*jqq: not found/,
      out,
    );
    assert.match(out, /batch 2 \(ui-refresh\): skipped/, out);
    assert.match(out, /Apply failed\./, out);
    for (const route of await ws.routes())
      assert.notEqual(route.live?.wired, true, `${route.id} is wired: ${JSON.stringify(route)}`);
    // The batch's source end was opened, then closed by the rollback: its program is gone.
    const emitters = async () =>
      (await ws.status()).drivers.flatMap((d) => programsUnder(d.pid, /emit\.py/));
    await eventually(async () => (await emitters()).length === 0, ws.wait("no emitter left"));

    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = LOGGER_ARGV;
    });
    ws.editManifest(UI, (symbol) => {
      symbol["x-run"] = ["sh", "-c", "echo refresh is broken >&2; exit 3"];
    });
    // Events without end (the quickstart's 10 are soon all logged): the logger shows it runs.
    ws.editManifest(EVENTS, (symbol) => {
      symbol["x-run"] = ["python3", "emit.py", "0", "50"];
    });
    await ws.ok(["scan"]);
    const exits = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(exits.code, 1, describeRun(exits));
    assert.match(exits.stdout, /batch 1 \(events-to-log\): committed/, exits.stdout);
    assert.match(
      exits.stdout,
      /batch 2 \(ui-refresh\): rolled back, the old wiring stays — RTT_ERR_PROGRAM_START: route ui-refresh: .*program \["sh","-c","echo refresh is broken >&2; exit 3"\] did not start: exited with code 3; its last stderr lines: refresh is broken/,
      exits.stdout,
    );
    assert.equal((await ws.wiredRoute("ui-refresh")) === undefined, true, "ui-refresh not wired");
    assert.ok(await ws.wiredRoute("events-to-log"), "events-to-log wired");
    await eventually(() => ws.count("logs/events.ndjson") > 0, ws.wait("events logged"));

    // A replace whose new target exits at once: the old logger keeps the route.
    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = ["sh", "-c", "exit 3"];
    });
    ws.editManifest(UI, (symbol) => {
      symbol["x-run"] = ["jqq", "--refresh"];
    });
    await ws.ok(["scan"]);
    const replaced = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(replaced.code, 1, describeRun(replaced));
    assert.match(
      replaced.stdout,
      /batch 1 \(events-to-log\): rolled back, the old wiring stays — RTT_ERR_PROGRAM_START: route events-to-log: .*program \["sh","-c","exit 3"\] did not start: exited with code 3/,
      replaced.stdout,
    );
    assert.match(replaced.stdout, /batch 2 \(ui-refresh\): skipped/, replaced.stdout);
    const before = ws.count("logs/events.ndjson");
    await eventually(() => ws.count("logs/events.ndjson") > before, ws.wait("the old logger on"));

    // A missing source program.
    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = LOGGER_ARGV;
    });
    await ws.ok(["scan"]);
    const source = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(source.code, 1, describeRun(source));
    assert.match(
      source.stdout,
      /batch 1 \(ui-refresh\): rolled back, the old wiring stays — RTT_ERR_PROGRAM_START: route ui-refresh: .*program \["jqq","--refresh"\] did not start: .*(ENOENT|command not found)/,
      source.stdout,
    );
    assert.equal((await ws.wiredRoute("ui-refresh")) === undefined, true, "ui-refresh not wired");
  });
});

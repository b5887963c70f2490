/**
 * A case of the fault suite (helpers.ts lists them all).
 *
 * 6. kill -9 the panel and its drivers while a journaled route's programs run on (ADR 0016):
 *    the next driver adopts a program only when it was started with the launch it is to run
 *    now. An `x-run` edited meanwhile reaches the route through `rtt plan`/`rtt apply`, and the
 *    old program is gone, not left running; a program whose record does not say its launch (an
 *    older driver's) is ended and the planned launch started, never adopted; so is one running
 *    in the folder a workspace was moved away from (the plan is the same, what runs is not).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { countCompleteLines } from "../support/files.ts";
import {
  assertNothingLeft,
  describePids,
  processTree,
  programsUnder,
} from "../support/panel-processes.ts";
import {
  cleanup,
  EVENTS_ROUTE,
  type PanelStatus,
  processes,
  scanAndApply,
  Workspace,
} from "../support/quickstart-workspace.ts";
import {
  describeRun,
  panelLogTail,
  panelWait,
  parseJson,
  RTT_TIMEOUT_MS,
  runRtt,
} from "../support/run-rtt.ts";

after(cleanup);

const LOGGER = "services/logger/rtt.manifest.json";
const OLD_ARGV = ["node", "logger.mjs", "../../logs/events.ndjson"];
const NEW_ARGV = ["node", "logger.mjs", "../../logs/moved.ndjson"];
/** The logger writing `file`, and the exit-status waiter (sh) it runs under: its command line. */
const loggerOf = (file: string) => new RegExp(`logger\\.mjs \\.\\./\\.\\./logs/${file}`);

/** The route applied, the events logged; the logger's processes (waiter and program) and all. */
async function applied(ws: Workspace): Promise<{ status: PanelStatus; logger: number[] }> {
  await scanAndApply(ws);
  await eventually(() => ws.count("logs/events.ndjson") > 0, ws.wait("events logged"));
  const status = await ws.status();
  ws.trackTree(status);
  const logger = programsUnder(ws.driverPid(status, "process"), loggerOf("events\\.ndjson"));
  assert.ok(logger.length > 0, `the logger runs under the process driver\n${ws.tail()}`);
  return { status, logger };
}

/** SIGKILLs the panel and its drivers; the route's programs run on (FIFOs of their own). */
async function killPanelAndDrivers(ws: Workspace, status: PanelStatus): Promise<void> {
  const killed = [status.pid, ...status.drivers.map((d) => d.pid)];
  for (const pid of killed) process.kill(pid, "SIGKILL");
  await eventually(() => killed.every((pid) => !isAlive(pid)), ws.wait("panel and drivers dead"));
}

/** The program records of the route's ends (`.rtt/run/routes/<route>/<end>/program.json`). */
function programRecords(ws: Workspace): string[] {
  const dir = ws.path(".rtt", "run", "routes", encodeURIComponent(EVENTS_ROUTE));
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith("program.json"))
    .map((f) => join(dir, f));
}

describe("6. kill -9 the panel and its drivers, then a new launch", { timeout: 360_000 }, () => {
  it("an x-run edited while they were dead: plan/apply runs the new argv, the old logger is gone", async () => {
    const ws = new Workspace({ routes: [EVENTS_ROUTE] });
    const { status, logger } = await applied(ws);
    await killPanelAndDrivers(ws, status);
    assert.deepEqual(
      logger.filter((p) => !isAlive(p)),
      [],
      `the logger died with its driver:\n${describePids(logger)}`,
    );

    ws.editManifest(LOGGER, (symbol) => {
      symbol["x-run"] = NEW_ARGV;
    });
    await ws.ok(["scan"]);
    const logBefore = ws.panelLog().length;
    await ws.ok(["panel", "start"]);
    // The committed plan still says the old argv: that program is the planned one, adopted.
    await eventually(
      () =>
        new RegExp(`adopted the running program \\(pid (${logger.join("|")})\\)`).test(
          ws.panelLog().slice(logBefore),
        ),
      ws.wait("the old logger adopted by the restore of the committed route"),
    );

    const plan = await ws.rtt(["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 2, describeRun(plan));
    assert.ok(
      plan.stdout.includes(`to argv: ${JSON.stringify(OLD_ARGV)} → ${JSON.stringify(NEW_ARGV)}`),
      plan.stdout,
    );
    await ws.ok(["apply", "--auto-approve"]);
    await eventually(() => ws.count("logs/moved.ndjson") > 0, ws.wait("events in moved.ndjson"));
    await eventually(
      () => logger.every((pid) => !isAlive(pid)),
      ws.wait(`the old logger (${logger.join(", ")}) gone`),
    );
    const now = await ws.status();
    const fresh = programsUnder(ws.driverPid(now, "process"), loggerOf("moved\\.ndjson"));
    assert.ok(fresh.length > 0, `the new logger runs\n${ws.tail()}`);
    await ws.stopLeavingNothing([...logger, ...ws.trackTree(now)]);
  });

  it("a program whose record does not say its launch is ended and started anew, not adopted", async () => {
    const ws = new Workspace({ routes: [EVENTS_ROUTE] });
    const { status, logger } = await applied(ws);
    await killPanelAndDrivers(ws, status);
    // What a driver from before launches were recorded left: the same record, no `launch`.
    const records = programRecords(ws);
    assert.ok(records.length > 0, "the route's ends have program records");
    for (const file of records) {
      const { launch: _launch, ...older } = JSON.parse(readFileSync(file, "utf8"));
      writeFileSync(file, JSON.stringify(older));
    }

    const logBefore = ws.panelLog().length;
    await ws.ok(["panel", "start"]);
    const refused =
      /node: the running program \(pid (\d+)\) was started with launch \(not recorded\), not the planned [0-9a-f]{64}: ending it, starting the planned one/;
    const line = await eventually(
      () => refused.exec(ws.panelLog().slice(logBefore)) ?? undefined,
      ws.wait("the refusal to adopt in panel.log"),
    );
    assert.ok(logger.includes(Number(line[1])), `${line[0]}: not the old logger ${logger}`);
    // The logger (node) is not adopted; emit.py, streaming on with its launch recorded (under
    // .rtt/run/sources, not edited here), is.
    assert.doesNotMatch(ws.panelLog().slice(logBefore), /node: adopted the running program/);
    await eventually(
      () => logger.every((pid) => !isAlive(pid)),
      ws.wait(`the unrecorded logger (${logger.join(", ")}) ended`),
    );
    const now = await ws.status();
    const fresh = programsUnder(ws.driverPid(now, "process"), loggerOf("events\\.ndjson"));
    assert.ok(fresh.length > 0 && fresh.every((p) => !logger.includes(p)), ws.tail());
    const route = await ws.route(EVENTS_ROUTE);
    assert.ok(route.live?.wired, JSON.stringify(route));
    processes.track(fresh);
    await ws.stopLeavingNothing([...logger, ...ws.trackTree(now)]);
  });

  it("a workspace moved while they were dead: the logger in the old folder is ended, not adopted", async () => {
    const ws = new Workspace({ routes: [EVENTS_ROUTE] });
    const { status, logger } = await applied(ws);
    const logged = ws.count("logs/events.ndjson");
    await killPanelAndDrivers(ws, status);
    // The same plan (its paths are workspace-relative), but the argv's folder is another one.
    const moved = join(dirname(ws.root), "moved");
    renameSync(ws.root, moved);
    const rtt = async (args: string[]) => {
      const r = await runRtt(args, { cwd: moved, timeoutMs: RTT_TIMEOUT_MS });
      assert.equal(r.code, 0, `rtt ${args.join(" ")}: ${describeRun(r)}\n${panelLogTail(moved)}`);
      return r;
    };
    await rtt(["panel", "start"]);
    try {
      const log = () => readFileSync(join(moved, ".rtt", "panel.log"), "utf8");
      const refused =
        /node: the running program \(pid (\d+)\) was started with launch ([0-9a-f]{64}), not the planned ([0-9a-f]{64}): ending it, starting the planned one/;
      const line = await eventually(
        () => refused.exec(log()) ?? undefined,
        panelWait(moved, "the refusal to adopt the old folder's logger"),
      );
      assert.ok(logger.includes(Number(line[1])), `${line[0]}: not the old logger ${logger}`);
      assert.notEqual(line[2], line[3]);
      await eventually(
        () => logger.every((pid) => !isAlive(pid)),
        panelWait(moved, `the old folder's logger (${logger.join(", ")}) ended`),
      );
      await eventually(
        () => countCompleteLines(join(moved, "logs", "events.ndjson")) > logged,
        panelWait(moved, "events logged by the new logger"),
      );
      const now = parseJson((await rtt(["panel", "status", "--json"])).stdout) as PanelStatus;
      const pids = processTree([now.pid, ...now.drivers.map((d) => d.pid)]);
      processes.track(pids);
      await rtt(["panel", "stop"]);
      await assertNothingLeft(
        { root: moved, createdAt: ws.createdAt, tail: () => panelLogTail(moved) },
        [...logger, ...pids],
        processes,
      );
    } finally {
      // A failure above leaves the panel running in the moved folder, which `cleanup` does not know.
      if (existsSync(join(moved, ".rtt", "sockets", "panel.sock")))
        await runRtt(["panel", "stop"], { cwd: moved, timeoutMs: RTT_TIMEOUT_MS });
    }
  });
});

/** The planner on the quickstart: what `rtt plan` shows for examples/quickstart. */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scanWorkspace } from "../scan/scanner.ts";
import { notRuntimeState, workspacePaths } from "../workspace/workspace.ts";
import { committedTopology, loadPlanInputs } from "./inputs.ts";
import { makePlan, type PlanInputs, planProblems } from "./plan.ts";
import { type Edge, EMPTY_TOPOLOGY, STUB_DRIVER, topologyHash, topologyOf } from "./topology.ts";

// ---- The quickstart. ----

const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart", import.meta.url));
const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

async function scannedQuickstart(): Promise<PlanInputs> {
  const temp = mkdtempSync(join(tmpdir(), "rtt-plan-quickstart-"));
  temps.push(temp); // the temp folder, not only the copy in it
  const dir = join(temp, "quickstart");
  cpSync(QUICKSTART, dir, { recursive: true, filter: notRuntimeState(QUICKSTART) });
  const paths = workspacePaths(dir);
  const report = await scanWorkspace(paths);
  assert.equal(report.errors, 0);
  const loaded = loadPlanInputs(paths);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  assert.deepEqual(committedTopology(paths), { seq: 0, topology: EMPTY_TOPOLOGY });
  return loaded.inputs;
}

describe("the quickstart's plan", () => {
  it("ui-refresh: a reqrep create from a process hook to the http metrics api, over shm", async () => {
    const plan = makePlan(await scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.equal(plan.base_seq, 0);
    const edit = plan.edits.find((e) => e.route === "ui-refresh");
    assert.ok(edit?.action === "create", JSON.stringify(plan.edits));
    assert.deepEqual(
      {
        from: [edit.after.from.saddr, edit.after.from.driver],
        to: [edit.after.to.saddr, edit.after.to.driver],
        lane: edit.after.lane,
        pattern: edit.after.pattern,
      },
      {
        from: ["rtt://ui/hook/refresh@1.0.0", "process"],
        to: ["rtt://core/api/metrics@1.0.0#prom", "http"],
        lane: "shm",
        pattern: "reqrep",
      },
    );
    assert.ok(plan.batches.flat().includes("ui-refresh"));
  });

  it("two creates (events-to-log oneway process → process, ui-refresh reqrep process → http), shm, no problems", async () => {
    const plan = makePlan(await scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.deepEqual(planProblems(plan), []);
    const summary = plan.edits.map((e) =>
      e.action === "create"
        ? [e.route, e.after.pattern, e.after.from.driver, e.after.to.driver, e.after.lane]
        : [e.route, e.action],
    );
    assert.deepEqual(summary, [
      ["events-to-log", "oneway", "process", "process", "shm"],
      ["ui-refresh", "reqrep", "process", "http", "shm"],
    ]);
    // The bus route has QoS prio 0, so it is wired first.
    assert.deepEqual(plan.batches[0], ["events-to-log"]);
  });

  it("a degraded route (a stub for its target) is no drift: no edit, named in `degraded`", async () => {
    const inputs = await scannedQuickstart();
    const wired = makePlan(inputs, EMPTY_TOPOLOGY, 0).desired;
    const refresh = wired.edges["ui-refresh"] as Edge;
    const degraded = topologyOf([
      ...Object.values(wired.edges).filter((e) => e.route !== "ui-refresh"),
      { ...refresh, to: { ...refresh.to, driver: STUB_DRIVER } },
    ]);
    const plan = makePlan(inputs, degraded, 7);
    assert.deepEqual(plan.edits, []);
    assert.deepEqual(plan.degraded, ["ui-refresh"]);
    assert.equal(plan.base_hash, topologyHash(degraded), "apply checks the graph as it is");
    assert.equal(makePlan(inputs, wired, 7).degraded, undefined);
    // A change routes.json makes to a degraded route is planned from its real target.
    const routes = inputs.routes.map((r) =>
      r.id === "ui-refresh" ? { ...r, params: { timeout_ms: 5000 } } : r,
    );
    const changed = makePlan({ ...inputs, routes }, degraded, 7);
    assert.deepEqual(
      changed.edits.map((e) => [e.action, e.route, e.action === "replace" && e.before.to.driver]),
      [["replace", "ui-refresh", "http"]],
    );
    assert.equal(changed.degraded, undefined);
  });

  it("the bus rule's QoS rides to the source's driver as qos.* params; the api route has no rate", async () => {
    const plan = makePlan(await scannedQuickstart(), EMPTY_TOPOLOGY, 0);
    assert.deepEqual(plan.desired.edges["events-to-log"]?.params, {
      "qos.buffer": "1024",
      "qos.burst": "5000",
      "qos.drop": "buffer",
      "qos.rate": "50000",
      "qos.source": "rtt://core/bus/events@1.0.0",
    });
    assert.deepEqual(plan.desired.edges["ui-refresh"]?.params, {});
  });

  it("routes.json may not set qos.* params: the route gets a problem naming them", async () => {
    const inputs = await scannedQuickstart();
    const routes = inputs.routes.map((r) =>
      r.id === "events-to-log" ? { ...r, params: { "qos.rate": 1, framing: "lines" } } : r,
    );
    const plan = makePlan({ ...inputs, routes }, EMPTY_TOPOLOGY, 0);
    const problem = planProblems(plan).find((p) => p.route === "events-to-log")?.problem ?? "";
    assert.match(problem, /params "qos\.rate": keys starting with "qos\." are reserved/);
    assert.equal(plan.desired.edges["events-to-log"], undefined);
  });

  it("planning again against its own desired graph finds no changes", async () => {
    const inputs = await scannedQuickstart();
    const first = makePlan(inputs, EMPTY_TOPOLOGY, 0);
    const again = makePlan(inputs, first.desired, 1);
    assert.deepEqual(again.edits, []);
    assert.deepEqual(again.batches, []);
    assert.equal(again.inputs_hash, first.inputs_hash);
  });
});

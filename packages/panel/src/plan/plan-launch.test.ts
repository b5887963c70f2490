/** What runs is part of the plan: a launch edit is a replace naming what changed (ADR 0012). */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scanWorkspace } from "../scan/scanner.ts";
import { notRuntimeState, type WorkspacePaths, workspacePaths } from "../workspace/workspace.ts";
import { loadPlanInputs } from "./inputs.ts";
import { makePlan, type PlanInputs, planProblems } from "./plan.ts";
import { EMPTY_TOPOLOGY, type Topology, topologyOf } from "./topology.ts";

const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart", import.meta.url));
const LOGGER = "services/logger/rtt.manifest.json";
const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function quickstartCopy(): WorkspacePaths {
  const temp = mkdtempSync(join(tmpdir(), "rtt-plan-launch-"));
  temps.push(temp);
  const dir = join(temp, "quickstart");
  cpSync(QUICKSTART, dir, { recursive: true, filter: notRuntimeState(QUICKSTART) });
  return workspacePaths(dir);
}

async function scanned(paths: WorkspacePaths): Promise<PlanInputs> {
  assert.equal((await scanWorkspace(paths)).errors, 0);
  const loaded = loadPlanInputs(paths);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  return loaded.inputs;
}

function editLogger(paths: WorkspacePaths, extra: Record<string, unknown>): void {
  const file = join(paths.root, LOGGER);
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...manifest, symbol: { ...manifest.symbol, ...extra } }));
}

/** The quickstart applied, then the logger's manifest edited: the plan against the applied graph. */
async function planAfterEdit(extra: Record<string, unknown>) {
  const paths = quickstartCopy();
  const applied = makePlan(await scanned(paths), EMPTY_TOPOLOGY, 0).desired;
  editLogger(paths, extra);
  return { applied, plan: makePlan(await scanned(paths), applied, 1) };
}

describe("launch in the plan", () => {
  it("records each end's manifest, argv and folder in the edge", async () => {
    const plan = makePlan(await scanned(quickstartCopy()), EMPTY_TOPOLOGY, 0);
    const to = plan.desired.edges["events-to-log"]?.to;
    assert.deepEqual(to?.launch, {
      manifest: LOGGER,
      driver: "process",
      argv: ["node", "logger.mjs", "../../logs/events.ndjson"],
      cwd: "services/logger",
      // The quickstart's logger may be kept as a warm spare (ADR 0024).
      extra: { "x-reattach": true },
    });
  });

  it("an x-run edit is a replace naming both argvs", async () => {
    const argv = ["node", "logger.mjs", "../../logs/other.ndjson"];
    const { plan } = await planAfterEdit({ "x-run": argv });
    assert.deepEqual(
      plan.edits.map((e) => [e.route, e.action]),
      [["events-to-log", "replace"]],
    );
    const edit = plan.edits[0];
    assert.ok(edit?.action === "replace");
    assert.deepEqual(edit.changes, [
      `to argv: ["node","logger.mjs","../../logs/events.ndjson"] → ${JSON.stringify(argv)}`,
    ]);
    assert.deepEqual(edit.after.to.launch?.argv, argv);
  });

  it("an x-cwd edit is a replace naming both folders", async () => {
    const { plan } = await planAfterEdit({ "x-cwd": ".." });
    const edit = plan.edits[0];
    assert.ok(edit?.action === "replace");
    assert.deepEqual(edit.changes, ['to cwd: "services/logger" → "services"']);
  });

  it("an x-path edit is a replace naming both paths, resolved from the manifest's folder", async () => {
    const { plan } = await planAfterEdit({ "x-path": "out.ndjson" });
    const edit = plan.edits[0];
    assert.ok(edit?.action === "replace");
    assert.deepEqual(edit.changes, ['to path: (none) → "services/logger/out.ndjson"']);
  });

  it("a label edit or a reformatted manifest changes nothing", async () => {
    const { plan } = await planAfterEdit({ "x-note": "who reads this" });
    assert.deepEqual(plan.edits, []);
  });

  it("a graph committed before launches were recorded is replaced once", async () => {
    const paths = quickstartCopy();
    const inputs = await scanned(paths);
    const desired = makePlan(inputs, EMPTY_TOPOLOGY, 0).desired;
    const old: Topology = topologyOf(
      Object.values(desired.edges).map((e) => {
        const { launch: _a, launch_hash: _b, ...from } = e.from;
        const { launch: _c, launch_hash: _d, ...to } = e.to;
        return { ...e, from, to };
      }),
    );
    const plan = makePlan(inputs, old, 1);
    assert.equal(plan.edits.length, 2);
    for (const edit of plan.edits) {
      assert.ok(edit.action === "replace");
      assert.deepEqual(edit.changes, [
        "from launch: (launch not recorded)",
        "to launch: (launch not recorded)",
      ]);
    }
    assert.deepEqual(makePlan(inputs, plan.desired, 2).edits, []);
  });

  it("refuses route params that would say what a driver runs or opens", async () => {
    const inputs = await scanned(quickstartCopy());
    for (const key of ["command", "cwd", "path", "url", "listen", "argv"]) {
      const routes = inputs.routes.map((r) =>
        r.id === "events-to-log" ? { ...r, params: { framing: "lines", [key]: "x" } } : r,
      );
      const problems = planProblems(makePlan({ ...inputs, routes }, EMPTY_TOPOLOGY, 0));
      assert.equal(problems.length, 1, key);
      assert.equal(problems[0]?.route, "events-to-log");
      assert.match(problems[0]?.problem ?? "", new RegExp(`params "${key}": a route may not say`));
    }
  });
});

/**
 * decidePlan on a scanned copy of the quickstart: the panel's own plan is accepted and is what
 * is returned; a text that is no plan, nests absurdly deep, was made against another wiring or
 * differs is refused with its code; and a plan with a route that cannot be wired is refused
 * even when the client's plan is that plan.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { RttError } from "@rtt/core";
import { EMPTY_TOPOLOGY } from "../plan/topology.ts";
import { scanWorkspace } from "../scan/scanner.ts";
import { notRuntimeState, workspacePaths } from "../workspace/workspace.ts";
import { decidePlan, panelPlan } from "./plan-check.ts";

const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "rtt-plan-check-"));
after(() => rmSync(temp, { recursive: true, force: true }));
const dir = join(temp, "quickstart");
cpSync(QUICKSTART, dir, { recursive: true, filter: notRuntimeState(QUICKSTART) });
const paths = workspacePaths(dir);
assert.equal((await scanWorkspace(paths)).errors, 0);

function refusedWith(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof RttError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe("decidePlan", () => {
  const panel = panelPlan(paths, EMPTY_TOPOLOGY, 0);
  const text = JSON.stringify(panel.plan);

  it("accepts the panel's own plan and returns it, not the client's copy", async () => {
    assert.equal(decidePlan(text, panel), panel.plan);
    assert.equal(decidePlan(JSON.stringify({ ...panel.plan, base_seq: 9 }), panel), panel.plan);
  });

  it("refuses what is no plan, and JSON nested past any plan", async () => {
    refusedWith(() => decidePlan("{", panel), "RTT_ERR_PLAN_INVALID", /plan_json is not JSON/);
    refusedWith(() => decidePlan("[]", panel), "RTT_ERR_PLAN_INVALID", /a JSON object/);
    const deep = `{"routes":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    refusedWith(() => decidePlan(deep, panel), "RTT_ERR_REQUEST_INVALID", /deeper than 32/);
  });

  it("refuses a plan made against another wiring as stale, and another plan as a mismatch", async () => {
    const other = JSON.stringify({ ...panel.plan, base_hash: "f".repeat(64) });
    refusedWith(() => decidePlan(other, panel), "RTT_ERR_PLAN_STALE", /another wiring/);
    const lane = JSON.parse(text);
    lane.edits[0].after.lane = "tcp";
    refusedWith(
      () => decidePlan(JSON.stringify(lane), panel),
      "RTT_ERR_PLAN_MISMATCH",
      new RegExp(`edit ${lane.edits[0].route}: after\\.lane differs$`),
    );
  });

  it("refuses a route that cannot be wired, as `rtt apply` does", async () => {
    const routes = join(dir, ".rtt", "routes.json");
    writeFileSync(
      routes,
      '{ "routes": [ { "id": "nowhere", "from": "rtt://no/api/x", "to": "rtt://no/api/y" } ] }\n',
    );
    const broken = panelPlan(paths, EMPTY_TOPOLOGY, 0);
    refusedWith(
      () => decidePlan(JSON.stringify(broken.plan), broken),
      "RTT_ERR_PLAN_INVALID",
      /^1 route\(s\) cannot be wired: nowhere: /,
    );
  });
});

/**
 * The panel's plan against a submitted one, on the quickstart's plan: the same plan (whatever
 * its base_seq or formatting) is no difference; an added route, an added or missing edit, other
 * params, other batches or an unknown member are each reported as the first difference, in
 * words that name the route and the field.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scanWorkspace } from "../scan/scanner.ts";
import { notRuntimeState, workspacePaths } from "../workspace/workspace.ts";
import { loadPlanInputs } from "./inputs.ts";
import { makePlan, type Plan } from "./plan.ts";
import { firstJsonDifference, planDifference } from "./plan-compare.ts";
import { EMPTY_TOPOLOGY } from "./topology.ts";

const QUICKSTART = fileURLToPath(new URL("../../../../examples/quickstart", import.meta.url));
const temp = mkdtempSync(join(tmpdir(), "rtt-plan-compare-"));
after(() => rmSync(temp, { recursive: true, force: true }));

/** The quickstart's first plan: two creates, events-to-log and ui-refresh. */
const PLAN: Plan = await (async () => {
  const dir = join(temp, "quickstart");
  cpSync(QUICKSTART, dir, { recursive: true, filter: notRuntimeState(QUICKSTART) });
  const paths = workspacePaths(dir);
  assert.equal((await scanWorkspace(paths)).errors, 0);
  const loaded = loadPlanInputs(paths);
  assert.ok(loaded.ok);
  return makePlan(loaded.inputs, EMPTY_TOPOLOGY, 0);
})();

// biome-ignore lint/suspicious/noExplicitAny: a test edits plans freely.
type Mutable = Record<string, any>;

/** A deep copy of the quickstart's plan as a client would send it, edited by `edit`. */
function sent(edit: (p: Mutable) => void = () => {}): Mutable {
  const p = JSON.parse(JSON.stringify(PLAN)) as Mutable;
  edit(p);
  return p;
}

const EVIL_PARAMS = { command: ["sh", "-c", "touch MARKER"] };

describe("planDifference", () => {
  it("finds none between the panel's plan and itself, reformatted or with another base_seq", async () => {
    assert.equal(planDifference(sent(), PLAN), undefined);
    assert.equal(planDifference(JSON.parse(JSON.stringify(PLAN, null, 4)), PLAN), undefined);
    assert.equal(
      planDifference(
        sent((p) => (p.base_seq = 41)),
        PLAN,
      ),
      undefined,
    );
    const reordered = Object.fromEntries(Object.entries(sent()).reverse());
    assert.equal(planDifference(reordered, PLAN), undefined);
  });

  it("names a planned route the panel does not plan", async () => {
    const p = sent((p) => p.routes.push({ id: "evil", candidates: [], reasons: [] }));
    assert.equal(planDifference(p, PLAN), `routes[2] "evil": not in the panel's plan`);
  });

  it("names an edit the panel does not plan, with its params carrying a command", async () => {
    const p = sent((p) =>
      p.edits.push({
        action: "create",
        route: "evil",
        after: { ...p.edits[0].after, route: "evil", params: EVIL_PARAMS },
      }),
    );
    assert.equal(planDifference(p, PLAN), `edits[2] "evil": not in the panel's plan`);
  });

  it("names the route and field of an edit whose params differ", async () => {
    const p = sent((p) => (p.edits[0].after.params = EVIL_PARAMS));
    assert.equal(planDifference(p, PLAN), `edit ${PLAN.edits[0]?.route}: after.params differ`);
  });

  it("names a desired edge whose params differ when the edits are the panel's", async () => {
    const p = sent((p) => (p.desired.edges["events-to-log"].params.command = "sh"));
    assert.equal(planDifference(p, PLAN), "edge events-to-log: params differ");
  });

  it("names an edit of the panel's plan that is missing", async () => {
    const p = sent((p) => p.edits.pop());
    assert.equal(
      planDifference(p, PLAN),
      `edit ${PLAN.edits.at(-1)?.route}: in the panel's plan, missing from edits`,
    );
  });

  it("names batches in another order, and an edit moved in the list", async () => {
    const batches = sent((p) => (p.batches = [PLAN.batches.flat().reverse()]));
    assert.match(planDifference(batches, PLAN) ?? "", /^batches\[0\]/);
    const edits = sent((p) => p.edits.reverse());
    assert.equal(planDifference(edits, PLAN), "edits: not in the panel's order");
  });

  it("names a member the panel's plan has not, quoting a long odd key cut short", async () => {
    assert.equal(
      planDifference(
        sent((p) => (p.x = 1)),
        PLAN,
      ),
      "x: not in the panel's plan",
    );
    const key = `${"k ".repeat(100)}`;
    const said = planDifference(
      sent((p) => (p[key] = 1)),
      PLAN,
    );
    assert.ok(said !== undefined && said.length < 100, said);
    assert.match(said, /^\["(k ){20}…" \(200 characters\)\]: not in the panel's plan$/);
  });

  it("refuses what is not an object", async () => {
    assert.equal(planDifference([PLAN], PLAN), "not a JSON object");
    assert.equal(planDifference(null, PLAN), "not a JSON object");
  });
});

describe("firstJsonDifference", () => {
  it("gives the path of the first difference in sorted member order", async () => {
    assert.equal(firstJsonDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] }), "a[1].b differs");
    assert.equal(firstJsonDifference({ a: [1, 2] }, { a: [1] }), "a[1]: not in the panel's plan");
    assert.equal(firstJsonDifference({}, { a: 1 }), "a: in the panel's plan, missing here");
    assert.equal(firstJsonDifference("1", 1), "the plan differs");
    assert.equal(firstJsonDifference({ a: [1] }, { a: [1] }), undefined);
  });
});

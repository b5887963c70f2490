/**
 * File symbols stay in the workspace (issue 15 finding 4, ADR 0022), at plan time, on a real
 * workspace with real links: a route whose end's path leads out — absolute, by `..`, through a
 * symlink — cannot be wired, naming the symbol, the path and the rule; one inside can; and
 * panel.yaml's `security.allow_paths` admits a prefix outside.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  EMPTY_TOPOLOGY,
  loadPlanInputs,
  makePlan,
  type PlanInputs,
  planProblems,
  scanWorkspace,
} from "../src/index.ts";
import { type Fixture, makeWorkspace } from "./workspace-fixture.ts";

const cleanups: (() => void)[] = [];
after(() => {
  for (const c of cleanups) c();
});

const file = (saddr: string, direction: string, path: string) =>
  JSON.stringify({ symbol: { saddr, type: "file", direction, "x-path": path } });

/** A workspace with an inside source and target, the finding's two, and a link out. */
function workspace(): { f: Fixture; outside: string } {
  const f = makeWorkspace();
  const outside = realpathSync(mkdtempSync(join(tmpdir(), "rtt-outside-")));
  cleanups.push(
    () => f.remove(),
    () => rmSync(outside, { recursive: true, force: true }),
  );
  f.write("data/in.ndjson", "");
  f.write("data/rtt.manifest.json", file("rtt://t/file/in@1.0.0#ndjson", "provider", "in.ndjson"));
  f.write(
    "sink/rtt.manifest.json",
    file("rtt://t/file/out@1.0.0#ndjson", "consumer", "../logs/out.ndjson"),
  );
  f.write(
    "evil/src/rtt.manifest.json",
    file("rtt://t/file/passwd@1.0.0#ndjson", "provider", "/etc/passwd"),
  );
  const up = "../".repeat(f.paths.root.split("/").length + 2);
  f.write(
    "evil/dst/rtt.manifest.json",
    file("rtt://t/file/escape@1.0.0#ndjson", "consumer", `${up}tmp/x-escape`),
  );
  mkdirSync(join(f.paths.root, "linked"));
  symlinkSync(outside, join(f.paths.root, "linked", "out"));
  f.write(
    "linked/rtt.manifest.json",
    file("rtt://t/file/linked@1.0.0#ndjson", "consumer", "out/x.ndjson"),
  );
  f.write(".rtt/policy.json", "{}\n");
  return { f, outside };
}

async function inputs(f: Fixture, routes: Record<string, [string, string]>): Promise<PlanInputs> {
  const list = Object.entries(routes).map(([id, [from, to]]) => ({ id, from, to }));
  f.write(".rtt/routes.json", JSON.stringify({ routes: list }));
  assert.equal((await scanWorkspace(f.paths)).errors, 0);
  const loaded = loadPlanInputs(f.paths);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  return loaded.inputs;
}

const ROUTES: Record<string, [string, string]> = {
  inside: ["rtt://t/file/in", "rtt://t/file/out#ndjson"],
  passwd: ["rtt://t/file/passwd", "rtt://t/file/out#ndjson"],
  escape: ["rtt://t/file/in", "rtt://t/file/escape#ndjson"],
  linked: ["rtt://t/file/in", "rtt://t/file/linked#ndjson"],
};

describe("file symbol paths at plan time", () => {
  it("refuses /etc/passwd, a ../ escape and a link out; wires the route inside", async () => {
    const { f, outside } = workspace();
    const plan = makePlan(await inputs(f, ROUTES), EMPTY_TOPOLOGY, 0);
    const problems = Object.fromEntries(planProblems(plan).map((p) => [p.route, p.problem]));
    assert.deepEqual(Object.keys(problems).sort(), ["escape", "linked", "passwd"]);
    assert.deepEqual(Object.keys(plan.desired.edges), ["inside"]);
    const root = f.paths.root;
    assert.match(
      problems.passwd ?? "",
      /^rtt:\/\/t\/file\/passwd@1\.0\.0#ndjson: path "\/etc\/passwd" leads to \/etc\/passwd, outside the workspace/,
    );
    assert.ok(problems.passwd?.includes(`outside the workspace ${root}`), problems.passwd);
    assert.match(
      problems.escape ?? "",
      /escape@1\.0\.0#ndjson: path "(\.\.\/)+tmp\/x-escape" leads to \/tmp\/x-escape,/,
    );
    assert.ok(problems.linked?.includes(`leads to ${join(outside, "x.ndjson")}`), problems.linked);
    assert.match(problems.linked ?? "", /security\.allow_paths/);
  });

  it("security.allow_paths admits a prefix outside, not its sibling", async () => {
    const { f, outside } = workspace();
    f.write(".rtt/panel.yaml", `security:\n  allow_paths: [${JSON.stringify(outside)}]\n`);
    const plan = makePlan(await inputs(f, ROUTES), EMPTY_TOPOLOGY, 0);
    const problems = planProblems(plan).map((p) => p.route);
    assert.deepEqual(problems.sort(), ["escape", "passwd"]);
    assert.ok(plan.desired.edges.linked !== undefined);
    f.write(".rtt/panel.yaml", `security:\n  allow_paths: [${JSON.stringify(`${outside}-not`)}]\n`);
    const again = makePlan(await inputs(f, ROUTES), EMPTY_TOPOLOGY, 0);
    assert.ok(planProblems(again).some((p) => p.route === "linked"));
  });

  it("a link made after the plan changes the plan's inputs", async () => {
    const { f, outside } = workspace();
    const before = makePlan(
      await inputs(f, { inside: ROUTES.inside as [string, string] }),
      EMPTY_TOPOLOGY,
      0,
    );
    assert.deepEqual(planProblems(before), []);
    rmSync(join(f.paths.root, "logs"), { recursive: true, force: true });
    symlinkSync(outside, join(f.paths.root, "logs"));
    const after = makePlan(
      await inputs(f, { inside: ROUTES.inside as [string, string] }),
      EMPTY_TOPOLOGY,
      0,
    );
    assert.notEqual(after.inputs_hash, before.inputs_hash);
    assert.match(
      planProblems(after)[0]?.problem ?? "",
      /out@1\.0\.0#ndjson: path "\.\.\/logs\/out\.ndjson" leads to/,
    );
  });

  it("rejects an allow_paths entry that is not an absolute normalized path", async () => {
    const { f } = workspace();
    for (const bad of ["relative/dir", "/a/../etc", "/a//b"]) {
      f.write(".rtt/panel.yaml", `security:\n  allow_paths: [${JSON.stringify(bad)}]\n`);
      const loaded = loadPlanInputs(f.paths);
      assert.equal(loaded.ok, false, bad);
      if (!loaded.ok) assert.match(JSON.stringify(loaded.diagnostics), /allow_paths/, bad);
    }
  });
});

/**
 * `rtt plan` with the real binary on temp copies of examples/quickstart: the Terraform-style
 * diff, `--detailed-exitcode`, `--json`, `-out FILE` (Terraform's spelling) saving exactly the
 * `--json` plan, a route that cannot be wired (exit 1, nothing saved), "No changes", and an
 * invalid routes.json reported at file:line:col.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  ANSI_CSI,
  copyQuickstart,
  parseJson,
  positionOf,
  removeTempDirs,
  runRtt,
  writeFile,
} from "./helpers.ts";

after(removeTempDirs);

interface PlanJson {
  readonly format: string;
  readonly base_seq: number;
  readonly edits: readonly {
    readonly action: string;
    readonly route: string;
    readonly after?: { readonly pattern: string; readonly lane: string };
  }[];
  readonly routes: readonly { readonly id: string; readonly problem?: string }[];
  readonly batches: readonly (readonly string[])[];
}

async function scanned(routes?: string): Promise<string> {
  const ws = copyQuickstart();
  if (routes !== undefined) writeFile(ws, ".rtt/routes.json", routes);
  const r = await runRtt(["scan"], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  return ws;
}

const UI_ONLY = `{
  "routes": [
    { "id": "ui-refresh", "from": "rtt://ui/hook/refresh", "to": "rtt://core/api/metrics@^1" }
  ]
}
`;

describe("rtt plan on the quickstart as shipped", () => {
  let ws = "";
  before(async () => {
    ws = await scanned();
  });

  it("prints ui-refresh as a create, with both ends, drivers, lane, pattern and reasons", async () => {
    const r = await runRtt(["plan"], { cwd: ws });
    assert.match(r.stdout, /^\+ route ui-refresh$/m);
    assert.match(
      r.stdout,
      /^ {4}rtt:\/\/ui\/hook\/refresh@1\.0\.0 \(process\) → rtt:\/\/core\/api\/metrics@1\.0\.0#prom \(http\)$/m,
    );
    assert.match(r.stdout, /^ {4}lane shm, reqrep, prio \d+$/m);
    assert.match(r.stdout, /^ {6}Pin rule pin\[0\] .* applies/m);
    assert.ok(!r.stdout.includes(ANSI_CSI), "no colour off a TTY");
  });

  it("both routes are creates: Plan: 2 to add, exit 0", async () => {
    const r = await runRtt(["plan"], { cwd: ws });
    assert.match(r.stdout, /^\+ route events-to-log$/m);
    assert.match(r.stdout, /^Plan: 2 to add, 0 to change, 0 to destroy\.$/m);
    assert.equal(r.code, 0);
  });

  it("--detailed-exitcode exits 2, --json has 2 edits", async () => {
    const d = await runRtt(["plan", "--detailed-exitcode"], { cwd: ws });
    assert.equal(d.code, 2);
    const j = await runRtt(["plan", "--json"], { cwd: ws });
    const plan = parseJson(j.stdout) as PlanJson;
    assert.deepEqual(
      plan.edits.map((e) => [e.action, e.route, e.after?.pattern]),
      [
        ["create", "events-to-log", "oneway"],
        ["create", "ui-refresh", "reqrep"],
      ],
    );
  });
});

describe("rtt plan -out on the quickstart as shipped", () => {
  it("-out plan.json writes exactly what --json prints", async () => {
    const ws = await scanned();
    const json = await runRtt(["plan", "--json"], { cwd: ws });
    assert.equal((parseJson(json.stdout) as PlanJson).edits.length, 2);
    const r = await runRtt(["plan", "-out", "plan.json"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(ws, "plan.json"), "utf8"), json.stdout);
  });
});

describe("rtt plan on the quickstart's ui-refresh route", () => {
  let ws = "";
  before(async () => {
    ws = await scanned(UI_ONLY);
  });

  it("prints the create and the Terraform summary, exit 0", async () => {
    const r = await runRtt(["plan"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^RTT will make these changes to the wired routes \(against nothing applied yet\):$/m,
    );
    assert.match(r.stdout, /^\+ route ui-refresh$/m);
    assert.ok(r.stdout.endsWith("Plan: 1 to add, 0 to change, 0 to destroy.\n"), r.stdout);
  });

  it("--detailed-exitcode exits 2 when there are changes", async () => {
    const r = await runRtt(["plan", "--detailed-exitcode"], { cwd: ws });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Plan: 1 to add/);
  });

  it("--json prints the plan: format, base seq 0, one create in one batch", async () => {
    const r = await runRtt(["plan", "--json"], { cwd: ws });
    assert.equal(r.code, 0);
    const plan = parseJson(r.stdout) as PlanJson;
    assert.equal(plan.format, "rtt.plan/v1");
    assert.equal(plan.base_seq, 0);
    assert.deepEqual(
      plan.edits.map((e) => [e.action, e.route, e.after?.lane, e.after?.pattern]),
      [["create", "ui-refresh", "shm", "reqrep"]],
    );
    assert.deepEqual(plan.batches, [["ui-refresh"]]);
  });

  it("-out FILE (and --out FILE) saves exactly the --json plan and says how to apply it", async () => {
    const json = await runRtt(["plan", "--json"], { cwd: ws });
    const r = await runRtt(["plan", "-out", "plan.json"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Saved the plan to plan\.json; apply it with: rtt apply plan\.json$/m);
    assert.equal(readFileSync(join(ws, "plan.json"), "utf8"), json.stdout);
    const long = await runRtt(["plan", "--out", "again.json", "--detailed-exitcode"], { cwd: ws });
    assert.equal(long.code, 2);
    assert.equal(readFileSync(join(ws, "again.json"), "utf8"), json.stdout);
  });

  it("two runs print byte-identical plans", async () => {
    const a = await runRtt(["plan", "--json"], { cwd: ws });
    const b = await runRtt(["plan", "--json"], { cwd: ws });
    assert.equal(a.stdout, b.stdout);
  });
});

describe("rtt plan: errors and no changes", () => {
  it("a route that cannot be wired is an error: exit 1 (also with --detailed-exitcode), not saved", async () => {
    const ws = await scanned(`{
  "routes": [
    { "id": "ui-refresh", "from": "rtt://ui/hook/refresh", "to": "rtt://core/api/metrics@^1" },
    { "id": "lost", "from": "rtt://ui/hook/refresh", "to": "rtt://nowhere/api/missing" }
  ]
}
`);
    const r = await runRtt(["plan", "--detailed-exitcode", "-out", "plan.json"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^! route lost: cannot be wired$/m);
    assert.match(r.stdout, /yields no candidate/);
    assert.match(r.stdout, /^Plan: 1 to add, 0 to change, 0 to destroy\. 1 route in error\.$/m);
    assert.match(r.stderr, /1 route cannot be wired/);
    assert.match(r.stderr, /the plan was not saved to plan\.json/);
    assert.equal(existsSync(join(ws, "plan.json")), false);
    const j = await runRtt(["plan", "--json"], { cwd: ws });
    assert.equal(j.code, 1);
    const plan = parseJson(j.stdout) as PlanJson;
    assert.match(plan.routes.find((x) => x.id === "lost")?.problem ?? "", /no candidate/);
  });

  it("no routes: No changes, exit 0 also with --detailed-exitcode", async () => {
    const ws = await scanned('{ "routes": [] }\n');
    const r = await runRtt(["plan", "--detailed-exitcode"], { cwd: ws });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "No changes. The wired routes match routes.json and policy.json.\n");
  });

  it("no routes.json at all is an error, not 'no routes' (which would unwire everything)", async () => {
    const ws = await scanned();
    rmSync(join(ws, ".rtt", "routes.json"));
    for (const args of [["plan"], ["apply", "--auto-approve"]]) {
      const r = await runRtt(args, { cwd: ws });
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stdout}`);
      assert.match(r.stderr, /\.rtt\/routes\.json.*RTT_ERR_DOC_UNREADABLE.*is missing/);
      assert.doesNotMatch(r.stdout, /destroy/);
    }
    assert.equal(existsSync(join(ws, ".rtt", "sockets", "panel.sock")), false, "no panel started");
  });

  it("an invalid routes.json: exit 1 with file:line:col, nothing planned", async () => {
    const text = `{
  "routes": [
    { "id": "ui-refresh", "from": "rtt://ui/hook/refresh", "to": 42 }
  ]
}
`;
    const ws = await scanned(text);
    const r = await runRtt(["plan"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const { line } = positionOf(text, '"to": 42');
    assert.match(
      r.stderr,
      new RegExp(`^\\.rtt/routes\\.json:${line}:\\d+: error RTT_ERR_DOC_SCHEMA`, "m"),
    );
    const j = await runRtt(["plan", "--json", "--detailed-exitcode"], { cwd: ws });
    assert.equal(j.code, 1);
    const body = parseJson(j.stdout) as { error: { code: string }; diagnostics: unknown[] };
    assert.equal(body.error.code, "RTT_ERR_DOC_SCHEMA");
    assert.ok(body.diagnostics.length > 0);
  });
});

/**
 * Issue 15, findings 4 and 5 (ADR 0022), with the real `rtt` and real processes on temp copies
 * of examples/quickstart, all under umask 000:
 *  - a file source `x-path: "/etc/passwd"` and a file target `x-path: "../../…/tmp/x-escape"`
 *    are refused by `rtt plan` and `rtt apply`, and nothing is written outside;
 *  - a file route inside the workspace carries its lines, and `security.allow_paths` admits a
 *    target in a folder outside it;
 *  - after the apply, every file under `.rtt/run` is 0600 and every folder 0700 — one an older
 *    RTT left readable included, tightened at the panel's start.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import type { QuickstartPolicy } from "../support/quickstart.ts";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { describeRun, makeTempDir } from "./helpers.ts";

const { use } = quickstartSuite(after);

let umask: number;
before(() => {
  // Each test file runs in a process of its own: rtt and everything it starts inherit this.
  umask = process.umask(0o000);
});
after(() => process.umask(umask));

const fileSymbol = (saddr: string, direction: string, path: string) =>
  `${JSON.stringify({ $schema: "https://rtt/spec/v1", symbol: { saddr, type: "file", direction, "x-path": path } })}\n`;

/** File routes on top of the quickstart's two (the policy allows rtt://t to rtt://t). */
function fileRoutes(ws: ReturnType<typeof use>, routes: Record<string, [string, string]>): void {
  ws.editJson<QuickstartPolicy & { allow: unknown[] }>(".rtt/policy.json", (p) => {
    p.allow.push({ from: "rtt://t/*/*", to: "rtt://t/*/*", scopes: ["*"] });
  });
  ws.editJson<{ routes: unknown[] }>(".rtt/routes.json", (file) => {
    for (const [id, [from, to]] of Object.entries(routes))
      file.routes.push({ id, from, to, params: { append: "lines", framing: "lines" } });
  });
}

describe("file symbols stay in the workspace", { timeout: 300_000 }, () => {
  it("plan and apply refuse the /etc/passwd source and the ../ target", async () => {
    const ws = use();
    const escapeName = `x-escape-${randomBytes(6).toString("hex")}`;
    const up = "../".repeat(ws.root.split("/").length + 2);
    ws.write("data/in.ndjson", '{"n":1}\n');
    ws.write(
      "data/rtt.manifest.json",
      fileSymbol("rtt://t/file/in@1.0.0#ndjson", "provider", "in.ndjson"),
    );
    ws.write(
      "sink/rtt.manifest.json",
      fileSymbol("rtt://t/file/out@1.0.0#ndjson", "consumer", "../logs/out.ndjson"),
    );
    ws.write(
      "evil/src/rtt.manifest.json",
      fileSymbol("rtt://t/file/passwd@1.0.0#ndjson", "provider", "/etc/passwd"),
    );
    ws.write(
      "evil/dst/rtt.manifest.json",
      fileSymbol("rtt://t/file/escape@1.0.0#ndjson", "consumer", `${up}tmp/${escapeName}`),
    );
    fileRoutes(ws, {
      steal: ["rtt://t/file/passwd", "rtt://t/file/out#ndjson"],
      spill: ["rtt://t/file/in", "rtt://t/file/escape#ndjson"],
    });
    await ws.ok(["scan"]);
    const plan = await ws.rtt(["plan"]);
    assert.equal(plan.code, 1, describeRun(plan));
    assert.match(plan.stdout, /! route steal: cannot be wired/);
    assert.match(
      plan.stdout,
      /passwd@1\.0\.0#ndjson: path "\/etc\/passwd" leads to \/etc\/passwd, outside the workspace/,
    );
    assert.match(plan.stdout, /! route spill: cannot be wired/);
    assert.ok(
      plan.stdout.includes(`leads to /tmp/${escapeName}, outside the workspace ${ws.root}`),
      plan.stdout,
    );
    const apply = await ws.rtt(["apply", "--auto-approve"]);
    assert.equal(apply.code, 1, describeRun(apply));
    assert.match(apply.stderr, /RTT_ERR_PLAN_INVALID|cannot be wired/);
    assert.equal(existsSync(`/tmp/${escapeName}`), false, "nothing was written outside");
    assert.equal(existsSync(ws.path("logs/out.ndjson")), false, "/etc/passwd was not copied in");
  });

  it("a route inside works, allow_paths admits a target outside; .rtt/run is private", async () => {
    const ws = use({ emit: { count: 20, intervalMs: 20 } });
    const outside = realpathSync(makeTempDir("rtt-allowed-"));
    ws.write("data/in.ndjson", '{"n":1}\n{"n":2}\n');
    ws.write(
      "data/rtt.manifest.json",
      fileSymbol("rtt://t/file/in@1.0.0#ndjson", "provider", "in.ndjson"),
    );
    ws.write(
      "sink/rtt.manifest.json",
      fileSymbol("rtt://t/file/out@1.0.0#ndjson", "consumer", "../logs/out.ndjson"),
    );
    ws.write(
      "away/rtt.manifest.json",
      fileSymbol("rtt://t/file/away@1.0.0#ndjson", "consumer", join(outside, "away.ndjson")),
    );
    fileRoutes(ws, {
      "file-inside": ["rtt://t/file/in", "rtt://t/file/out#ndjson"],
      "file-away": ["rtt://t/file/in", "rtt://t/file/away#ndjson"],
    });
    ws.editText(".rtt/panel.yaml", (t) =>
      t.replace("security:\n", `security:\n  allow_paths: [${JSON.stringify(outside)}]\n`),
    );
    // What an older RTT left: readable by others; the panel's start tightens it.
    mkdirSync(ws.path(".rtt/run/old"), { recursive: true, mode: 0o755 });
    chmodSync(ws.path(".rtt/run"), 0o755);
    chmodSync(ws.path(".rtt/run/old"), 0o755);
    writeFileSync(ws.path(".rtt/run/old/events"), "secret\n", { mode: 0o644 });

    await ws.ok(["scan"]);
    await ws.ok(["apply", "--auto-approve"]);
    await eventually(() => ws.count("logs/out.ndjson") >= 2, ws.wait("lines in logs/out.ndjson"));
    await eventually(
      () =>
        existsSync(join(outside, "away.ndjson")) &&
        readFileSync(join(outside, "away.ndjson"), "utf8").split("\n").length > 2,
      ws.wait("lines in the allowed folder outside"),
    );
    await eventually(() => ws.count("logs/events.ndjson") > 0, ws.wait("events logged"));
    assert.deepEqual(ws.read("logs/out.ndjson"), '{"n":1}\n{"n":2}\n');

    const run = ws.path(".rtt/run");
    const loose = walk(run).filter(({ mode, dir }) => mode !== (dir ? 0o700 : 0o600));
    assert.deepEqual(loose, [], "every folder under .rtt/run 0700, every file 0600");
    const files = walk(run)
      .filter((e) => !e.dir)
      .map((e) => e.path);
    for (const expected of ["seg-", "journal-source", "program.json", "delivered", "old/events"])
      assert.ok(
        files.some((f) => f.includes(expected)),
        `${expected} in ${files.join(", ")}`,
      );
    assert.equal(statSync(run).mode & 0o777, 0o700);
  });
});

/** Everything under `dir` (not following links): its path relative to `dir`, mode, kind. */
function walk(dir: string): { path: string; mode: number; dir: boolean }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isSymbolicLink())
    .map((e) => {
      const abs = join(e.parentPath, e.name);
      return { path: relative(dir, abs), mode: statSync(abs).mode & 0o777, dir: e.isDirectory() };
    });
}

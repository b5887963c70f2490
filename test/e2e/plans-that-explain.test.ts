/**
 * Plans that explain (issue 18), with the real binary on a wired quickstart copy: a manifest
 * the scan could not read makes `rtt plan` and `rtt apply` fail naming its file and line, and
 * never plans its route's destroy; a route whose target is really gone is unwired with the true
 * reason (it is still in routes.json); on a terminal `rtt rollback` shows what it will do and
 * asks like apply: anything but `yes` cancels it. (Without a terminal: rollback.test.ts.)
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { available, describeRun, positionOf, rttOnTty } from "./helpers.ts";

const { ws, use } = quickstartSuite();
const LOGGER = "services/logger/rtt.manifest.json";

async function wired(): Promise<string[]> {
  return (await ws().routes())
    .filter((x) => x.live?.wired === true)
    .map((x) => x.id)
    .sort();
}

describe("plans that explain", () => {
  it("a manifest with a syntax error fails plan and apply at its file:line, destroying nothing", async () => {
    use();
    await ws().ok(["scan"]);
    await ws().ok(["apply", "--auto-approve"]);
    assert.deepEqual(await wired(), ["events-to-log", "ui-refresh"]);

    // The comma after "type" gone: the logger, events-to-log's target, no longer parses.
    const text = ws().read(LOGGER).replace('"extension",', '"extension"');
    ws().write(LOGGER, text);
    const scan = await ws().rtt(["scan"]);
    assert.equal(scan.code, 1, describeRun(scan));

    const { line } = positionOf(text, '"direction"');
    const plan = await ws().rtt(["plan"]);
    assert.equal(plan.code, 1, describeRun(plan));
    assert.match(plan.stderr, new RegExp(`^${LOGGER}:${line}:\\d+: error RTT_ERR_`, "m"));
    assert.match(plan.stderr, /nothing was planned; fix the files above, then run `rtt scan`/);
    assert.doesNotMatch(plan.stdout, /destroy|- route/);
    const json = await ws().rtt(["plan", "--json"]);
    assert.equal(json.code, 1);
    assert.doesNotMatch(json.stdout, /"delete"/);

    const apply = await ws().rtt(["apply", "--auto-approve"]);
    assert.equal(apply.code, 1, describeRun(apply));
    assert.match(apply.stderr, new RegExp(`^${LOGGER}:${line}:`, "m"));
    assert.deepEqual(await wired(), ["events-to-log", "ui-refresh"], "nothing unwired");
  });

  it("a route whose target is gone is unwired as still in routes.json, not as removed", async () => {
    rmSync(ws().path(LOGGER));
    await ws().ok(["scan"]);
    const plan = await ws().rtt(["plan"]);
    assert.equal(plan.code, 1, "the route cannot be wired");
    assert.match(plan.stdout, /^- route events-to-log$/m);
    assert.match(plan.stdout, /^ {4}still in routes\.json, but it cannot be wired now: /m);
    assert.doesNotMatch(plan.stdout, /no longer in routes\.json/);
  });

  it("on a terminal, rollback shows its changes and asks; only yes rolls back", {
    skip: available("script", ["--version"]) ? false : "no `script` (util-linux) for a pseudo-TTY",
  }, async () => {
    // A fresh copy: both routes wired (commit `both`), then ui-refresh unwired.
    use();
    await ws().ok(["scan"]);
    await ws().ok(["apply", "--auto-approve"]);
    const both = (await ws().status()).committed_seq;
    ws().editJson<{ routes: { id: string }[] }>(".rtt/routes.json", (f) => {
      f.routes = f.routes.filter((r) => r.id !== "ui-refresh");
    });
    await ws().ok(["apply", "--auto-approve"]);
    assert.deepEqual(await wired(), ["events-to-log"]);

    const answer = (reply: string) =>
      rttOnTty(ws().root, ["rollback", String(both)], { NO_COLOR: "1" }, (out, type) => {
        if (out.endsWith("Enter a value: ")) type(`${reply}\r`);
      });
    const no = await answer("no");
    assert.equal(no.code, 1, no.out);
    assert.match(no.out, /^\+ route ui-refresh\r?$/m);
    assert.match(no.out, /Do you want to perform these actions\?/);
    assert.match(no.out, /Rollback cancelled\./);
    assert.equal((await ws().status()).routes, 1, "nothing rolled back");
    const yes = await answer("yes");
    assert.equal(yes.code, 0, yes.out);
    assert.match(yes.out, new RegExp(`Rolled back to commit ${both}: 1 added`));
    // ui-refresh wired again, though no longer in routes.json (the wiring, not the file).
    assert.equal((await ws().status()).routes, 2);
  });
});

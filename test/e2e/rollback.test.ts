/**
 * `rtt rollback` and the panel's lock, through the real binary on a temp copy of the quickstart:
 * apply both routes, apply again without one (it is unwired), roll back to the first commit (shown
 * and asked for like apply; then wired again, through the same two-phase path, and audited); a second panel for the same
 * .rtt/ is refused naming the first one's pid; a stale saved plan is refused.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { parseJson } from "./helpers.ts";

const { ws, use } = quickstartSuite();

async function wired(): Promise<string[]> {
  return (await ws().routes())
    .filter((x) => x.live?.wired === true)
    .map((x) => x.id)
    .sort();
}

describe("rollback, the panel's lock, stale plans", () => {
  it("rolls back to an earlier commit through the panel, and audits it", async () => {
    use();
    assert.equal((await ws().rtt(["scan"])).code, 0);
    const first = await ws().rtt(["apply", "--auto-approve", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const firstSeq = (parseJson(first.stdout) as { committed_seq: number }).committed_seq;
    assert.deepEqual(await wired(), ["events-to-log", "ui-refresh"]);

    // Drop ui-refresh from routes.json: the next apply unwires it.
    const routesFile = ws().path(".rtt", "routes.json");
    const routes = JSON.parse(readFileSync(routesFile, "utf8")) as { routes: { id: string }[] };
    writeFileSync(
      routesFile,
      JSON.stringify({ routes: routes.routes.filter((r) => r.id !== "ui-refresh") }),
    );
    const second = await ws().rtt(["apply", "--auto-approve"]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /0 added, 0 changed, 1 destroyed/);
    assert.deepEqual(await wired(), ["events-to-log"]);

    const list = await ws().rtt(["rollback", "--list", "--json"]);
    const commits = parseJson(list.stdout) as { seq: number; routes: string[] }[];
    const both = commits.find((c) => c.seq === firstSeq);
    assert.deepEqual(both?.routes, ["events-to-log", "ui-refresh"], list.stdout);
    assert.deepEqual(commits.at(-1)?.routes, ["events-to-log"]);
    // Each commit's routes with their targets: two commits that differ only there look apart.
    const plainList = await ws().rtt(["rollback", "--list"]);
    assert.match(plainList.stdout, /^SEQ\s+TX\s+ROUTES → TARGETS$/m);
    assert.match(plainList.stdout, /events-to-log → rtt:\/\/obs\/extension\/logger@1\.0\.0#ndjson/);
    // Like apply: without a terminal to ask at, refused until --auto-approve, nothing changed.
    const asked = await ws().rtt(["rollback", String(firstSeq)]);
    assert.equal(asked.code, 2, asked.stderr);
    assert.match(asked.stdout, /^\+ route ui-refresh$/m);
    assert.match(asked.stdout, /^Rollback: 1 to add, 0 to change, 0 to destroy\.$/m);
    assert.equal(
      asked.stderr,
      "rtt: rollback needs approval, and this is not a terminal (RTT_ERR_USAGE)\n  hint: pass --auto-approve to roll back without asking\n",
    );
    assert.deepEqual(await wired(), ["events-to-log"]);
    const back = await ws().rtt(["rollback", String(firstSeq), "--auto-approve"]);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /^\+ route ui-refresh$/m);
    assert.match(back.stdout, new RegExp(`Rolled back to commit ${firstSeq}: 1 added`));
    const again = await ws().rtt(["rollback", String(firstSeq), "--auto-approve"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `No changes. The wired routes are those of commit ${firstSeq}.\n`);
    // Rollback restores the wiring, not routes.json: ui-refresh is wired again, so a plan from
    // the files (which no longer name it) would unwire it.
    const plan = await ws().rtt(["plan", "--json"]);
    const edits = (parseJson(plan.stdout) as { edits: { action: string; route: string }[] }).edits;
    assert.deepEqual(
      edits.map((e) => `${e.action} ${e.route}`),
      ["delete ui-refresh"],
    );
    const ls = await ws().rtt(["ls", "routes"]);
    assert.match(ls.stdout, /wired but not in routes\.json: ui-refresh/);
    const audit = await ws().rtt(["audit", "--json"]);
    // Wiring records only: the health loop may add breaker trips and heals on a loaded machine.
    const records = audit.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; route: string; why: string })
      .filter((r) => r.action !== "trip" && r.action !== "heal");
    assert.deepEqual(
      records.map((r) => `${r.action} ${r.route}`),
      ["bind events-to-log", "bind ui-refresh", "unbind ui-refresh", "bind ui-refresh"],
    );
    assert.match(records.at(-1)?.why ?? "", /rollback to commit/);

    const listAndSeq = await ws().rtt(["rollback", "--list", "4"]);
    assert.equal(listAndSeq.code, 2, "a usage error");
    assert.match(listAndSeq.stderr, /--list takes no seq/);
    const unknown = await ws().rtt(["rollback", "999999"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no commit with seq 999999/);

    // A trip journals the breaker in a commit of its own, with the same topology: it is no
    // rollback target, so the list does not show it.
    const listed = async () =>
      (
        parseJson((await ws().rtt(["rollback", "--list", "--json"])).stdout) as { seq: number }[]
      ).map((c) => c.seq);
    const committedSeq = async () => (await ws().status()).committed_seq;
    const beforeTrip = await listed();
    const seqBeforeTrip = await committedSeq();
    const trip = await ws().rtt(["trip", "route/events-to-log"]);
    assert.equal(trip.code, 0, trip.stderr);
    // The breaker's journal commit follows the Trip's answer.
    let now = seqBeforeTrip;
    await eventually(
      async () => {
        now = await committedSeq();
        return now > seqBeforeTrip;
      },
      {
        ...ws().wait("the trip to be journaled"),
        detail: () => `committed_seq ${now}\n${ws().tail()}`,
      },
    );
    assert.deepEqual(await listed(), beforeTrip);
  });

  it("a second panel for the same workspace is refused, naming the running one's pid", async () => {
    const { pid } = await ws().status();
    const second = await ws().rtt(["panel", "run"]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`pid ${pid}`));
    assert.match(second.stderr, /RTT_ERR_WAL_LOCKED/);
    const start = await ws().rtt(["panel", "start"]);
    assert.equal(start.code, 0);
    assert.match(start.stdout, new RegExp(`already running \\(pid ${pid}\\)`));
  });

  it("a saved plan is refused once its inputs changed", async () => {
    const saved = ws().path("plan.json");
    writeFileSync(ws().path(".rtt", "routes.json"), JSON.stringify({ routes: [] }));
    const plan = await ws().rtt(["plan", "-out", saved]);
    assert.equal(plan.code, 0, plan.stderr);
    // Edited by hand (one of its deletes dropped, the inputs hash kept): refused, nothing applied.
    const planned = JSON.parse(readFileSync(saved, "utf8")) as {
      edits: { route: string }[];
      batches: string[][];
    };
    const kept = planned.edits[0]?.route;
    const edited = ws().path("edited-plan.json");
    writeFileSync(
      edited,
      JSON.stringify({
        ...planned,
        edits: planned.edits.slice(1),
        batches: planned.batches
          .map((b) => b.filter((r) => r !== kept))
          .filter((b) => b.length > 0),
      }),
    );
    const wiredBefore = await wired();
    const tampered = await ws().rtt(["apply", edited]);
    assert.equal(tampered.code, 1, tampered.stdout);
    assert.match(tampered.stderr, /is not the plan its inputs make/);
    assert.deepEqual(await wired(), wiredBefore, "nothing applied");
    writeFileSync(
      ws().path(".rtt", "routes.json"),
      JSON.stringify({
        routes: [
          { id: "events-to-log", from: "rtt://core/bus/events", to: "rtt://obs/extension/logger" },
        ],
      }),
    );
    const stale = await ws().rtt(["apply", saved]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /RTT_ERR_PLAN_STALE/);
    // Planned again from these inputs, the saved plan applies as planned.
    assert.equal((await ws().rtt(["plan", "-out", saved])).code, 0);
    const applied = await ws().rtt(["apply", saved]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /1 destroyed/);
    assert.deepEqual(await wired(), ["events-to-log"]);
    // A plan file that is not there: said so, not an internal error.
    const missing = await ws().rtt(["apply", ws().path("no-such-plan.json")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the plan file .*no-such-plan\.json: no such file/);
    assert.doesNotMatch(missing.stderr, /internal error|\n\s+at /);
    const stop = await ws().rtt(["panel", "stop"]);
    assert.equal(stop.code, 0);
  });
});

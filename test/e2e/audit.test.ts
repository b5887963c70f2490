/**
 * `rtt audit`: records appended through the panel's ledger API list and verify; one byte edited
 * in a middle record's `why` makes `rtt audit --verify` exit 1 naming that line.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, test } from "node:test";
import { AuditLedger, workspacePaths } from "@rtt/panel";
import { makeTempDir, removeTempDirs, runRtt, writeFile } from "./helpers.ts";

after(removeTempDirs);

function workspaceWithLedger(): { root: string; ledger: string } {
  const root = makeTempDir("rtt-e2e-audit-");
  writeFile(root, ".rtt/routes.json", '{ "routes": [] }\n');
  const paths = workspacePaths(root);
  let second = 0;
  const ledger = new AuditLedger(paths.audit, {
    clock: () => new Date(Date.UTC(2026, 10, 29, 9, 0, second++)),
    who: "alice@box",
  });
  ledger.append({
    action: "bind",
    route: "r1",
    why: "plan: new route",
    before: null,
    after: { to: "rtt://core/api/metrics@1", lane: "shm" },
  });
  ledger.append({
    action: "bind",
    route: "r2",
    why: "plan: new route",
    before: null,
    after: { to: "rtt://logs/sink/ndjson@1", lane: "uds" },
  });
  ledger.append({
    action: "trip",
    route: "r1",
    why: "5 errors in 5000 ms",
    before: { breaker: "closed" },
    after: { breaker: "open" },
    who: "panel",
  });
  ledger.append({
    action: "swap",
    route: "r1",
    why: "failover to spare",
    before: { to: "rtt://core/api/metrics@1" },
    after: { to: "rtt://core/api/metrics@1.1" },
  });
  // The ledger object writes its head once per event-loop turn; the tests edit the file now.
  ledger.flushHead();
  return { root, ledger: paths.audit };
}

test("rtt audit lists, filters and verifies an intact ledger", async () => {
  const { root } = workspaceWithLedger();

  const verify = await runRtt(["audit", "--verify"], { cwd: root });
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /^ledger intact: 4 records, head [0-9a-f]{12}\n$/);

  const list = await runRtt(["audit"], { cwd: root });
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^SEQ\s+AT\s+WHO\s+ACTION\s+ROUTE\s+CHANGE\s+WHY$/);
  assert.match(
    lines[3] ?? "",
    /^3\s+2026-11-29T09:00:02\.000Z\s+panel\s+trip\s+r1\s+breaker: closed → open\s.*5 errors in 5000 ms$/,
  );
  // What changed, whole: the target a swap moved to is not cut off.
  assert.match(
    lines[4] ?? "",
    /to: rtt:\/\/core\/api\/metrics@1 → rtt:\/\/core\/api\/metrics@1\.1\s/,
  );
  assert.equal(lines.at(-1), "4 records of 4");

  const json = await runRtt(["audit", "--json", "--route", "r1", "--limit", "2"], { cwd: root });
  assert.equal(json.code, 0, json.stderr);
  const records = json.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { seq: number; route: string; action: string });
  assert.deepEqual(
    records.map((r) => [r.seq, r.route, r.action]),
    [
      [3, "r1", "trip"],
      [4, "r1", "swap"],
    ],
  );

  const bad = await runRtt(["audit", "--limit", "0"], { cwd: root });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /RTT_ERR_USAGE/);
});

test("rtt audit --verify exits 1 naming the line whose `why` lost one byte's worth of truth", async () => {
  const { root, ledger } = workspaceWithLedger();
  const text = readFileSync(ledger, "utf8");
  const lines = text.split("\n");
  // Line 3 (a middle record): "5 errors" becomes "6 errors" — one byte.
  lines[2] = (lines[2] ?? "").replace('"why":"5 errors', '"why":"6 errors');
  const edited = lines.join("\n");
  assert.equal(edited.length, text.length);
  assert.notEqual(edited, text);
  writeFileSync(ledger, edited);

  const verify = await runRtt(["audit", "--verify"], { cwd: root });
  assert.equal(verify.code, 1);
  assert.equal(verify.stdout, "");
  assert.match(
    verify.stderr,
    /\.rtt\/audit\/ledger\.ndjson:3: ledger tampered: edited: record seq 3 was edited/,
  );
  assert.match(verify.stderr, /RTT_ERR_AUDIT_TAMPERED/);

  const json = await runRtt(["audit", "--verify", "--json"], { cwd: root });
  assert.equal(json.code, 1);
  const verdict = JSON.parse(json.stdout) as {
    ok: boolean;
    line: number;
    seq: number;
    problem: string;
  };
  assert.deepEqual(
    [verdict.ok, verdict.line, verdict.seq, verdict.problem],
    [false, 3, 3, "edited"],
  );

  const list = await runRtt(["audit"], { cwd: root });
  assert.equal(list.code, 1);
  assert.match(list.stderr, /ledger\.ndjson:3: edited/);
});

test("rtt audit --verify catches a deleted last record through the head", async () => {
  const { root, ledger } = workspaceWithLedger();
  const lines = readFileSync(ledger, "utf8").split("\n");
  writeFileSync(ledger, `${lines.slice(0, 3).join("\n")}\n`);
  const verify = await runRtt(["audit", "--verify"], { cwd: root });
  assert.equal(verify.code, 1);
  assert.match(
    verify.stderr,
    /ledger\.ndjson:4: ledger tampered: head-mismatch: .*last record was deleted/,
  );
});

/**
 * Identity in the audit (ADR 0019), with real processes on a quickstart copy: the records of an
 * apply name the uid and the pid of the `rtt apply` process that called the panel, as the kernel
 * reports them; a client's own `who` is kept only as `claimed_by`; a deleted ledger is reported
 * by `rtt audit --verify` from the WAL's anchors.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { after, test } from "node:test";
import { PanelConnection } from "@rtt/panel";
import { EVENTS_ROUTE } from "../support/quickstart.ts";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { childEnv, describeRun, RTT_BIN } from "../support/run-rtt.ts";

const { use } = quickstartSuite();
let conn: PanelConnection | undefined;
after(() => conn?.close());

interface Rec {
  seq: number;
  who: string;
  claimed_by?: string;
  action: string;
  route: string;
  after: { launch?: { to?: { manifest?: string; run?: unknown } } } | null;
}

test("audit records name the calling process; a client's claim is only claimed_by; a deleted ledger is reported", {
  skip: process.env.RTT_NO_NATIVE === "1" ? "needs the native addon" : false,
}, async () => {
  const ws = use();
  await ws.ok(["scan"]);
  // `rtt apply` run here, so its pid is known: it is the process that calls ApplyPlan.
  const child = spawn(process.execPath, [RTT_BIN, "apply", "--auto-approve"], {
    cwd: ws.root,
    env: childEnv(),
    stdio: "ignore",
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, ws.tail());

  conn = new PanelConnection(`unix://${ws.path(".rtt", "sockets", "panel.sock")}`);
  await conn.breaker("trip", EVENTS_ROUTE, "alice@payroll-server", "identity test");

  const listed = await ws.ok(["audit", "--json"]);
  const records = listed.stdout
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Rec);
  const uid = process.getuid?.();
  const binds = records.filter((r) => r.action === "bind");
  assert.ok(binds.length >= 2, listed.stdout);
  for (const r of binds) {
    assert.match(r.who, new RegExp(`^uid=${uid}(\\(\\S+\\))? pid=${child.pid}$`), r.who);
    // What `rtt apply` sent as its who: kept, as a claim.
    assert.equal(r.claimed_by, `${userInfo().username}@${hostname()}`);
  }
  // Each bind says what its target runs: the manifest and the argv.
  const events = binds.find((r) => r.route === EVENTS_ROUTE);
  assert.match(events?.after?.launch?.to?.manifest ?? "", /rtt\.manifest\.json$/);
  assert.ok(Array.isArray(events?.after?.launch?.to?.run), JSON.stringify(events));
  const trip = records.find((r) => r.action === "trip" && r.who !== "panel");
  assert.ok(trip !== undefined, listed.stdout);
  assert.match(trip.who, new RegExp(`^uid=${uid}(\\(\\S+\\))? pid=${process.pid}$`));
  assert.equal(trip.claimed_by, "alice@payroll-server");
  assert.ok(records.every((r) => r.who !== "alice@payroll-server"));

  const intact = await ws.rtt(["audit", "--verify"]);
  assert.equal(intact.code, 0, describeRun(intact));

  rmSync(ws.path(".rtt", "audit"), { recursive: true, force: true });
  const verify = await ws.rtt(["audit", "--verify"]);
  assert.equal(verify.code, 1, describeRun(verify));
  assert.match(verify.stderr, /ledger tampered: deleted: .*the ledger was deleted/);
  assert.match(verify.stderr, /RTT_ERR_AUDIT_TAMPERED/);

  // A panel started on it says so too.
  conn.close();
  conn = undefined;
  await ws.ok(["panel", "stop"]);
  await ws.ok(["panel", "start"]);
  const status = await ws.ok(["panel", "status", "--json"]);
  const { audit_problem } = JSON.parse(status.stdout) as { audit_problem: string };
  assert.match(audit_problem, /^deleted: /);
  assert.match(ws.panelLog(), /WARNING: audit ledger tampered: deleted: /);
});

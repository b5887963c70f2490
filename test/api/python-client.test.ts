/**
 * The panel API from another language: test/api/panel_client.py, with Debian's python3-grpcio
 * and no stubs generated from RTT's .proto files, finds the panel's services by server
 * reflection, builds their messages from the reflected descriptors and calls them — health
 * check, ListSymbols, a Health stream, the Audit stream, Status and QuickConnect — on a panel
 * wiring the quickstart's two routes, with a second logger to move events-to-log to.
 * scripts/ensure-test-deps.sh installs python3-grpcio before `npm test`; where it could not
 * (not root, no apt) this test skips, saying so.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { EVENTS_ROUTE, LOGGER2, LOGGER2_REF, QUICKSTART_ROUTES } from "../support/quickstart.ts";
import { describeRun, panelLogTail, REPO, run } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

/** Debian's packages serve Debian's interpreter first; any python3 with grpc will do. */
function pythonWithGrpc(): string | undefined {
  for (const python of ["/usr/bin/python3", "python3"]) {
    const probe = spawnSync(python, ["-c", "import grpc, google.protobuf"], { stdio: "ignore" });
    if (probe.status === 0) return python;
  }
  return undefined;
}

const python = pythonWithGrpc();
const skip =
  python === undefined
    ? "no python3 with grpcio: scripts/ensure-test-deps.sh installs Debian's python3-grpcio (as root)"
    : false;

interface ClientReport {
  readonly health: Record<string, string>;
  readonly services: { readonly v1: string[]; readonly v1alpha: string[] };
  readonly methods: string[];
  readonly symbols: { saddr: string; type: string; contract_hash: string; source_file: string }[];
  readonly health_samples: { route: string; ok: boolean; err: string; err_rate: number }[];
  readonly audit: { seq: number; action: string; route: string; hash: string; prev: string }[];
  readonly status: { pid: number; routes: number; committed_seq: number; root: string };
  readonly quick_connect: {
    route: string;
    changed: boolean;
    committed_seq: number;
    old_frames: number;
    old_to: string;
    new_to: string;
  }[];
  readonly audit_after_quick_connect: {
    seq: number;
    action: string;
    route: string;
    who: string;
    claimed_by: string;
  }[];
  readonly pid: number;
}

let panel: QuickstartPanel | undefined;

before(async () => {
  // QuickConnect moves events-to-log to the example's second logger (not in the failover list).
  if (skip === false) panel = await startQuickstartPanel();
});

after(async () => {
  await panel?.stop();
});

test("a Python grpcio client reflects the panel's API and calls it", { skip }, async () => {
  assert.ok(panel !== undefined && python !== undefined);
  const client = join(REPO, "test", "api", "panel_client.py");
  const qc = [EVENTS_ROUTE, LOGGER2_REF];
  const r = await run(python, [client, panel.socket, ...qc], {
    cwd: panel.root,
    timeoutMs: 90_000,
  });
  assert.equal(r.code, 0, `${describeRun(r)}\n${panelLogTail(panel.root)}`);
  const report = JSON.parse(r.stdout) as ClientReport;

  assert.deepEqual(report.health, { "": "SERVING", "rtt.panel.v1.Panel": "SERVING" });
  for (const version of ["v1", "v1alpha"] as const) {
    assert.ok(report.services[version].includes("rtt.panel.v1.Panel"), version);
    assert.ok(report.services[version].includes("grpc.health.v1.Health"), version);
  }
  for (const m of [
    "Status",
    "ListSymbols",
    "PlanRoutes",
    "Health",
    "Audit",
    "ApplyPlan",
    "QuickConnect",
  ])
    assert.ok(report.methods.includes(m), `reflected methods lack ${m}`);

  const catalog = JSON.parse(
    readFileSync(join(panel.root, ".rtt", "cache", "catalog.json"), "utf8"),
  ) as {
    symbols: { saddr: string; contract_hash: string; source: { file: string } }[];
  };
  assert.equal(report.symbols.length, 5, "the quickstart's five declared symbols (two loggers)");
  assert.deepEqual(
    report.symbols.map((s) => [s.saddr, s.contract_hash, s.source_file]),
    catalog.symbols.map((s) => [s.saddr, s.contract_hash, s.source.file]),
  );

  for (const route of QUICKSTART_ROUTES) {
    const samples = report.health_samples.filter((s) => s.route === route);
    assert.ok(samples.length >= 2, `${route}: ${samples.length} health samples`);
    for (const s of samples) assert.equal(s.err_rate, s.ok ? 0 : 1);
  }

  // The two binds, in a hash chain; the health loop may have added breaker trips and heals on a
  // loaded machine.
  const binds = report.audit.filter((e) => e.action === "bind");
  assert.deepEqual(binds.map((e) => e.route).sort(), [...QUICKSTART_ROUTES]);
  assert.equal(report.audit[0]?.seq, 1);
  for (let i = 1; i < report.audit.length; i++)
    assert.equal(report.audit[i]?.prev, report.audit[i - 1]?.hash, `record ${i + 1} chains`);

  assert.equal(report.status.routes, 2);
  assert.equal(report.status.root, panel.root);
  assert.ok(report.status.pid > 0);

  // QuickConnect moved events-to-log to the second logger; the same call again did nothing.
  const [first, again] = report.quick_connect;
  assert.ok(first !== undefined && again !== undefined, JSON.stringify(report.quick_connect));
  assert.equal(first.route, "events-to-log");
  assert.equal(first.changed, true);
  assert.equal(first.old_to, "rtt://obs/extension/logger@1.0.0#ndjson");
  assert.equal(first.new_to, LOGGER2);
  assert.ok(first.committed_seq > report.status.committed_seq, "the swap was journaled");
  assert.equal(again.changed, false);
  assert.equal(again.new_to, LOGGER2);
  const swaps = report.audit_after_quick_connect.filter(
    (e) => e.action === "swap" && e.who !== "panel",
  );
  assert.deepEqual(
    swaps.map((e) => e.route),
    ["events-to-log"],
    "one swap audited",
  );
  // Who asked is the Python process as the kernel names it (ADR 0019), not the `who` it sent.
  const who = swaps[0]?.who ?? "";
  assert.match(who, new RegExp(`^uid=${process.getuid?.()}(\\(\\S+\\))? pid=${report.pid}$`));
  assert.equal(swaps[0]?.claimed_by, "panel_client.py@test");
});

/**
 * The panel API from another language: test/api/panel_client.py, with Debian's python3-grpcio
 * and no stubs generated from RTT's .proto files, finds the panel's services by server
 * reflection, builds their messages from the reflected descriptors and calls them — health
 * check, ListSymbols, a Health stream, the Audit stream and Status — on a panel wiring the
 * quickstart's two routes. scripts/ensure-test-deps.sh installs python3-grpcio before
 * `npm test`; where it could not (not root, no apt) this test skips, saying so.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { REPO, run } from "../e2e/helpers.ts";
import {
  describeRun,
  panelLog,
  type QuickstartPanel,
  ROUTES,
  startQuickstartPanel,
} from "./quickstart-panel.ts";

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
}

let panel: QuickstartPanel | undefined;

before(async () => {
  if (skip === false) panel = await startQuickstartPanel();
});

after(async () => {
  await panel?.stop();
});

test("a Python grpcio client reflects the panel's API and calls it", { skip }, async () => {
  assert.ok(panel !== undefined && python !== undefined);
  const r = await run(python, [join(REPO, "test", "api", "panel_client.py"), panel.socket], {
    cwd: panel.root,
    timeoutMs: 90_000,
  });
  assert.equal(r.code, 0, `${describeRun(r)}\n--- panel log\n${panelLog(panel.root)}`);
  const report = JSON.parse(r.stdout) as ClientReport;

  assert.deepEqual(report.health, { "": "SERVING", "rtt.panel.v1.Panel": "SERVING" });
  for (const version of ["v1", "v1alpha"] as const) {
    assert.ok(report.services[version].includes("rtt.panel.v1.Panel"), version);
    assert.ok(report.services[version].includes("grpc.health.v1.Health"), version);
  }
  for (const m of ["Status", "ListSymbols", "PlanRoutes", "Health", "Audit", "ApplyPlan"])
    assert.ok(report.methods.includes(m), `reflected methods lack ${m}`);

  const catalog = JSON.parse(
    readFileSync(join(panel.root, ".rtt", "cache", "catalog.json"), "utf8"),
  ) as {
    symbols: { saddr: string; contract_hash: string; source: { file: string } }[];
  };
  assert.equal(report.symbols.length, 4);
  assert.deepEqual(
    report.symbols.map((s) => [s.saddr, s.contract_hash, s.source_file]),
    catalog.symbols.map((s) => [s.saddr, s.contract_hash, s.source.file]),
  );

  for (const route of ROUTES) {
    const samples = report.health_samples.filter((s) => s.route === route);
    assert.ok(samples.length >= 2, `${route}: ${samples.length} health samples`);
    for (const s of samples) assert.equal(s.err_rate, s.ok ? 0 : 1);
  }

  assert.deepEqual(
    report.audit.map((e) => [e.seq, e.action]),
    [
      [1, "bind"],
      [2, "bind"],
    ],
  );
  assert.deepEqual(report.audit.map((e) => e.route).sort(), [...ROUTES]);
  assert.equal(report.audit[1]?.prev, report.audit[0]?.hash);

  assert.equal(report.status.routes, 2);
  assert.equal(report.status.root, panel.root);
  assert.ok(report.status.pid > 0);
});

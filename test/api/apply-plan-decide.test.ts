/**
 * The panel decides, clients ask (issue 14, ADR 0012): on the quickstart with its routes wired
 * by a panel in the background, hand-made plans sent straight over gRPC ApplyPlan — one adding a
 * route whose params carry a shell command, one planning a route routes.json does not have, one
 * claiming other inputs — are refused with FAILED_PRECONDITION: nothing runs, nothing is
 * committed, the audit ledger is byte-identical. Route ids a request names are checked
 * (INVALID_ARGUMENT), on a unary and a streaming call. `rtt apply`, planned or from a saved
 * plan file, still applies.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  grpcTarget,
  LOCAL_CHANNEL_OPTIONS,
  type PanelClient,
  panelPackage,
  sentRttError,
} from "@rtt/connector-sdk";
import { PanelConnection } from "@rtt/panel";
import { EVENTS_ROUTE } from "../support/quickstart.ts";
import { describeRun } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

let panel: QuickstartPanel;
let conn: PanelConnection;
let raw: PanelClient;

before(async () => {
  panel = await startQuickstartPanel();
  conn = new PanelConnection(panel.listen);
  raw = new (panelPackage().Panel)(
    grpcTarget(panel.socket),
    grpc.credentials.createInsecure(),
    LOCAL_CHANNEL_OPTIONS,
  );
});

after(async () => {
  raw?.close();
  conn?.close();
  await panel?.stop();
});

/** How a call failed: its gRPC status, the RTT code in its trailers and its message. */
interface Failure {
  readonly status: grpc.status;
  readonly code: string | undefined;
  readonly message: string;
}

function failure(error: grpc.ServiceError): Failure {
  return { status: error.code, code: sentRttError(error)?.code, message: error.details };
}

function applyRaw(plan: unknown): Promise<Failure | "applied"> {
  const request = { plan_json: JSON.stringify(plan), who: "alice@payroll-server", why: "trust me" };
  return new Promise((resolve) =>
    raw.ApplyPlan(request, { deadline: Date.now() + 60_000 }, (error) =>
      resolve(error === null ? "applied" : failure(error)),
    ),
  );
}

function tripRaw(route: string): Promise<Failure | "tripped"> {
  return new Promise((resolve) =>
    raw.Trip({ route, who: "", why: "" }, { deadline: Date.now() + 10_000 }, (error) =>
      resolve(error === null ? "tripped" : failure(error)),
    ),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: hand-made plans are edited freely.
type AnyPlan = Record<string, any>;

/** The plan the panel would apply now (nothing to change), to edit by hand. */
async function panelsPlan(): Promise<AnyPlan> {
  return JSON.parse((await conn.planRoutes()).plan_json) as AnyPlan;
}

/** What must not move when a plan is refused. */
async function snapshot() {
  const status = await conn.status();
  return {
    committed_seq: Number(status.committed_seq),
    topology: status.topology_json,
    drivers: status.drivers.map((d) => `${d.name}:${d.pid}`).sort(),
    ledger: readFileSync(join(panel.root, ".rtt", "audit", "ledger.ndjson")),
  };
}

describe("ApplyPlan with a hand-made plan", () => {
  it("refuses a route the panel does not plan whose params carry a command: nothing runs or commits", async () => {
    const marker = join(panel.root, "MARKER");
    const before = await snapshot();
    const plan = await panelsPlan();
    assert.deepEqual(plan.edits, [], "the quickstart is wired: nothing to change");
    const edge = plan.desired.edges[EVENTS_ROUTE];
    const evil = {
      ...edge,
      route: "evil",
      params: { ...edge.params, command: ["sh", "-c", `touch ${marker}`] },
    };
    plan.edits = [{ action: "create", route: "evil", after: evil }];
    plan.batches = [["evil"]];
    plan.desired.edges.evil = evil;

    const answer = await applyRaw(plan);
    assert.notEqual(answer, "applied");
    assert.deepEqual(answer, {
      status: grpc.status.FAILED_PRECONDITION,
      code: "RTT_ERR_PLAN_MISMATCH",
      message: `the plan is not the one the panel makes from this workspace, nothing was applied: edits[0] "evil": not in the panel's plan`,
    });
    assert.equal(existsSync(marker), false);
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses a planned route routes.json does not have, and a plan from other inputs", async () => {
    const before = await snapshot();
    const extra = await panelsPlan();
    extra.routes.push({ ...extra.routes[0], id: "evil" });
    const answer = await applyRaw(extra);
    assert.ok(answer !== "applied");
    assert.equal(answer.status, grpc.status.FAILED_PRECONDITION);
    assert.equal(answer.code, "RTT_ERR_PLAN_MISMATCH");
    assert.match(answer.message, /routes\[2\] "evil": not in the panel's plan$/);

    const forged = await panelsPlan();
    forged.inputs_hash = "0".repeat(64);
    const stale = await applyRaw(forged);
    assert.ok(stale !== "applied");
    assert.deepEqual(
      [stale.status, stale.code],
      [grpc.status.FAILED_PRECONDITION, "RTT_ERR_PLAN_STALE"],
    );
    assert.deepEqual(await snapshot(), before);
  });

  it("refuses a plan naming a route id routes.json could not hold, before comparing it", async () => {
    const plan = await panelsPlan();
    plan.routes.push({ ...plan.routes[0], id: "../x" });
    const answer = await applyRaw(plan);
    assert.ok(answer !== "applied");
    assert.equal(answer.status, grpc.status.INVALID_ARGUMENT);
    assert.equal(answer.code, "RTT_ERR_REQUEST_INVALID");
    assert.match(
      answer.message,
      /^ApplyPlan\.plan_json \$\.routes\[2\]\.id: "\.\.\/x" is not a route id/,
    );
  });
});

describe("route ids in requests", () => {
  it("Trip refuses `../x` and a 300-character id with INVALID_ARGUMENT naming the field", async () => {
    const dots = await tripRaw("../x");
    assert.ok(dots !== "tripped");
    assert.deepEqual(
      [dots.status, dots.code],
      [grpc.status.INVALID_ARGUMENT, "RTT_ERR_REQUEST_INVALID"],
    );
    assert.match(dots.message, /^Trip\.route: "\.\.\/x" is not a route id/);
    const long = await tripRaw(`route/${"a".repeat(300)}`);
    assert.ok(long !== "tripped");
    assert.equal(long.status, grpc.status.INVALID_ARGUMENT);
    assert.match(
      long.message,
      /^Trip\.route: a route id has at most 100 characters; this one has 300$/,
    );
  });

  it("Health (a stream) refuses a bad route filter before streaming anything", async () => {
    const call = raw.Health({ route: "Bad Id", interval_ms: 50 });
    const got: unknown[] = [];
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      call.on("data", (d) => got.push(d));
      call.on("error", resolve);
    });
    assert.deepEqual(got, []);
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    assert.match(error.details, /^Health\.route: "Bad Id" is not a route id/);
  });
});

describe("rtt apply", () => {
  it("still applies a change to routes.json, planned on the spot and from a saved plan", async () => {
    const routesFile = join(panel.root, ".rtt", "routes.json");
    const routes = JSON.parse(readFileSync(routesFile, "utf8")) as AnyPlan;
    const events = routes.routes.find((r: AnyPlan) => r.id === EVENTS_ROUTE);
    events.params = { ...events.params, note: "first" };
    writeFileSync(routesFile, `${JSON.stringify(routes, null, 2)}\n`);
    const seq = Number((await conn.status()).committed_seq);
    const applied = await panel.rtt(["apply", "--auto-approve"]);
    assert.equal(applied.code, 0, describeRun(applied));
    assert.ok(Number((await conn.status()).committed_seq) > seq);

    events.params = { ...events.params, note: "second" };
    writeFileSync(routesFile, `${JSON.stringify(routes, null, 2)}\n`);
    const planned = await panel.rtt(["plan", "-out", "plan.json"]);
    assert.equal(planned.code, 0, describeRun(planned));
    const saved = await panel.rtt(["apply", "plan.json"]);
    assert.equal(saved.code, 0, describeRun(saved));
    const wired = JSON.parse((await conn.status()).topology_json) as AnyPlan;
    assert.equal(wired.edges[EVENTS_ROUTE].params.note, "second");
  });
});

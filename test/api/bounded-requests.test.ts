/**
 * A bounded panel API (issue 15, finding 7), against a real panel wired by `rtt apply` on the
 * quickstart: a plan of `[` × 10^6 is INVALID_ARGUMENT (never INTERNAL with a stack message); a
 * 100 KB QuickConnect `from` is refused with a short quote and the client's connection keeps
 * working; a Shutdown `reason` carrying a newline and ESC cannot forge a line of panel.log; a
 * route id `..` is refused by every call that takes one, and `.rtt/run` is left as it was.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  grpcTarget,
  LOCAL_CHANNEL_OPTIONS,
  type PanelClient,
  panelPackage,
  sentRttError,
} from "@rtt/connector-sdk";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

let panel: QuickstartPanel;
let raw: PanelClient;

before(async () => {
  panel = await startQuickstartPanel();
  raw = new (panelPackage().Panel)(
    grpcTarget(panel.socket),
    grpc.credentials.createInsecure(),
    LOCAL_CHANNEL_OPTIONS,
  );
});

after(async () => {
  raw?.close();
  await panel?.stop();
});

/** How a call ended: "ok", or its status, RTT code and message. */
type Ending = "ok" | { status: string; code: string | undefined; message: string };

function ending(error: grpc.ServiceError | null): Ending {
  if (error === null) return "ok";
  return {
    status: grpc.status[error.code],
    code: sentRttError(error)?.code,
    message: error.details,
  };
}

type Invoke = (
  options: grpc.CallOptions,
  done: (error: grpc.ServiceError | null) => void,
) => unknown;

function unary(invoke: Invoke): Promise<Ending> {
  return new Promise((resolve) =>
    invoke({ deadline: Date.now() + 60_000 }, (error) => resolve(ending(error))),
  );
}

function stream(call: grpc.ClientReadableStream<unknown>): Promise<Ending> {
  return new Promise((resolve) => {
    call.on("data", () => {
      call.cancel();
      resolve("ok");
    });
    call.on("error", (e: grpc.ServiceError) => resolve(ending(e)));
  });
}

const applyPlan = (plan_json: string) =>
  unary((o, cb) => raw.ApplyPlan({ plan_json, who: "", why: "" }, o, cb));
const statusPid = () =>
  new Promise<number>((resolve, reject) =>
    raw.Status({}, { deadline: Date.now() + 60_000 }, (e, s) =>
      e === null && s !== undefined ? resolve(s.pid) : reject(e),
    ),
  );

/** Every path under `dir` (relative), sorted: what `..` must not have touched. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((p) => relative(dir, join(dir, p)))
    .sort();
}

function invalid(e: Ending): { status: string; code: string | undefined; message: string } {
  assert.notEqual(e, "ok");
  if (e === "ok") throw new Error("unreachable");
  assert.equal(e.status, "INVALID_ARGUMENT", e.message);
  return e;
}

describe("request bounds", () => {
  it("a plan of `[` × 10^6, open or closed, is INVALID_ARGUMENT and the panel answers on", async () => {
    const open = invalid(await applyPlan("[".repeat(1_000_000)));
    assert.equal(open.code, "RTT_ERR_PLAN_INVALID");
    assert.ok(open.message.length < 300, open.message);
    const closed = invalid(await applyPlan(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`));
    assert.equal(closed.code, "RTT_ERR_PLAN_INVALID");
    const nested = invalid(
      await applyPlan(`{"a":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`),
    );
    assert.deepEqual(
      [nested.code, nested.message],
      ["RTT_ERR_REQUEST_INVALID", "ApplyPlan.plan_json: nested deeper than 32 levels; no plan is"],
    );
    // Past the largest request gRPC reads: refused before it is decoded.
    const huge = await applyPlan(" ".repeat(5 * 1024 * 1024));
    assert.ok(huge !== "ok");
    assert.equal(huge.status, "RESOURCE_EXHAUSTED");
    assert.equal(typeof (await statusPid()), "number");
  });

  it("a 100 KB QuickConnect `from` is refused with a short quote; the connection works on", async () => {
    const qc = (from: string) =>
      unary((o, cb) =>
        raw.QuickConnect({ from, to: "rtt://x/api/y@1.0.0", who: "", params: {} }, o, cb),
      );
    const address = invalid(await qc(`rtt://${"a".repeat(100_000)}`));
    assert.equal(address.code, "RTT_ERR_REQUEST_INVALID");
    assert.match(
      address.message,
      /^QuickConnect\.from: at most 1024 characters are accepted; this has 100006: "rtt:\/\/a{194}…" \(100006 characters\)$/,
    );
    const id = invalid(await qc("a".repeat(100_000)));
    assert.equal(
      id.message,
      "QuickConnect.from: a route id has at most 100 characters; this one has 100000",
    );
    assert.equal(typeof (await statusPid()), "number");
  });

  it("a Shutdown reason with a newline and ESC is refused, and logged on one escaped line", async () => {
    const reason = "bye\n2026-12-06T00:00:00.000Z FORGED panel stopped\u001b[2K";
    const refused = invalid(await unary((o, cb) => raw.Shutdown({ reason }, o, cb)));
    assert.match(
      refused.message,
      /^Shutdown\.reason: control character U\+000a at 3 in "bye\\n2026/,
    );
    assert.equal(typeof (await statusPid()), "number", "the panel runs on");
    const log = readFileSync(join(panel.root, ".rtt", "panel.log"), "utf8");
    const lines = log.split("\n").filter((l) => l.includes("FORGED"));
    assert.equal(lines.length, 1, log);
    const [line = ""] = lines;
    assert.match(line, /refused Shutdown from uid=\d+.*: Shutdown\.reason: control character/);
    assert.equal(line.includes("\u001b"), false);
    assert.ok(line.includes("\\n2026-12-06T00:00:00.000Z FORGED"), line);
  });

  it("a route id `..` is refused by every call that takes one; .rtt/run is as it was", async () => {
    const run = join(panel.root, ".rtt", "run");
    const before = tree(run);
    const plan = JSON.parse(
      await new Promise<string>((resolve, reject) =>
        raw.PlanRoutes({}, (e, p) => (e === null && p ? resolve(p.plan_json) : reject(e))),
      ),
    ) as { edits: unknown[]; batches: string[][] };
    plan.edits = [{ action: "delete", route: ".." }];
    plan.batches = [[".."]];
    const endings = {
      ApplyPlan: await applyPlan(JSON.stringify(plan)),
      Trip: await unary((o, cb) => raw.Trip({ route: "..", who: "", why: "" }, o, cb)),
      Heal: await unary((o, cb) => raw.Heal({ route: "route/..", who: "", why: "" }, o, cb)),
      QuickConnect: await unary((o, cb) =>
        raw.QuickConnect({ from: "..", to: "rtt://x/api/y@1.0.0", who: "", params: {} }, o, cb),
      ),
      Health: await stream(raw.Health({ route: "..", interval_ms: 50 })),
      Audit: await stream(raw.Audit({ route: "..", limit: 0, follow: false })),
    };
    for (const [call, e] of Object.entries(endings)) {
      const refused = invalid(e);
      assert.equal(refused.code, "RTT_ERR_REQUEST_INVALID", call);
      assert.match(refused.message, /"(route\/)?\.\." is not a route id/, call);
    }
    assert.deepEqual(tree(run), before);
    const status = await new Promise<{ routes: number }>((resolve, reject) =>
      raw.Status({}, (e, s) => (e === null && s ? resolve(s) : reject(e))),
    );
    assert.equal(status.routes, 2, "both routes stay wired");
  });
});

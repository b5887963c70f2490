/**
 * The panel API's read side through PanelConnection, on a panel wiring the quickstart's two
 * routes: ListSymbols filters as `rtt ls symbols` does, PlanRoutes gives the very bytes
 * `rtt plan --json` prints and refuses invalid inputs with their diagnostics, Health streams
 * samples of each route until cancelled, Audit lists the ledger and, following it, delivers the
 * record an apply appends — and a followed stream ends when the panel stops.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEventMessage, RouteHealthMessage } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { PanelConnection } from "@rtt/panel";
import { QUICKSTART_ROUTES } from "../support/quickstart.ts";
import { describeRun } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

let panel: QuickstartPanel;
let conn: PanelConnection;

before(async () => {
  panel = await startQuickstartPanel();
  conn = new PanelConnection(panel.listen);
});

after(async () => {
  conn?.close();
  await panel?.stop();
});

function catalog(): { saddr: string; type: string; contract_hash: string }[] {
  const path = join(panel.root, ".rtt", "cache", "catalog.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { symbols: ReturnType<typeof catalog> })
    .symbols;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RttError, String(e));
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  });
}

describe("ListSymbols", () => {
  it("streams every catalog symbol with its raw 32-byte contract hash", async () => {
    const symbols = await conn.listSymbols();
    assert.deepEqual(
      symbols.map((s) => [s.saddr, s.type, s.contract_hash.toString("hex")]),
      catalog().map((s) => [s.saddr, s.type, s.contract_hash]),
    );
    // The quickstart's five manifests (two loggers); emit.py, a shebang script the events
    // manifest runs, is no symbol of its own (ADR 0026).
    assert.deepEqual(
      symbols.map((s) => s.found_by),
      ["manifest", "manifest", "manifest", "manifest", "manifest"],
    );
    for (const s of symbols) {
      assert.equal(s.contract_hash.length, 32);
      assert.ok(s.direction !== "" && s.source_file !== "", JSON.stringify(s));
    }
  });

  it("filters by pattern and type as `rtt ls symbols` does", async () => {
    const core = await conn.listSymbols({ pattern: "rtt://core/*/*" });
    assert.deepEqual(
      core.map((s) => s.saddr),
      catalog()
        .map((s) => s.saddr)
        .filter((a) => a.startsWith("rtt://core/")),
    );
    const hooks = await conn.listSymbols({ type: "hook" });
    assert.deepEqual(
      hooks.map((s) => s.saddr),
      ["rtt://ui/hook/refresh@1.0.0"],
    );
    assert.deepEqual(await conn.listSymbols({ pattern: "rtt://core/*/*", type: "hook" }), []);
    await rejectsWith(conn.listSymbols({ type: "gadget" }), "RTT_ERR_USAGE", /gadget/);
    await rejectsWith(conn.listSymbols({ pattern: "not an address" }), "RTT_ERR_SADDR_SYNTAX");
  });
});

describe("PlanRoutes", () => {
  it("gives the bytes `rtt plan --json` prints: nothing to change after the apply", async () => {
    const plan = await conn.planRoutes();
    const cli = await panel.rtt(["plan", "--json"]);
    assert.equal(cli.code, 0, describeRun(cli));
    assert.equal(plan.plan_json, cli.stdout);
    assert.deepEqual(
      [plan.to_create, plan.to_replace, plan.to_delete, plan.unchanged, plan.problems],
      [0, 0, 0, 2, []],
    );
    const status = await conn.status();
    assert.equal(plan.base_seq, status.committed_seq);
  });

  it("refuses invalid inputs with RTT_ERR_DOC_SCHEMA and their diagnostics", async () => {
    const file = join(panel.root, ".rtt", "routes.json");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, '{ "routes": [ { "id": "x", "from": 3 } ] }\n');
    try {
      await rejectsWith(conn.planRoutes(), "RTT_ERR_DOC_SCHEMA", /routes\.json:\d+:\d+: error/);
    } finally {
      writeFileSync(file, good);
    }
  });
});

describe("Health", () => {
  it("streams samples of every wired route until cancelled", async () => {
    const stream = conn.health({ intervalMs: 50 });
    const seen = new Map<string, RouteHealthMessage[]>();
    for await (const s of stream) {
      seen.set(s.route, [...(seen.get(s.route) ?? []), s]);
      if (seen.size >= 2 && Math.min(...[...seen.values()].map((v) => v.length)) >= 2)
        stream.cancel();
    }
    assert.deepEqual([...seen.keys()].sort(), [...QUICKSTART_ROUTES]);
    for (const s of [...seen.values()].flat()) {
      assert.equal(s.err_rate, s.ok ? 0 : 1);
      assert.equal(s.ok, s.err === "");
      assert.ok(s.from_link?.driver && s.to_link?.driver, JSON.stringify(s));
      assert.ok(s.at_unix_ms > 0);
    }
  });

  it("samples one route, and says so when it is not wired", async () => {
    for (const [route, wired] of [
      ["ui-refresh", true],
      ["no-such-route", false],
    ] as const) {
      const stream = conn.health({ route, intervalMs: 50 });
      for await (const s of stream) {
        assert.equal(s.route, route);
        if (!wired) assert.match(s.err, /not wired/);
        else assert.equal(s.from_link?.link !== "", true);
        stream.cancel();
      }
    }
  });
});

describe("Audit", () => {
  const brief = (events: AuditEventMessage[]) => events.map((e) => [e.seq, e.action, e.route]);

  async function collect(q: Parameters<PanelConnection["audit"]>[0]) {
    const out: AuditEventMessage[] = [];
    for await (const e of conn.audit(q)) out.push(e);
    return out;
  }

  it("lists the ledger's records, by route and the newest few", async () => {
    const all = await collect({});
    assert.equal(all.length, 2);
    assert.deepEqual(
      all.map((e) => e.action),
      ["bind", "bind"],
    );
    assert.deepEqual(all.map((e) => e.route).sort(), [...QUICKSTART_ROUTES]);
    assert.equal(all[1]?.prev, all[0]?.hash);
    const edge = JSON.parse(all[0]?.after_json ?? "null") as { from?: string } | null;
    assert.equal(JSON.parse(all[0]?.before_json ?? ""), null);
    assert.match(edge?.from ?? "", /^rtt:\/\//);
    assert.deepEqual(brief(await collect({ route: "ui-refresh" })), [
      ...brief(all.filter((e) => e.route === "ui-refresh")),
    ]);
    assert.deepEqual(brief(await collect({ limit: 1 })), brief(all.slice(1)));
  });

  it("follows the ledger: an apply's unbind and its target's retirement arrive, and the stream ends with the panel", async () => {
    const stream = conn.audit({ follow: true });
    const events: AuditEventMessage[] = [];
    let retired: () => void = () => {};
    const sawRetire = new Promise<void>((resolve) => {
      retired = resolve;
    });
    const reading = (async () => {
      for await (const e of stream) {
        events.push(e);
        if (e.action === "retire") retired();
      }
    })();

    const file = join(panel.root, ".rtt", "routes.json");
    const routes = JSON.parse(readFileSync(file, "utf8")) as { routes: { id: string }[] };
    routes.routes = routes.routes.filter((r) => r.id !== "events-to-log");
    writeFileSync(file, `${JSON.stringify(routes, null, 2)}\n`);
    const plan = await conn.planRoutes();
    assert.deepEqual([plan.to_delete, plan.unchanged], [1, 1]);
    const applied = await panel.rtt(["apply", "--auto-approve"]);
    assert.equal(applied.code, 0, describeRun(applied));
    // The unbind, then the old target drained (ADR 0024).
    await sawRetire;
    assert.deepEqual(brief(events).slice(-2), [
      [3, "unbind", "events-to-log"],
      [4, "retire", "events-to-log"],
    ]);

    const stopped = await panel.rtt(["panel", "stop"]);
    assert.equal(stopped.code, 0, describeRun(stopped));
    await reading;
    assert.equal(events.length, 4);
  });
});

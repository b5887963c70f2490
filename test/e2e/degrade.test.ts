/**
 * Degrade modes through the real binary, on a temp copy of the quickstart (without its event
 * route) whose refresh hook asks the metrics API every 100 ms: `rtt trip` opens the refresh
 * route's breaker; the policy names no failover for it and the metrics API declares
 * `x-examples`, so the panel moves the route to the stub driver — the hook's answers
 * (logs/refresh.ndjson) become the example's (all-zero series). `rtt ls routes` and `rtt tap`
 * say it is degraded, and a restarted panel keeps it so (the WAL journals the stub as the
 * route's target). `rtt heal` moves it back to the real API, whose answers count its requests.
 * `rtt audit` has trip, degrade, heal and restore, in that order. The health loop may trip and
 * heal on its own under load, so only the order of what follows each command is asserted,
 * never how long anything took.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { parseJson, readNdjson } from "./helpers.ts";

const { ws, use } = quickstartSuite();

interface Refresh {
  readonly status: number;
  readonly series: { readonly http_requests_total?: number } | null;
}

function refreshes(): Refresh[] {
  return readNdjson<Refresh>(ws().path("logs", "refresh.ndjson"));
}

/** The metrics API counts its requests; the declared example's series are all zero. */
const fromStub = (r: Refresh) => r.status === 200 && r.series?.http_requests_total === 0;
const fromApi = (r: Refresh) => r.status === 200 && (r.series?.http_requests_total ?? 0) > 0;

describe("degrade to a stub of the declared examples", () => {
  it("trip moves the refresh route to the stub, heal back to the API; audited", async () => {
    // Only the refresh route: the event stream is another test's business.
    use({ refreshIntervalMs: 100, routes: ["ui-refresh"] });
    await scanAndApply(ws());
    await eventually(() => refreshes().some(fromApi), ws().wait("the API's answers"));

    const trip = await ws().rtt(["trip", "route/ui-refresh", "--why", "e2e", "--json"]);
    assert.equal(trip.code, 0, trip.stderr);
    assert.equal((parseJson(trip.stdout) as { state: string }).state, "open");
    let seen = refreshes().length;
    await eventually(() => refreshes().slice(seen).some(fromStub), ws().wait("the stub's answers"));

    const refresh = await ws().wiredRoute("ui-refresh");
    assert.equal(refresh?.degraded, true);
    assert.equal(refresh?.to, "rtt://core/api/metrics@1.0.0#prom", "the same symbol");
    assert.equal(refresh?.to_link.driver, "stub");
    const [sample] = await ws().tap("ui-refresh", 1);
    assert.deepEqual([sample?.breaker, sample?.to_link.driver], ["open", "stub"]);
    const human = await ws().rtt(["ls", "routes"]);
    assert.match(human.stdout, /metrics@1\.0\.0#prom \(degraded: a stub answers\)/);
    // The stub is the panel's stand-in, not drift: plan and apply leave it.
    const plan = await ws().rtt(["plan", "--detailed-exitcode"]);
    assert.equal(plan.code, 0, `plan wanted to change a degraded route:\n${plan.stdout}`);
    assert.match(plan.stdout, /route ui-refresh is degraded: a stub answers for its target/);
    const reapply = await ws().rtt(["apply", "--auto-approve"]);
    assert.equal(reapply.code, 0, reapply.stderr);
    assert.match(reapply.stdout, /No changes/);

    // Journaled like any rewiring: a restarted panel keeps the route degraded, breaker open.
    assert.equal((await ws().rtt(["panel", "stop"])).code, 0);
    assert.equal((await ws().rtt(["panel", "start"])).code, 0);
    assert.equal((await ws().wiredRoute("ui-refresh"))?.degraded, true);
    seen = refreshes().length;
    await eventually(
      () => refreshes().slice(seen).some(fromStub),
      ws().wait("the stub's answers after the restart"),
    );

    const heal = await ws().rtt(["heal", "route/ui-refresh", "--json"]);
    assert.equal(heal.code, 0, heal.stderr);
    seen = refreshes().length;
    await eventually(
      () => refreshes().slice(seen).some(fromApi),
      ws().wait("the API's answers again"),
    );

    const audit = await ws().rtt(["audit", "--json", "--route", "ui-refresh"]);
    const actions = audit.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; who: string });
    const at = (action: string, who: string, from = 0) =>
      actions.findIndex((a, i) => i >= from && a.action === action && a.who === who);
    const tripped = actions.findIndex((a) => a.action === "trip" && a.who !== "panel");
    const degraded = at("degrade", "panel", tripped);
    const healed = actions.findIndex(
      (a, i) => i > degraded && a.action === "heal" && a.who !== "panel",
    );
    const restored = at("restore", "panel", healed);
    assert.ok(
      tripped >= 0 && degraded > tripped && healed > degraded && restored > healed,
      `trip → degrade → heal → restore in ${JSON.stringify(actions.map((a) => `${a.who}:${a.action}`))}`,
    );
    const log = ws().panelLog();
    assert.match(
      log,
      /route ui-refresh: degraded: the stub answers for rtt:\/\/core\/api\/metrics/,
    );
    assert.match(
      log,
      /route ui-refresh: restored: rtt:\/\/core\/api\/metrics@1\.0\.0#prom answers again/,
    );
    const verify = await ws().rtt(["audit", "--verify"]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.equal((await ws().rtt(["panel", "stop"])).code, 0);
  });
});

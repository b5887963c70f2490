/**
 * Request/response routes move (ADR 0013 §Request/response moves), through the real binary on a
 * temp copy of the quickstart: the UI hook asks the metrics API in a loop (one request at a
 * time, each answered before the next), and a second API — a copy of metrics whose series say
 * `served_by: "backup"` — stands by. Every answer is a line of logs/refresh.ndjson, and each
 * server numbers the requests it got (`http_requests_total`), so a request answered twice shows
 * as a number repeated, one lost as a hook that stops asking. `rtt qc` moves ui-refresh to the
 * backup mid-loop; then `rtt trip` fails it over to the next target of the policy's failover
 * list (back to metrics), and `rtt heal` closes the breaker again.
 */
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import type { QuickstartPolicy } from "../support/quickstart.ts";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { parseJson, readNdjson } from "./helpers.ts";

const ROUTE = "ui-refresh";
const METRICS = "rtt://core/api/metrics@1.0.0#prom";
const BACKUP = "rtt://core/api/backup@1.0.0#prom";
const { ws, use } = quickstartSuite();

interface Answer {
  readonly status: number;
  readonly series: { readonly served_by?: string; readonly http_requests_total: number } | null;
}

/** The hook's answers so far, in order, each as [who answered, that server's request number]. */
const answers = (): [string, number][] =>
  readNdjson<Answer>(ws().path("logs", "refresh.ndjson")).map((a) => {
    assert.equal(a.status, 200, `an answer: ${JSON.stringify(a)}`);
    return [a.series?.served_by ?? "metrics", a.series?.http_requests_total ?? -1];
  });

/**
 * The answers as runs of one server each: within a run the server's numbers go up by one, so
 * no request of the hook was answered twice (a repeat) or dropped by the route (a gap).
 */
function runs(list: [string, number][]): { by: string; count: number }[] {
  const out: { by: string; count: number; last: number }[] = [];
  for (const [by, n] of list) {
    const run = out.at(-1);
    if (run?.by === by) {
      assert.equal(
        n,
        run.last + 1,
        `${by}'s request numbers go up by one: ${JSON.stringify(list)}`,
      );
      run.count++;
      run.last = n;
    } else out.push({ by, count: 1, last: n });
  }
  return out.map(({ by, count }) => ({ by, count }));
}

/** The quickstart with only ui-refresh, asking every 10 ms, and the backup API beside metrics. */
function setUp(): void {
  use({
    refreshIntervalMs: 10,
    routes: [ROUTE],
    policy: (policy: QuickstartPolicy) => {
      // The pin would keep the hook on metrics; the failover list names both APIs in order.
      delete policy.pin;
      policy.failover = [
        {
          route:
            "rtt://ui/hook/refresh -> [rtt://core/api/metrics#prom, rtt://core/api/backup#prom]",
          health: "p95<60000ms",
        },
      ];
    },
  });
  cpSync(ws().path("services", "metrics"), ws().path("services", "backup"), { recursive: true });
  ws().editManifest("services/backup/rtt.manifest.json", (symbol) => {
    symbol.saddr = BACKUP;
  });
  ws().editText("services/backup/server.mjs", (text) =>
    text.replace("return { uptime_seconds", 'return { served_by: "backup", uptime_seconds'),
  );
}

describe("request/response routes move", () => {
  it("qc under a loop of requests: each answered once, none lost, later ones by the new API", async () => {
    setUp();
    await scanAndApply(ws());
    await eventually(() => answers().length >= 20, ws().wait("metrics answers the hook"));

    const qc = await ws().rtt(["qc", `${ROUTE} -> ${BACKUP}`, "--json"]);
    assert.equal(qc.code, 0, `${qc.stderr}\n${ws().tail()}`);
    const swap = parseJson(qc.stdout) as { changed: boolean; new_to: string; warm: boolean };
    assert.equal(swap.changed, true);
    assert.equal(swap.new_to, BACKUP);
    assert.equal(swap.warm, false);

    const atSwap = answers().length;
    await eventually(
      () => answers().length >= atSwap + 30,
      ws().wait("the hook keeps asking, the backup answering"),
    );
    const got = runs(answers());
    assert.deepEqual(
      got.map((r) => r.by),
      ["metrics", "backup"],
      "metrics answered until the swap, the backup after it",
    );
    assert.ok((got[1]?.count ?? 0) >= 30);
    assert.equal((await ws().wiredRoute(ROUTE))?.to, BACKUP);
  });

  it("trip fails the api route over to the next of its failover list; heal closes the breaker", async () => {
    const trip = await ws().rtt(["trip", `route/${ROUTE}`, "--why", "e2e", "--json"]);
    assert.equal(trip.code, 0, trip.stderr);
    await eventually(
      () => ws().panelLog().includes(`route ${ROUTE}: failed over to ${METRICS}`),
      ws().wait("the failover to metrics"),
    );
    const atFailover = answers().length;
    await eventually(
      () => answers().length >= atFailover + 30,
      ws().wait("the hook keeps asking, metrics answering again"),
    );
    const got = runs(answers());
    assert.deepEqual(
      got.map((r) => r.by),
      ["metrics", "backup", "metrics"],
      "answered by the target of the failover, not a stub",
    );
    const live = await ws().wiredRoute(ROUTE);
    assert.equal(live?.to, METRICS);
    assert.equal(live?.degraded, false);

    const heal = await ws().rtt(["heal", `route/${ROUTE}`, "--json"]);
    assert.equal(heal.code, 0, heal.stderr);
    await eventually(
      () => new RegExp(`${ROUTE}: breaker half-open → closed`).test(ws().panelLog()),
      ws().wait("the breaker to close after the half-open trial"),
    );
    const audit = await ws().rtt(["audit", "--json", "--route", ROUTE]);
    const records = audit.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; who: string; after: { to?: string } });
    assert.deepEqual(
      records.filter((r) => r.action === "swap").map((r) => [r.who !== "panel", r.after.to]),
      [
        [true, BACKUP],
        [false, METRICS],
      ],
      "the qc and the failover, audited as swaps",
    );
  });
});

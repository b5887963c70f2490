/**
 * A dead HTTP upstream counts (issue 16, "errors are errors"), through the real binary on a temp
 * copy of the quickstart (its refresh route only): the metrics API is a real process on a
 * loopback port this test starts (`node server.mjs <port>`), reached through `x-url`, and the
 * refresh hook asks it every 100 ms. Killed, every request is answered 502 by the http driver:
 * those count as the route's errors, so the error rate rises (tap), the breaker opens at
 * panel.yaml's trip threshold (8 here) and — the policy names no failover for this route — the
 * stub of the API's declared examples takes over. The upstream restarted and `rtt heal`, the
 * API's answers come back and the breaker closes. The driver logs the upstream's going down
 * once per link, not once per request. Only the order of events is asserted, never how long
 * anything took.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { quickstartSuite, scanAndApply, type TapSample } from "../support/quickstart-workspace.ts";
import { childEnv, RTT_BIN, readNdjson } from "./helpers.ts";

const { ws, use } = quickstartSuite();

interface Refresh {
  readonly status: number;
  readonly series: { readonly http_requests_total?: number } | null;
}

const refreshes = () => readNdjson<Refresh>(ws().path("logs", "refresh.ndjson"));
/** The metrics API counts its requests; the declared example's series are all zero. */
const fromStub = (r: Refresh) => r.status === 200 && r.series?.http_requests_total === 0;
const fromApi = (r: Refresh) => r.status === 200 && (r.series?.http_requests_total ?? 0) > 0;

/** A loopback port free now (the upstream takes it, and takes it again after its restart). */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const address = probe.address();
  probe.close();
  assert.ok(address !== null && typeof address === "object");
  return address.port;
}

const upstreams: ChildProcess[] = [];
after(() => {
  for (const u of upstreams) if (u.exitCode === null && u.signalCode === null) u.kill("SIGKILL");
});

/** The quickstart's metrics API on `port`, listening. */
async function startUpstream(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["server.mjs", String(port)], {
    cwd: ws().path("services", "metrics"),
    stdio: ["ignore", "pipe", "inherit"],
  });
  upstreams.push(child);
  // It says nothing until it listens; then the port answers.
  await eventually(
    () =>
      fetch(`http://127.0.0.1:${port}/series`).then(
        (r) => r.ok,
        () => false,
      ),
    { what: `the metrics API on port ${port}`, intervalMs: 50 },
  );
  return child;
}

/**
 * `rtt tap --json` on the route, `count` samples 250 ms apart, running once its first sample
 * came; `done` has them all.
 */
async function tapping(count: number): Promise<{ done: Promise<TapSample[]> }> {
  const args = ["tap", "route/ui-refresh", "--json", "--count", String(count), "--interval", "250"];
  const child = spawn(process.execPath, [RTT_BIN, ...args], {
    cwd: ws().root,
    env: childEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  const first = Promise.withResolvers<void>();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    text += d;
    if (text.includes("\n")) first.resolve();
  });
  const closed = once(child, "close");
  await Promise.race([first.promise, closed]);
  const done = closed.then(() =>
    text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TapSample),
  );
  return { done };
}

describe("a dead upstream behind an api route", () => {
  it("errors rise, the breaker opens at its threshold, the stub takes over; heal brings it back", async () => {
    use({ refreshIntervalMs: 100, routes: ["ui-refresh"] });
    const port = await freePort();
    ws().editManifest("services/metrics/rtt.manifest.json", (symbol) => {
      delete symbol["x-run"];
      symbol["x-url"] = `http://127.0.0.1:${port}`;
    });
    ws().editText(".rtt/panel.yaml", (text) =>
      text.replace(/trip_threshold: \{[^}]*\}/, "trip_threshold: { errors: 8, window_ms: 60000 }"),
    );
    let upstream = await startUpstream(port);
    await scanAndApply(ws());
    await eventually(() => refreshes().some(fromApi), ws().wait("the API's answers"));

    // Sampled while the upstream dies: the route's error rate on its real target, then the stub.
    const tap = await tapping(40);
    const seen = refreshes().length;
    upstream.kill("SIGKILL");
    await once(upstream, "exit");
    await eventually(
      () => refreshes().slice(seen).some(fromStub),
      ws().wait("the stub's answers once the upstream is gone"),
    );
    const failed = refreshes()
      .slice(seen)
      .filter((r) => r.status === 502).length;
    // Each failed request is one of the threshold's (a down sample with none new counts one too).
    assert.ok(failed >= 1, `${failed} requests answered 502 before the stub took over`);
    const log = ws().panelLog();
    const opens = [...log.matchAll(/route ui-refresh: breaker (?:closed|half-open) → open: (.*)/g)];
    assert.match(opens[0]?.[1] ?? "", /^8 errors in 60000 ms/, `first open: ${opens[0]?.[0]}`);
    // One line per link the outage met (each trial is a new link), not one per request.
    // The first failure is a refused connect, or a kept-alive connection the kill reset.
    const downs = log.match(/http driver: \S+: upstream down: /g)?.length ?? 0;
    assert.ok(
      downs >= 1 && downs <= opens.length,
      `${downs} down lines, ${opens.length} opens\n${log.split("\n").slice(-30).join("\n")}`,
    );

    const samples = await tap.done;
    const onApi = samples.filter((s) => s.to_link.driver === "http");
    assert.ok(
      onApi.some((s) => s.err_rate > 0 && s.to_link.errors > 0),
      `no sample of the real target with errors: ${JSON.stringify(onApi.map((s) => [s.breaker, s.err_rate, s.to_link.errors]))}`,
    );
    // Degraded while open (a half-open trial may have moved it back to the dead upstream since).
    assert.ok(samples.some((s) => s.breaker === "open" && s.to_link.driver === "stub"));
    assert.match(ws().panelLog(), /route ui-refresh: degraded: the stub answers/);

    // Back: the upstream restarted on its port, and the half-open test.
    upstream = await startUpstream(port);
    const heal = await ws().rtt(["heal", "route/ui-refresh", "--json"]);
    assert.equal(heal.code, 0, heal.stderr);
    const back = refreshes().length;
    await eventually(
      () => refreshes().slice(back).some(fromApi),
      ws().wait("the API's answers once it is back"),
    );
    await eventually(async () => (await ws().wiredRoute("ui-refresh"))?.breaker === "closed", {
      ...ws().wait("the breaker closed"),
      intervalMs: 500,
    });
    assert.match(ws().panelLog(), /route ui-refresh: breaker half-open → closed/);
    assert.equal((await ws().rtt(["panel", "stop"])).code, 0);
  });
});

/**
 * `rtt ui` in a real browser: Debian's chromium, driven by playwright-core, on the page `rtt ui`
 * serves for a temp copy of the quickstart. Started before any panel, the page draws routes.json
 * grey; once `rtt apply` wires both routes it draws them as wired, follows the panel's health,
 * trips a route from its own button (the edge turns red, the panel agrees, the audit tail says
 * so) and heals it (green again). Screenshots go to the test's temp folder; with
 * RTT_UI_SCREENSHOT=<file> one is also saved there (how docs/img/ui.png is made). The page's own
 * measurements — load to first graph drawn, and a health sample's send to its edge redrawn — are
 * reported as diagnostics, not asserted. Skips only when chromium is not installed
 * (scripts/ensure-test-deps.sh installs it).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { quickstartSuite } from "../support/quickstart-workspace.ts";
import { childEnv, makeTempDir, parseJson, REPO, RTT_BIN } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM)
  ? false
  : `no ${CHROMIUM}: scripts/ensure-test-deps.sh installs Debian's chromium (apt-get install chromium)`;

/** The colours the page draws breakers in, as the browser reports them (model.ts). */
const GREEN = "rgb(46,125,50)";
const GREY = "rgb(158,158,158)";
const RED = "rgb(198,40,40)";
const WAIT_MS = 60_000;

const { ws, use } = quickstartSuite();
let ui: ChildProcess | undefined;
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  if (ui?.exitCode === null) {
    ui.kill("SIGINT");
    await new Promise((resolve) => ui?.once("exit", resolve));
  }
});

/** `rtt ui --json` in the copy: resolves with the page's address once it serves. */
function startUi(root: string): Promise<{ url: string; listen: string }> {
  const child = spawn(process.execPath, [RTT_BIN, "ui", "--listen", "127.0.0.1:0", "--json"], {
    cwd: root,
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  ui = child;
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.trimEnd().endsWith("}")) resolve(parseJson(out) as { url: string; listen: string });
    });
    child.once("exit", (code) => reject(new Error(`rtt ui exited ${code}: ${out}${err}`)));
  });
}

interface DrawnEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly breaker: string;
  readonly drawn: string;
}

interface PageGraph {
  readonly firstDrawMs?: number;
  readonly redrawMs: number[];
  edges(): DrawnEdge[];
}

const drawn = (page: Page) =>
  page.evaluate(() => {
    const g = (globalThis as unknown as { rttGraph?: PageGraph }).rttGraph;
    return g?.firstDrawMs === undefined
      ? undefined
      : { firstDrawMs: g.firstDrawMs, redrawMs: g.redrawMs, edges: g.edges() };
  });

async function edgeColour(page: Page, route: string, colour: string, what: string) {
  let last = "";
  await eventually(
    async () => {
      const edge = (await drawn(page))?.edges.find((e) => e.id === route);
      last = JSON.stringify(edge);
      return edge?.drawn === colour;
    },
    { what, timeoutMs: WAIT_MS, intervalMs: 100, detail: () => `${last}\n${ws().tail(15)}` },
  );
}

/** A plain HTTP request to the ui server, with the headers given (Host included). */
function httpStatus(
  base: string,
  path: string,
  method: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end(method === "POST" ? '{"route":"events-to-log"}' : undefined);
  });
}

const percentile = (xs: readonly number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

describe("rtt ui in a browser", { skip }, () => {
  it("draws both routes, follows their health, trips and heals a route from the page", async (t) => {
    use({ emit: { count: 0, intervalMs: 20 }, refreshIntervalMs: 200 });
    await ws().ok(["scan"]);
    // Started before any panel: the page shows routes.json, then follows the panel apply starts.
    const { url } = await startUi(ws().root);
    const base = url.slice(0, url.indexOf("#"));
    // Outside the page: another Host, or an action without the secret, is refused.
    assert.equal(await httpStatus(base, "/", "GET", { host: "rebind.example" }), 403);
    const post = { host: new URL(base).host, "content-type": "application/json" };
    assert.equal(await httpStatus(base, "/api/trip", "POST", post), 403);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // As root (CI, this machine) chromium cannot start its own sandbox.
      args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    await page.goto(url);
    const first = await eventually(() => drawn(page), {
      what: "the first graph drawn",
      timeoutMs: WAIT_MS,
      intervalMs: 100,
    });
    for (const e of first.edges) assert.equal(e.drawn, GREY, `${e.id} drawn not wired`);
    assert.match((await page.locator("#panel").textContent()) ?? "", /^routes\.json \(no panel/);

    // Both routes drawn, between the ends the panel wired, closed (green).
    await ws().ok(["apply", "--auto-approve"]);
    const graph = parseJson((await ws().ok(["graph", "--json"])).stdout) as {
      source: string;
      edges: { id: string; from: string; to: string; breaker: string }[];
    };
    assert.equal(graph.source, "panel");
    for (const route of ["events-to-log", "ui-refresh"])
      await edgeColour(page, route, GREEN, `${route} drawn closed once wired`);
    const wired = await drawn(page);
    const ends = (es: readonly { id: string; from: string; to: string }[]) =>
      es.map(({ id, from, to }) => ({ id, from, to })).sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(ends(wired?.edges ?? []), ends(graph.edges));
    assert.equal(graph.edges.length, 2);

    // Live: health samples keep redrawing the edges, and the table shows throughput.
    await eventually(async () => ((await drawn(page))?.redrawMs.length ?? 0) >= 20, {
      what: "20 health samples drawn",
      timeoutMs: WAIT_MS,
      intervalMs: 100,
    });
    const row = page.locator('tr[data-route="events-to-log"]');
    await eventually(
      async () => /^[1-9]\d*\/s$/.test((await row.locator(".throughput").textContent()) ?? ""),
      {
        what: "non-zero throughput on events-to-log in the table",
        timeoutMs: WAIT_MS,
        intervalMs: 100,
      },
    );

    // Trip from the page: the edge turns red, the panel agrees, the audit tail says so.
    const clickedAt = Date.now();
    await row.locator('button[data-action="trip"]').click();
    await edgeColour(page, "events-to-log", RED, "events-to-log drawn open");
    const tripDrawnMs = Date.now() - clickedAt;
    assert.equal(await row.getAttribute("data-breaker"), "open");
    const afterTrip = await drawn(page);
    assert.equal(afterTrip?.edges.find((e) => e.id === "ui-refresh")?.drawn, GREEN);
    const live = parseJson((await ws().ok(["graph", "--json"])).stdout) as typeof graph;
    assert.equal(live.edges.find((e) => e.id === "events-to-log")?.breaker, "open");
    await eventually(
      async () =>
        /trip events-to-log .*trip from rtt ui/.test(
          (await page.locator("#audit").textContent()) ?? "",
        ),
      { what: "the trip in the page's audit tail", timeoutMs: WAIT_MS, intervalMs: 100 },
    );
    const shot = join(makeTempDir("rtt-e2e-ui-"), "ui-tripped.png");
    await page.screenshot({ path: shot });
    t.diagnostic(`screenshot: ${shot}`);
    const docsShot = process.env.RTT_UI_SCREENSHOT;
    if (docsShot !== undefined) {
      const dest = join(REPO, docsShot);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(shot, dest);
    }

    // Heal from the page: the trial runs on the flowing events and the edge turns green.
    await row.locator('button[data-action="heal"]').click();
    await edgeColour(page, "events-to-log", GREEN, "events-to-log drawn closed after the heal");
    assert.deepEqual(problems, [], "the page ran without errors (CSP refusals included)");

    const { firstDrawMs = Number.NaN, redrawMs = [] } = (await drawn(page)) ?? {};
    t.diagnostic(
      `page load → first graph drawn: ${firstDrawMs.toFixed(0)} ms; health sample sent → edge redrawn: median ${percentile(redrawMs, 50)} ms, p95 ${percentile(redrawMs, 95)} ms over ${redrawMs.length} samples; trip click → edge red: ${tripDrawnMs} ms`,
    );
  });
});

/**
 * `rtt tap` through the real binary on a temp copy of the quickstart (its two routes wired by a
 * panel in the background): --json streams samples as NDJSON; piped without --json, one plain
 * line per sample; on a terminal (a pseudo-TTY from util-linux's `script`), the live Ink view
 * shows every route and quits on `q` (or after --count samples), coloured unless NO_COLOR.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { QUICKSTART_ROUTES } from "../support/quickstart.ts";
import { quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { ANSI_CSI, available, RTT_BIN, RTT_TIMEOUT_MS, rttOnTty, run } from "./helpers.ts";

const ROUTES: readonly string[] = QUICKSTART_ROUTES;
const ESC = String.fromCharCode(27);
const { ws, use } = quickstartSuite();

before(async () => {
  use();
  await scanAndApply(ws());
});

describe("rtt tap", () => {
  it("--json --count 3: three NDJSON samples with route, breaker, p95_ms, throughput", async () => {
    const r = await ws().rtt(["tap", "--json", "--count", "3", "--interval", "100"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines.pop(), "", "ends with a newline");
    assert.equal(lines.length, 3, r.stdout);
    for (const line of lines) {
      const s = JSON.parse(line) as Record<string, unknown>;
      assert.ok(ROUTES.includes(String(s.route)), line);
      // The state itself depends on the machine's load (the quickstart's 5 ms p95 bound).
      assert.match(String(s.breaker), /^(closed|open|half-open)$/, line);
      assert.equal(typeof s.p95_ms, "number", line);
      assert.equal(typeof s.throughput, "number", line);
    }
    assert.ok(!r.stdout.includes(ANSI_CSI));
  });

  it("a route that is not wired is refused (exit 1), naming the wired ones", async () => {
    const r = await ws().rtt(["tap", "route/nosuch", "--count", "1"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /route nosuch is not wired/);
    assert.match(r.stderr, /route\/events-to-log/);
  });

  it("--json never loads React or Ink", async () => {
    const hook = ws().path("report-ui-imports.mjs");
    writeFileSync(
      hook,
      `import { registerHooks } from "node:module";
registerHooks({ resolve(spec, ctx, next) {
  if (spec === "react" || spec === "ink") process.stderr.write("LOADED " + spec + "\\n");
  return next(spec, ctx);
} });
`,
    );
    const r = await run(
      process.execPath,
      ["--import", hook, RTT_BIN, "tap", "--json", "--count", "1"],
      { cwd: ws().root, timeoutMs: RTT_TIMEOUT_MS },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /LOADED/);
  });

  it("piped without --json: a header, then one plain line per sample, no escape codes", async () => {
    const r = await ws().rtt(["tap", "route/events-to-log", "--count", "2", "--interval", "100"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines.shift() ?? "", /^ROUTE\s+BREAKER\s+THROUGHPUT\s/);
    assert.equal(lines.length, 2, r.stdout);
    for (const line of lines)
      assert.match(line, /^events-to-log\s+(closed|open|half-open)\s+\d+\/s\s.*\sok$/);
    assert.ok(!r.stdout.includes(ANSI_CSI));
  });

  const noScript = available("script", ["--version"])
    ? false
    : "no `script` (util-linux) for a pseudo-TTY";

  it("on a terminal: the live view shows every route, coloured, and quits on q", {
    skip: noScript,
  }, async () => {
    let typed = false;
    const r = await rttOnTty(
      ws().root,
      ["tap", "--interval", "100"],
      { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined },
      (out, type) => {
        if (
          !typed &&
          ROUTES.every((id) => new RegExp(`${id}\\s+\\S*(closed|open|half-open)`).test(out))
        ) {
          typed = true;
          type("q");
        }
      },
    );
    assert.equal(r.code, 0, r.out);
    assert.ok(typed, `the view never showed both routes:\n${r.out}`);
    assert.match(r.out, /rtt tap · panel pid \d+ · \d\d:\d\d:\d\d · 2 routes/);
    assert.match(r.out, /ROUTE\s+BREAKER\s+THROUGHPUT\s+P50\/95\/99 MS\s+QDEPTH/);
    assert.ok(
      [`${ESC}[32mclosed`, `${ESC}[33mhalf-open`, `${ESC}[31mopen`].some((c) => r.out.includes(c)),
      `breakers are coloured (closed green, half-open yellow, open red):\n${JSON.stringify(r.out.slice(-600))}`,
    );
    assert.match(r.out, /q or ctrl-c to quit/);
  });

  it("on a terminal with NO_COLOR and --count 3: no colour, exits by itself", {
    skip: noScript,
  }, async () => {
    const r = await rttOnTty(ws().root, ["tap", "--count", "3", "--interval", "100"], {
      NO_COLOR: "1",
      CI: undefined,
    });
    assert.equal(r.code, 0, r.out);
    for (const id of ROUTES)
      assert.match(r.out, new RegExp(`${id}\\s+(closed|open|half-open)\\s+\\d+/s`));
    assert.doesNotMatch(r.out, new RegExp(`${ESC}\\[(3\\d|1|2)m`), "no colour, bold or dim");
  });

  it("with no panel running, tap and trip say so and start none (a panel would rewire)", async () => {
    assert.equal((await ws().rtt(["panel", "stop"])).code, 0);
    const r = await ws().rtt(["tap", "--count", "1"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /no panel runs for this workspace/);
    const trip = await ws().rtt(["trip", "route/events-to-log"]);
    assert.equal(trip.code, 1, trip.stdout);
    assert.match(trip.stderr, /no panel runs for this workspace: nothing to trip/);
    assert.equal(existsSync(ws().path(".rtt", "sockets", "panel.sock")), false, "none started");
  });
});

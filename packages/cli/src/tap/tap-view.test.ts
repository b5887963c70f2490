import assert from "node:assert/strict";
import { test } from "node:test";
import type { RouteHealthMessage } from "@rtt/connector-sdk";
import React from "react";
import { routeLabels, sparkline, TAP_HEADERS, TapLines, TapState, tapCells } from "./rows.ts";
import type { TapViewProps } from "./tap-view.ts";

// Chalk (under Ink) decides its colour level when it is loaded, from this process's stdout (a
// pipe under the test runner): force colour first, so `color: false` alone must keep it off.
process.env.FORCE_COLOR = "1";
const { render } = await import("ink-testing-library");
const { TapView } = await import("./tap-view.ts");

const ESC = String.fromCharCode(27);

function sample(route: string, extra: Partial<RouteHealthMessage> = {}): RouteHealthMessage {
  return {
    route,
    p50_ms: 1.25,
    p95_ms: 2.5,
    p99_ms: 4,
    err_rate: 0,
    qdepth: 3,
    ok: true,
    err: "",
    at_unix_ms: 0,
    from_link: null,
    to_link: null,
    breaker: "closed",
    breaker_reason: "",
    throughput: 100,
    drops: 7,
    ...extra,
  };
}

function props(over: Partial<TapViewProps> = {}): TapViewProps {
  const state = new TapState();
  for (const t of [10, 50, 100]) state.add(sample("events-to-log", { throughput: t }));
  state.add(
    sample("ui-refresh", {
      breaker: "open",
      ok: false,
      err: "target down",
      err_rate: 0.125,
      throughput: 0,
    }),
  );
  return {
    pid: 4242,
    now: new Date(2025, 0, 2, 3, 4, 5).getTime(),
    rows: state.rows(),
    color: false,
    onQuit: () => {},
    ...over,
  };
}

test("sparkline scales to the maximum", () => {
  assert.equal(sparkline([0, 50, 100]), "▁▄█");
  assert.equal(sparkline([0, 0]), "▁▁");
  assert.equal(sparkline([]), "");
});

test("the tap view: header, one row per route, sparkline, health; no colour with color off (NO_COLOR)", () => {
  const view = render(React.createElement(TapView, props()));
  try {
    const frame = view.lastFrame() ?? "";
    assert.ok(!frame.includes(ESC), `no escape codes: ${JSON.stringify(frame)}`);
    const lines = frame.split("\n");
    assert.match(lines[0] ?? "", /panel pid 4242 · 03:04:05 · 2 routes/);
    const head = lines.find((l) => l.startsWith("ROUTE"));
    assert.ok(head?.includes("P50/95/99 MS") && head.includes("DROPS"), frame);
    const events = lines.find((l) => l.startsWith("events-to-log")) ?? "";
    assert.match(events, /closed\s+100\/s\s+1\.3\/2\.5\/4\.0\s+3\s+7\s+0\.00\s+▁▄█\s+ok$/);
    const ui = lines.find((l) => l.startsWith("ui-refresh")) ?? "";
    assert.match(ui, /open\s+0\/s\s+.*12\.50\s+▁\s+target down$/);
    // Columns line up: the breaker column starts at the same place on every line.
    assert.equal(events.indexOf("closed"), ui.indexOf("open"));
    assert.equal(events.indexOf("closed"), head?.indexOf("BREAKER"));
    assert.match(frame, /q or ctrl-c to quit/);
  } finally {
    view.unmount();
  }
});

test("the tap view colours the breaker (open red, closed green) when colour is on", () => {
  const view = render(React.createElement(TapView, props({ color: true })));
  try {
    const frame = view.lastFrame() ?? "";
    assert.ok(frame.includes(`${ESC}[32mclosed`), frame);
    assert.ok(frame.includes(`${ESC}[31mopen`), frame);
  } finally {
    view.unmount();
  }
});

test("the tap view quits on q and on ctrl-c, and rerenders with new samples", async () => {
  let quits = 0;
  const p = props({ rows: [], onQuit: () => quits++ });
  const view = render(React.createElement(TapView, p));
  try {
    assert.match(view.lastFrame() ?? "", /waiting for the first sample/);
    const state = new TapState();
    state.add(sample("events-to-log"));
    view.rerender(React.createElement(TapView, { ...p, rows: state.rows() }));
    assert.match(view.lastFrame() ?? "", /^events-to-log\s+closed/m);
    await new Promise((r) => setTimeout(r, 50)); // useInput subscribes after the first commit
    view.stdin.write("x");
    view.stdin.write("q");
    view.stdin.write("\u0003");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(quits, 2);
  } finally {
    view.unmount();
  }
});

test("the sparkline gives way on a narrow terminal (ink-testing-library's is 100 columns)", () => {
  const state = new TapState();
  for (let i = 1; i <= 40; i++) state.add(sample("events-to-log", { throughput: i }));
  const view = render(React.createElement(TapView, props({ rows: state.rows() })));
  try {
    const lines = (view.lastFrame() ?? "").split("\n");
    const row = lines.find((l) => l.startsWith("events-to-log")) ?? "";
    const spark = /\s([▁▂▃▄▅▆▇█]+)\s+ok$/.exec(row)?.[1] ?? "";
    assert.ok(spark.length >= 7 && spark.length < 30, `sparkline of ${spark.length}: ${row}`);
    assert.ok(row.length <= 100, row);
  } finally {
    view.unmount();
  }
});

const LINK = {
  driver: "http",
  link: "l",
  ok: true,
  err: "",
  frames_in: 10,
  frames_out: 10,
  qdepth: 0,
  drops: 0,
  marked: 0,
  nacked: 0,
  buffered: 0,
  errors: 0,
  client_errors: 0,
  shared: 0,
  unaccounted: 0,
};

/** Prints `samples` as `rtt tap` does off a terminal; every cell starts under its header. */
function printAligned(lines: TapLines, samples: readonly RouteHealthMessage[]): string[] {
  const header = lines.header();
  const starts = TAP_HEADERS.map((h) => header.indexOf(h));
  const state = new TapState();
  const printed: string[] = [];
  for (const s of samples) {
    state.add(s);
    const row = state.rows().find((r) => r.sample.route === s.route);
    assert.ok(row !== undefined);
    const line = lines.line(row);
    printed.push(line);
    for (const [i, cell] of tapCells(row).entries())
      assert.ok(
        line.slice(starts[i]).startsWith(cell),
        `${TAP_HEADERS[i]} at column ${starts[i]}:\n${header}\n${line}`,
      );
  }
  return printed;
}

test("tap's plain lines keep their columns when a breaker opens degraded (a stub answers)", () => {
  const printed = printAligned(new TapLines(["events-to-log", "ui-refresh"]), [
    sample("events-to-log", { throughput: 5 }),
    sample("ui-refresh"),
    sample("ui-refresh", { breaker: "open", to_link: { ...LINK, driver: "stub" } }),
    sample("events-to-log", { breaker: "half-open", to_link: { ...LINK, driver: "stub" } }),
    sample("events-to-log", { throughput: 12345, p50_ms: 250.5, p95_ms: 512.25, p99_ms: 999.9 }),
  ]);
  assert.ok(printed.some((line) => line.includes("half-open (degraded)")));
});

test("tap's plain lines keep their columns when routes name the source they share", () => {
  // docs/tutorial.md's shape: `tail` feeds two one-way routes, a hook asks an API.
  const labels = routeLabels([
    { route: "check-site", from: "rtt://shop/hook/check@1.0.0", oneway: false },
    { route: "errors", from: "rtt://shop/proc/applog@1.0.0", oneway: true },
    { route: "log-to-archive", from: "rtt://shop/proc/applog@1.0.0", oneway: true },
  ]);
  assert.deepEqual(labels, [
    "check-site",
    "errors (source shared ×2)",
    "log-to-archive (source shared ×2)",
  ]);
  const shared = { from_link: { ...LINK, driver: "process", shared: 2 } };
  const printed = printAligned(new TapLines(labels), [
    sample("check-site", { from_link: { ...LINK, driver: "process" } }),
    sample("errors", shared),
    sample("log-to-archive", shared),
    // Not shared after all (its driver keeps a program per route): narrower, still in place.
    sample("errors", { from_link: { ...LINK, driver: "process", shared: 1 } }),
  ]);
  assert.ok(printed.some((line) => line.startsWith("log-to-archive (source shared ×2)  closed")));
});

test("a row's health counts the target's client errors (4xx) apart from its ERR %", () => {
  const link = { ...LINK, errors: 2, client_errors: 3 };
  const cells = tapCells({
    sample: sample("ui-refresh", { err_rate: 0.2, to_link: link }),
    history: [],
  });
  assert.equal(cells[TAP_HEADERS.indexOf("ERR %")], "20.00");
  assert.equal(cells[TAP_HEADERS.indexOf("HEALTH")], "ok (3 client errors)");
  const none = tapCells({
    sample: sample("ui-refresh", { to_link: { ...link, client_errors: 0 } }),
    history: [],
  });
  assert.equal(none[TAP_HEADERS.indexOf("HEALTH")], "ok");
});

/**
 * A connector written in Python with sdk/python (rtt_connector), as an author would use it:
 * `python3 -m rtt_connector install` writes its .rtt/drivers/ executable into a temp copy of the
 * quickstart, and `rtt scan && rtt plan && rtt apply` wires the quickstart's events to it over
 * uds. The example (sdk/python/examples/shout.py, a file sink that upper-cases) gets every event
 * in order; `rtt qc` moves the route to a second symbol of the same driver between two frames
 * (each event in exactly one file); a panel killed with SIGKILL leaves the driver streaming, and
 * the next panel re-attaches it rather than starting another.
 *
 * Needs Debian's python3-grpcio (scripts/ensure-test-deps.sh); without it the suite skips.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import { completeLines } from "../support/files.ts";
import { EVENTS_ROUTE } from "../support/quickstart.ts";
import { type PanelStatus, processes, quickstartSuite } from "../support/quickstart-workspace.ts";

const PYTHON = "/usr/bin/python3";
const SDK = fileURLToPath(new URL("../../sdk/python/", import.meta.url));
const EXAMPLE = `${SDK}examples/shout.py`;
const TICKS = `${SDK}examples/ticks.py`;
const SHOUT = "rtt://obs/extension/shout@1.0.0#ndjson";
const SHOUT2_REF = "rtt://obs/extension/shout2";

const noGrpc = spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"]).status !== 0;
const skip = noGrpc
  ? `${PYTHON} cannot import grpc: install python3-grpcio (scripts/ensure-test-deps.sh)`
  : false;

const { ws, use } = quickstartSuite();

/** A consumer of the quickstart's events served by the shout driver, writing `file`. */
function shoutManifest(name: string, file: string): string {
  const symbol = {
    saddr: `rtt://obs/extension/${name}@1.0.0#ndjson`,
    type: "extension",
    direction: "consumer",
    capabilities: ["stream"],
    io: "stream",
    inputs: [{ name: "record", schema: "json://logger.record" }],
    version_set: ">=1.0 <2.0",
    "x-driver": "shout",
    "x-shout-file": `../../logs/${file}`,
  };
  return `${JSON.stringify({ $schema: "https://rtt/spec/v1", symbol }, null, 2)}\n`;
}

/** The events a shout file holds, by seq (its lines are emit.py's JSON, upper-cased). */
function seqs(rel: string): number[] {
  return completeLines(ws().path(rel)).map((l) => (JSON.parse(l) as { SEQ: number }).SEQ);
}

/** Installs the Python connector `file` into the workspace's .rtt/drivers/. */
function install(file: string): void {
  const out = execFileSync(PYTHON, ["-m", "rtt_connector", "install", file, ws().root], {
    env: { ...process.env, PYTHONPATH: SDK },
    encoding: "utf8",
  });
  assert.match(out, /\.rtt\/drivers\//);
}

function assertRun(what: string, list: readonly number[]): void {
  for (let i = 1; i < list.length; i++)
    assert.equal(list[i], (list[i - 1] as number) + 1, `${what}: ${list[i - 1]} then ${list[i]}`);
}

describe("a Python connector (sdk/python) in a workspace", { skip, timeout: 240_000 }, () => {
  let first: PanelStatus | undefined;

  it("rtt scan, plan and apply wire the quickstart's events to it over uds", async () => {
    use({ routes: [EVENTS_ROUTE], emit: { count: 0, intervalMs: 5 } });
    ws().write("services/shout/rtt.manifest.json", shoutManifest("shout", "shout.ndjson"));
    ws().write("services/shout2/rtt.manifest.json", shoutManifest("shout2", "shout2.ndjson"));
    ws().editJson<{ routes: { id: string; to: string }[] }>(".rtt/routes.json", (file) => {
      for (const r of file.routes) r.to = "rtt://obs/extension/shout#ndjson";
    });
    // Python drivers make uds and tcp lanes, not shm (the ring is the Node addon's).
    ws().editText(".rtt/panel.yaml", (t) => t.replace(/prefer: \[[^\]]*\]/, 'prefer: ["uds"]'));
    install(EXAMPLE);

    await ws().ok(["scan"]);
    const plan = await ws().ok(["plan"]);
    assert.match(plan.stdout, /shout/);
    await ws().ok(["apply", "--auto-approve"]);
    await eventually(() => seqs("logs/shout.ndjson").length > 50, ws().wait("events at shout"));
    const got = seqs("logs/shout.ndjson");
    assert.equal(got[0], 1, "from the first event on");
    assertRun("shout.ndjson", got);
    const line = completeLines(ws().path("logs/shout.ndjson"))[0] ?? "";
    assert.match(line, /^\{"SEQ":1,"TYPE":"TICK"/, "upper-cased by the connector");
    const route = await ws().wiredRoute(EVENTS_ROUTE);
    assert.equal(route?.to, SHOUT);
    assert.equal(route?.lane, "uds");
    assert.ok(route?.to_link.ok, JSON.stringify(route));
  });

  it("rtt qc moves the route to shout2: each event reaches exactly one file, in order", async () => {
    const qc = await ws().ok(["qc", `${EVENTS_ROUTE} -> ${SHOUT2_REF}`, "--json"]);
    assert.equal((JSON.parse(qc.stdout) as { changed: boolean }).changed, true);
    await eventually(() => seqs("logs/shout2.ndjson").length > 50, ws().wait("events at shout2"));
    const a = seqs("logs/shout.ndjson");
    const b = seqs("logs/shout2.ndjson");
    assertRun("shout.ndjson", a);
    assertRun("shout2.ndjson", b);
    assert.equal(b[0], (a.at(-1) as number) + 1, "shout2 takes over where shout stopped");
  });

  it("a panel killed with SIGKILL leaves it streaming; the next panel re-attaches it", async () => {
    first = await ws().status();
    const driver = ws().driverPid(first, "shout");
    processes.track([driver]);
    process.kill(first.pid, "SIGKILL");
    await eventually(() => !isAlive(first?.pid ?? 0), ws().wait("the panel to die"));
    const atKill = seqs("logs/shout2.ndjson").length;
    await eventually(
      () => seqs("logs/shout2.ndjson").length > atKill + 50,
      ws().wait("events with no panel"),
    );

    await ws().ok(["panel", "start"]);
    const status = await ws().status();
    processes.track([status.pid]);
    assert.equal(
      ws().driverPid(status, "shout"),
      driver,
      `re-attached, not relaunched\n${ws().tail()}`,
    );
    assert.match(ws().panelLog(), new RegExp(`re-attached driver shout \\(pid ${driver}\\)`));
    const now = seqs("logs/shout2.ndjson").length;
    await eventually(
      () => seqs("logs/shout2.ndjson").length > now + 50,
      ws().wait("events after the re-attach"),
    );
    assertRun("shout2.ndjson", seqs("logs/shout2.ndjson"));
    const route = await ws().wiredRoute(EVENTS_ROUTE);
    assert.ok(route?.to_link.ok, JSON.stringify(route));
  });

  it("rtt panel stop ends the driver: it closes its links and exits", async () => {
    assert.ok(first !== undefined, "an earlier step failed");
    const driver = ws().driverPid(await ws().status(), "shout");
    await ws().ok(["panel", "stop"]);
    await eventually(() => !isAlive(driver), ws().wait("the shout driver to exit"));
  });
});

describe("a Python source (sdk/python) feeding the quickstart's logger", {
  skip,
  timeout: 120_000,
}, () => {
  it("QuickConnect from the Python end, every tick at the logger in order", async () => {
    use({ routes: [EVENTS_ROUTE] });
    const symbol = {
      saddr: "rtt://core/bus/ticks@1.0.0",
      type: "bus",
      direction: "provider",
      capabilities: ["push", "stream"],
      io: "pubsub",
      outputs: [{ name: "event", schema: "json://events.event" }],
      "x-driver": "pyticks",
    };
    ws().write(
      "services/ticks/rtt.manifest.json",
      `${JSON.stringify({ $schema: "https://rtt/spec/v1", symbol }, null, 2)}\n`,
    );
    ws().editJson<{ routes: { id: string; from: string }[] }>(".rtt/routes.json", (file) => {
      for (const r of file.routes) r.from = "rtt://core/bus/ticks";
    });
    ws().editText(".rtt/panel.yaml", (t) => t.replace(/prefer: \[[^\]]*\]/, 'prefer: ["uds"]'));
    install(TICKS);
    await ws().ok(["scan"]);
    await ws().ok(["apply", "--auto-approve"]);
    const logged = () =>
      completeLines(ws().path("logs/events.ndjson")).map(
        (l) => (JSON.parse(l) as { record: { seq: number } }).record.seq,
      );
    await eventually(() => logged().length > 200, ws().wait("ticks at the logger"));
    const got = logged();
    assert.equal(got[0], 1);
    assertRun("events.ndjson", got);
    // The counters are the panel's last health sample, which may predate the ticks logged.
    const route = await eventually(async () => {
      const r = await ws().wiredRoute(EVENTS_ROUTE);
      return (r?.from_link.frames_out ?? 0) > 200 ? r : undefined;
    }, ws().wait("a health sample that counted the ticks logged"));
    assert.ok(route.from_link.ok && route.lane === "uds", JSON.stringify(route));
    await ws().ok(["panel", "stop"]);
  });
});

/**
 * Watching (issue 17 §Watch), through the real binary on temp copies of the quickstart: a running
 * panel rescans when a manifest changes; with `routing.reroute: auto` it re-wires a route whose
 * target changed, and moves one whose target vanished to its failover target, both audited as
 * `reroute`; under `plan-only` (the default) it only logs the pending reroute; `rtt scan` is
 * answered from its catalog (`--local` scans anyway). `rtt scan --watch`
 * prints what appeared, changed and vanished, and stops cleanly on Ctrl-C.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { LOGGER2 } from "../support/quickstart.ts";
import {
  EVENTS_ROUTE,
  quickstartSuite,
  scanAndApply,
  type Workspace,
} from "../support/quickstart-workspace.ts";
import { childEnv, RTT_BIN } from "../support/run-rtt.ts";

const { use } = quickstartSuite();
const LOGGER_MANIFEST = "services/logger/rtt.manifest.json";
const LOGGER_101 = "rtt://obs/extension/logger@1.0.1#ndjson";

function catalogSaddrs(w: Workspace): string[] {
  try {
    const catalog = JSON.parse(w.read(".rtt/cache/catalog.json")) as {
      symbols: { saddr: string }[];
    };
    return catalog.symbols.map((s) => s.saddr);
  } catch {
    return [];
  }
}

/** The audit's records of `action`, as `route: before.to → after.to`. */
async function audited(w: Workspace, action: string): Promise<string[]> {
  const out = await w.ok(["audit", "--json"]);
  return out.stdout
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          action: string;
          route: string;
          before: { to?: string } | null;
          after: { to?: string } | null;
        },
    )
    .filter((r) => r.action === action)
    .map((r) => `${r.route}: ${r.before?.to} → ${r.after?.to}`);
}

interface ScanJson {
  readonly from_panel?: boolean;
  readonly symbols: number;
  readonly errors: number;
}

function setReroute(w: Workspace, value: string): void {
  w.editText(".rtt/panel.yaml", (t) => t.replace("routing:\n", `routing:\n  reroute: ${value}\n`));
}

describe("a watching panel", () => {
  it("re-wires a changed target and fails a vanished one over, with reroute: auto", async () => {
    const w = use({ logger2Failover: true });
    setReroute(w, "auto");
    await scanAndApply(w);
    assert.equal((await w.wiredRoute(EVENTS_ROUTE))?.to, "rtt://obs/extension/logger@1.0.0#ndjson");

    w.editManifest(LOGGER_MANIFEST, (s) => {
      s.saddr = LOGGER_101;
    });
    // The panel rescans only on a change (no periodic scan), so the catalog's update is the
    // watch's work however long a loaded machine makes it take.
    await eventually(
      () => catalogSaddrs(w).includes(LOGGER_101),
      w.wait("the catalog to have logger@1.0.1"),
    );
    await eventually(async () => (await w.wiredRoute(EVENTS_ROUTE))?.to === LOGGER_101, {
      ...w.wait("events-to-log re-wired to logger@1.0.1"),
      intervalMs: 200,
    });
    assert.deepEqual(await audited(w, "reroute"), [
      `${EVENTS_ROUTE}: rtt://obs/extension/logger@1.0.0#ndjson → ${LOGGER_101}`,
    ]);

    // Its target's manifest gone: the failover list's next target (logger2) takes the route.
    rmSync(w.path(LOGGER_MANIFEST));
    await eventually(async () => (await w.wiredRoute(EVENTS_ROUTE))?.to === LOGGER2, {
      ...w.wait("events-to-log moved to logger2"),
      intervalMs: 200,
    });
    assert.deepEqual((await audited(w, "reroute")).slice(1), [
      `${EVENTS_ROUTE}: ${LOGGER_101} → ${LOGGER2}`,
    ]);
    assert.match(
      w.panelLog(),
      /reroute: events-to-log \(.*logger@1\.0\.1#ndjson vanished\): failed over to/,
    );
    await w.ok(["panel", "stop"]);
  });

  it("only reports a reroute under plan-only, the default", async () => {
    const w = use({ routes: [EVENTS_ROUTE] });
    await scanAndApply(w);
    rmSync(w.path(LOGGER_MANIFEST));
    await eventually(() => /reroute pending: events-to-log/.test(w.panelLog()), {
      ...w.wait("the pending reroute in the panel log"),
    });
    assert.match(w.panelLog(), /logger@1\.0\.0#ndjson vanished\): .*run rtt plan/);
    // Still wired to the logger as it was; no reroute audited; the plan says what is wrong.
    assert.equal((await w.wiredRoute(EVENTS_ROUTE))?.to, "rtt://obs/extension/logger@1.0.0#ndjson");
    assert.deepEqual(await audited(w, "reroute"), []);
    const plan = await w.rtt(["plan"]);
    assert.match(plan.stdout + plan.stderr, /events-to-log/);

    // A warm scan is the watching panel's report; --local scans here, and finds the same.
    // The quickstart's five symbols, less the logger.
    const warm = JSON.parse((await w.ok(["scan", "--json"])).stdout) as ScanJson;
    assert.deepEqual([warm.from_panel, warm.symbols, warm.errors], [true, 4, 0]);
    const local = JSON.parse((await w.ok(["scan", "--local", "--json"])).stdout) as ScanJson;
    assert.deepEqual([local.from_panel, local.symbols, local.errors], [undefined, 4, 0]);
    assert.match((await w.ok(["scan"])).stdout, /→ 4 symbols; .* \(from the watching panel\)\n$/);
    await w.ok(["panel", "stop"]);
  });
});

/** `rtt scan --watch [args]` in `w`: what it printed so far, a wait for a line, and Ctrl-C. */
function watchScan(w: Workspace, args: readonly string[] = []) {
  const child = spawn(process.execPath, [RTT_BIN, "scan", "--watch", ...args], {
    cwd: w.root,
    env: childEnv({}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString("utf8");
  });
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return {
    out: () => out,
    err: () => err,
    saw: (line: string, what: string) =>
      eventually(() => out.split("\n").includes(line), {
        what,
        detail: () => `--- stdout\n${out}--- stderr\n${err}`,
      }),
    /** Ctrl-C; the exit code. */
    interrupt: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

describe("rtt scan --watch", () => {
  it("prints + ~ - as manifests appear, change and vanish, and exits 0 on Ctrl-C", async () => {
    const w = use({ routes: [] });
    const watch = watchScan(w);
    try {
      await watch.saw("watching ./ for changes (Ctrl-C to stop)", "the watch to start");
      w.editManifest(LOGGER_MANIFEST, (s) => {
        s.saddr = LOGGER_101;
      });
      await watch.saw(`+ ${LOGGER_101}`, "logger@1.0.1 to appear");
      assert.ok(watch.out().includes("- rtt://obs/extension/logger@1.0.0#ndjson\n"), watch.out());
      w.editManifest(LOGGER_MANIFEST, (s) => {
        s["x-reattach"] = false;
      });
      await watch.saw(`~ ${LOGGER_101}`, "logger@1.0.1 to change");
      rmSync(w.path(LOGGER_MANIFEST));
      await watch.saw(`- ${LOGGER_101}`, "logger@1.0.1 to vanish");
      // The catalog followed: written by the watch's rescans.
      assert.ok(!readFileSync(w.path(".rtt/cache/catalog.json"), "utf8").includes("logger@"));
    } finally {
      assert.equal(await watch.interrupt(), 0, watch.err());
    }
  });

  it("prints one JSON object a line with --json, and a new problem as a diagnostic", async () => {
    const w = use({ routes: [] });
    const watch = watchScan(w, ["--json"]);
    try {
      await watch.saw(JSON.stringify({ event: "watching", roots: ["./"] }), "the watch to start");
      w.write("services/broken/rtt.manifest.json", "{");
      await eventually(() => /"event":"diagnostic".*"file":"services\/broken\//.test(watch.out()), {
        what: "the broken manifest reported",
        detail: () => watch.out(),
      });
      rmSync(w.path(LOGGER_MANIFEST));
      await watch.saw(
        JSON.stringify({ event: "-", saddr: "rtt://obs/extension/logger@1.0.0#ndjson" }),
        "the logger to vanish",
      );
      for (const line of watch.out().trim().split("\n")) JSON.parse(line);
    } finally {
      assert.equal(await watch.interrupt(), 0, watch.err());
    }
  });
});

/**
 * bench/soak — time-compressed churn on the panel: a temp copy of the quickstart with a second
 * logger, wired by the real binary (`rtt scan`, `rtt apply --auto-approve`), emit.py streaming
 * through events-to-log, and every few hundred ms (uniform in [GAP/2, 3·GAP/2]) one random action:
 *
 *   qc      QuickConnect events-to-log to the other logger (weight 5)
 *   trip    `Trip` events-to-log, or `Heal` it when this soak tripped it last (weight 2)
 *   kill    kill -9 of a driver process, its pid from `rtt panel status --json` (weight 1, at
 *           most one every KILL_GAP): the panel must restart it and rewire its routes; the time
 *           until Status shows a new pid and every route wired again is the recovery time
 *
 * A Status call every 200 ms measures the control path under the churn (p95 per minute). At the
 * start, every minute (stderr) and at the end it records the daemon's open descriptors
 * (/proc/PID/fd) and RSS (/proc/PID/status VmRSS), the same for each driver, and how many
 * processes run under the panel. Before the end figures the churn stops, the route is put back
 * where it started (logger, breaker healed) and the panel is given SETTLE_MS, so start and end
 * compare like with like. Then `rtt panel stop`, and nothing the panel started may be left.
 *
 * Progress on stderr; the last line of stdout is one JSON object.
 * Usage: npm run bench:soak [-- --minutes 10] [--seconds S] [--gap-ms 300] [--seed N]
 *          [--emit-interval-ms 1] [--keep]
 * emit.py runs one event per --emit-interval-ms (default 1 ms, ~1,000/s: as fast as it can would
 * write GBs of logs in a 10-minute soak; 0 = as fast as it can).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage } from "@rtt/core";
import { PanelConnection } from "@rtt/panel";
import { cleanUpOnExit } from "../clean-up-on-exit.ts";
import {
  EVENTS_ROUTE,
  killPanel,
  LOGGER_REF,
  LOGGER2_REF,
  mustRtt,
  panelProcesses,
  procUsage,
  quantile,
  quickstartWithTwoLoggers,
  round,
  stopPanel,
} from "../control/common.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    seconds: { type: "string" },
    "gap-ms": { type: "string", default: "300" },
    seed: { type: "string", default: "1" },
    "emit-interval-ms": { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
  },
});
const DURATION_MS =
  values.seconds === undefined ? Number(values.minutes) * 60_000 : Number(values.seconds) * 1000;
const GAP_MS = Number(values["gap-ms"]);
const KILL_GAP_MS = 5000;
const SETTLE_MS = 3000;
const STATUS_EVERY_MS = 200;
const REPORT_EVERY_MS = Math.min(60_000, Math.max(10_000, DURATION_MS / 6));
const WHO = "bench:soak";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** mulberry32: a seeded PRNG, so a run's sequence of actions can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(Number(values.seed));

const ws = quickstartWithTwoLoggers("rtt-bench-soak-", Number(values["emit-interval-ms"]));
let panelPid: number | undefined;
cleanUpOnExit("bench:soak", () => {
  killPanel(panelPid, (pid) => panelProcesses(pid, ws));
  if (!values.keep) rmSync(ws, { recursive: true, force: true });
});

interface PanelStatusJson {
  pid: number;
  listen: string;
  routes: number;
  committed_seq: number;
  drivers: { name: string; pid: number; restarts: number }[];
}

const must = (args: readonly string[]): Promise<string> => mustRtt(ws, args);
const panelStatus = async (): Promise<PanelStatusJson> =>
  JSON.parse(await must(["panel", "status", "--json"])) as PanelStatusJson;

// ---------------------------------------------------------------------------------------------
// Figures.

interface Snapshot {
  at_s: number;
  panel: { fds: number; rss_kib: number } | undefined;
  drivers: Record<string, { pid: number; fds: number; rss_kib: number } | undefined>;
  processes_under_panel: number;
  status_p95_us: number | null;
  status_calls: number;
}

let statusSamples: number[] = [];
const allStatus: number[] = [];
let driverPids: Record<string, number> = {};
const t0 = Date.now();

function snapshot(): Snapshot {
  const pid = panelPid ?? 0;
  const drivers: Snapshot["drivers"] = {};
  for (const [name, dpid] of Object.entries(driverPids)) {
    const u = procUsage(dpid);
    drivers[name] = u === undefined ? undefined : { pid: dpid, ...u };
  }
  const s: Snapshot = {
    at_s: round((Date.now() - t0) / 1000),
    panel: procUsage(pid),
    drivers,
    processes_under_panel: panelProcesses(pid, ws).length,
    status_p95_us: statusSamples.length > 0 ? round(quantile(statusSamples, 0.95)) : null,
    status_calls: statusSamples.length,
  };
  statusSamples = [];
  return s;
}

function describe(s: Snapshot): string {
  const d = Object.entries(s.drivers)
    .map(([n, u]) => `${n} ${u === undefined ? "gone" : `${u.fds} fds ${u.rss_kib} KiB`}`)
    .join(", ");
  return `t=${s.at_s}s panel ${s.panel?.fds} fds ${s.panel?.rss_kib} KiB; ${d}; ${s.processes_under_panel} processes under the panel; Status p95 ${s.status_p95_us} µs (${s.status_calls} calls)`;
}

// ---------------------------------------------------------------------------------------------

log(`bench:soak: workspace ${ws}; ${DURATION_MS / 1000} s of churn, an action every ~${GAP_MS} ms`);
await must(["scan"]);
await must(["apply", "--auto-approve"]);
let status = await panelStatus();
panelPid = status.pid;
driverPids = Object.fromEntries(status.drivers.map((d) => [d.name, d.pid]));
const conn = new PanelConnection(status.listen);
if (!(await conn.ready(10_000))) throw new Error("the panel does not answer");

let stopping = false;
const statusProbe = (async () => {
  while (!stopping) {
    const t = process.hrtime.bigint();
    try {
      await conn.status();
      const us = Number(process.hrtime.bigint() - t) / 1000;
      statusSamples.push(us);
      allStatus.push(us);
    } catch (error) {
      fail("status", error);
    }
    await new Promise((r) => setTimeout(r, STATUS_EVERY_MS));
  }
})();

const counts: Record<string, { ok: number; failed: number }> = {};
const failures: string[] = [];
function count(kind: string, ok: boolean): void {
  counts[kind] ??= { ok: 0, failed: 0 };
  counts[kind][ok ? "ok" : "failed"]++;
}
function fail(kind: string, error: unknown): void {
  count(kind, false);
  const message = `${kind}: ${errorMessage(error).split("\n")[0]}`;
  if (failures.length < 50) failures.push(`t=${round((Date.now() - t0) / 1000)}s ${message}`);
  log(`  failed ${message}`);
}

let target = LOGGER_REF;
let tripped = false;
let lastKill = 0;
const recoveries: number[] = [];
const unrecovered: string[] = [];

async function recoverAfterKill(name: string, oldPid: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 30_000) {
    try {
      const s = await conn.status();
      const d = s.drivers.find((x) => x.name === name);
      if (d !== undefined && d.pid !== 0 && d.pid !== oldPid && s.routes === 2) {
        recoveries.push(Date.now() - started);
        driverPids[name] = d.pid;
        return;
      }
    } catch {
      // The panel is busy rewiring; ask again.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  unrecovered.push(`${name} (pid ${oldPid}) killed at t=${round((started - t0) / 1000)}s`);
  log(`  driver ${name} not back with every route wired within 30 s`);
}

async function act(): Promise<void> {
  const r = random() * 8;
  if (r < 5) {
    const next = target === LOGGER_REF ? LOGGER2_REF : LOGGER_REF;
    try {
      await conn.quickConnect(EVENTS_ROUTE, next, WHO);
      target = next;
      count("qc", true);
    } catch (error) {
      fail("qc", error);
    }
  } else if (r < 7) {
    const kind = tripped ? "heal" : "trip";
    try {
      await conn.breaker(kind, `route/${EVENTS_ROUTE}`, WHO, "soak");
      tripped = !tripped;
      count(kind, true);
    } catch (error) {
      fail(kind, error);
    }
  } else if (Date.now() - lastKill >= KILL_GAP_MS) {
    lastKill = Date.now();
    try {
      status = await panelStatus(); // the real binary, as an operator would find the pid
      const live = status.drivers.filter((d) => d.pid > 0);
      const victim = live[Math.floor(random() * live.length)];
      if (victim === undefined) throw new Error("no running driver to kill");
      process.kill(victim.pid, "SIGKILL");
      count("kill", true);
      await recoverAfterKill(victim.name, victim.pid);
    } catch (error) {
      fail("kill", error);
    }
  }
}

await new Promise((r) => setTimeout(r, 1000));
const start = snapshot();
log(`start: ${describe(start)}`);
const reports: Snapshot[] = [];
let nextReport = Date.now() + REPORT_EVERY_MS;
const churnUntil = Date.now() + DURATION_MS;
while (Date.now() < churnUntil) {
  await act();
  await new Promise((r) => setTimeout(r, GAP_MS * (0.5 + random())));
  if (Date.now() >= nextReport) {
    nextReport += REPORT_EVERY_MS;
    const s = snapshot();
    reports.push(s);
    log(`${describe(s)}; actions ${JSON.stringify(counts)}`);
  }
}

// Back to where it started, then settle, so start and end compare like with like.
if (tripped)
  await conn
    .breaker("heal", `route/${EVENTS_ROUTE}`, WHO, "soak end")
    .catch((e) => fail("heal", e));
await conn.quickConnect(EVENTS_ROUTE, LOGGER_REF, WHO).catch((e) => fail("qc", e));
await new Promise((r) => setTimeout(r, SETTLE_MS));
status = await panelStatus();
driverPids = Object.fromEntries(status.drivers.map((d) => [d.name, d.pid]));
const end = snapshot();
log(`end: ${describe(end)}`);
stopping = true;
await statusProbe;
const routes = await conn.routes();
const healthy = routes.routes.filter((r) => r.from_link?.ok && r.to_link?.ok).length;
const health: { route: string; breaker: string }[] = [];
for await (const h of conn.health({ route: EVENTS_ROUTE })) {
  health.push({ route: h.route, breaker: h.breaker });
  break;
}
conn.close();

// Stop the panel; nothing it started may outlive it.
const { leftover } = await stopPanel(ws, status.pid, panelProcesses(status.pid, ws));
const panelLog = readFileSync(join(ws, ".rtt", "panel.log"), "utf8");
const logCount = (re: RegExp) => panelLog.split("\n").filter((l) => re.test(l)).length;
const logsDir = join(ws, "logs");
const events = readdirSync(logsDir)
  .filter((f) => f.startsWith("events"))
  .reduce((n, f) => n + readFileSync(join(logsDir, f), "utf8").split("\n").length - 1, 0);
if (values.keep) log(`kept: ${ws}`);

const kib = (s: Snapshot) => s.panel?.rss_kib ?? Number.NaN;
const fds = (s: Snapshot) => s.panel?.fds ?? Number.NaN;
const driverDelta = (key: "fds" | "rss_kib") =>
  Object.fromEntries(
    Object.keys(end.drivers).map((n) => [
      n,
      (end.drivers[n]?.[key] ?? Number.NaN) - (start.drivers[n]?.[key] ?? Number.NaN),
    ]),
  );
const result = {
  bench: "soak",
  node: process.version,
  seconds: DURATION_MS / 1000,
  gap_ms: GAP_MS,
  seed: Number(values.seed),
  emit_interval_ms: Number(values["emit-interval-ms"]),
  actions: counts,
  failures: Object.values(counts).reduce((n, c) => n + c.failed, 0),
  failure_lines: failures,
  kill_recovery_ms: recoveries,
  kill_recovery_p50_ms: recoveries.length > 0 ? quantile(recoveries, 0.5) : null,
  unrecovered,
  panel_fds_start: fds(start),
  panel_fds_end: fds(end),
  panel_rss_kib_start: kib(start),
  panel_rss_kib_end: kib(end),
  driver_fds_delta: driverDelta("fds"),
  driver_rss_kib_delta: driverDelta("rss_kib"),
  processes_under_panel_start: start.processes_under_panel,
  processes_under_panel_end: end.processes_under_panel,
  status_p95_us_start: start.status_p95_us,
  status_p95_us_end: end.status_p95_us,
  status_p95_us_all: round(quantile(allStatus, 0.95)),
  status_p50_us_all: round(quantile(allStatus, 0.5)),
  status_calls: allStatus.length,
  routes_wired_end: routes.routes.length,
  routes_healthy_end: healthy,
  breaker_end: health[0]?.breaker ?? null,
  panel_breaker_trips: logCount(/breaker (closed|half-open) → open/),
  panel_failovers: logCount(/failed over to/),
  panel_driver_restarts: logCount(/driver \S+ restarted: /),
  // Lines reporting a failure or an error; "failed over to" is a failover, counted above.
  panel_log_errors: logCount(/failed(?! over to)|error/i),
  events_logged: events,
  left_behind: leftover.length,
  start,
  end,
  minutes: reports,
};
process.stdout.write(`${JSON.stringify(result)}\n`);

/**
 * bench:route — a route as a user wires it, end to end, against a plain pipe (issue 19). Two real
 * programs (emitter.py, sink.py: the emitter stamps time.monotonic_ns() into each line, the sink
 * takes each line's age at arrival) joined by an RTT route — `rtt scan`, `rtt apply` in a temp
 * workspace, `drop: buffer` (a journaled route) and no rate limit, one workspace per lane kind
 * (`routing.prefer` shm, uds) — and by `emitter | sink`, the peer. Rounds alternate the setups
 * cell by cell (rotating who goes first):
 *
 *   paced      one line every 2 ms at 100 B, 4 KiB, 64 KiB: age p50 / p99 / p99.9 (µs)
 *   saturated  lines as fast as the emitter writes them at 100 B and 64 KiB: from the job's
 *              start stamp to the arrival of its last line (messages/s, MB/s of message bytes)
 *   idle       once wired and warmed up, with no traffic: each driver process's CPU (utime +
 *              stime from /proc) over --idle-s seconds, as a % of one core
 *
 * With every route job, its drivers' CPU time per message (`driver_cpu_us_per_msg`, from /proc):
 * what a change saves, less at the mercy of a loaded host than the wall-clock figures.
 *
 * A figure is the median over rounds of each round's figure; a job whose result does not come
 * within 30 s past its length is a failure (listed in `failures`), and the run goes on. Progress on stderr; the last line of
 * stdout is one JSON object (the keys for shm, the idle CPU, and `results`, every row).
 * Usage: npm run bench:route [-- --quick] [--rounds 2] [--samples 5000] [--lanes shm,uds]
 *          [--cells paced100,paced4k,paced64k,sat100,sat64k] [--idle-s 10]
 *          [--cpu-prof DIR] [--gc] [--baseline CHECKOUT] [--route journaled|plain] [--keep]
 * --cpu-prof DIR runs the panel and its drivers under `node --cpu-prof`; their profiles are copied
 * to DIR after the panel stops (summarize one with bench/control/profile.ts). --gc preloads
 * gc-log.mjs into the panel and its drivers and adds to each route row the drivers' collections
 * in its jobs (`driver_gc_majors` and `driver_gc_pause_ms`, per 1,000 messages): a count, which
 * a busy host disturbs far less than a p99. --baseline CHECKOUT
 * adds, for each lane, the same route wired by another checkout's rtt and drivers (`shm-base`),
 * alternated with this one's in the same rounds: a change measured before/after in one run.
 * --route plain wires the route with no QoS, so no journal (the target may write several lines a
 * write(2)); the default is the journaled route.
 */
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { errorMessage } from "@rtt/core";
import { cleanUpOnExit } from "../clean-up-on-exit.ts";
import { quantile, round } from "../control/common.ts";
import { cpuTicks, type Job, type JobResult, Setup } from "./setups.ts";
import type { LaneKind } from "./workspace.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    samples: { type: "string" },
    lanes: { type: "string", default: "shm,uds" },
    cells: { type: "string", default: "paced100,paced4k,paced64k,sat100,sat64k" },
    "idle-s": { type: "string" },
    "cpu-prof": { type: "string" },
    gc: { type: "boolean", default: false },
    baseline: { type: "string" },
    keep: { type: "boolean", default: false },
    route: { type: "string", default: "journaled" },
  },
});
if (values.route !== "journaled" && values.route !== "plain")
  throw new Error(`--route: journaled or plain; got ${values.route}`);
const journaled = values.route === "journaled";
const quick = values.quick;
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 2));
const SAMPLES = Number(values.samples ?? (quick ? 500 : 5000));
const IDLE_S = Number(values["idle-s"] ?? (quick ? 3 : 10));
const PACE_US = 2000;
const CELLS: Record<string, Job> = {
  paced100: { mode: "paced", size: 100, count: SAMPLES, intervalUs: PACE_US },
  paced4k: { mode: "paced", size: 4096, count: SAMPLES, intervalUs: PACE_US },
  paced64k: { mode: "paced", size: 65536, count: SAMPLES, intervalUs: PACE_US },
  sat100: { mode: "sat", size: 100, count: quick ? 50_000 : 300_000, intervalUs: 0 },
  sat64k: { mode: "sat", size: 65536, count: quick ? 1000 : 5000, intervalUs: 0 },
};
const cells = values.cells.split(",").map((name) => {
  const job = CELLS[name];
  if (job === undefined) throw new Error(`--cells: no cell ${name}; ${Object.keys(CELLS)}`);
  return [name, job] as const;
});
const lanes = values.lanes.split(",").filter((l): l is LaneKind => l === "shm" || l === "uds");
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const setups: Setup[] = [];
cleanUpOnExit("bench:route", () => {
  for (const s of setups) s.killAndRemove(values.keep);
});

log(
  `bench:route: ${ROUNDS} round(s), ${SAMPLES} paced samples a cell, a ${values.route} route; load ${loadavg()[0]}`,
);
const watch = { cpuProf: values["cpu-prof"] !== undefined, gc: values.gc };
for (const lane of lanes) {
  setups.push(await Setup.route(lane, journaled, watch));
  if (values.baseline !== undefined)
    setups.push(await Setup.route(lane, journaled, watch, values.baseline));
}
setups.push(await Setup.pipe());
// Warm-up: the first lines through each set-up (Python's start, the lanes' first frames).
for (const s of setups) {
  await s.run({ mode: "paced", size: 100, count: 100, intervalUs: PACE_US });
  await s.run({ mode: "sat", size: 100, count: 5000, intervalUs: 0 });
}

/** Each route's drivers' CPU over IDLE_S seconds of no traffic, as % of one core. */
async function idleCpu(): Promise<{ setup: string; pid: number; cpu_pct: number }[]> {
  const drivers = setups.flatMap((s) => s.driverPids.map((pid) => ({ setup: s.name, pid })));
  const before = drivers.map((d) => cpuTicks(d.pid));
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const seconds = (performance.now() - t0) / 1000;
  return drivers.map((d, i) => ({
    ...d,
    cpu_pct: round(((cpuTicks(d.pid) - (before[i] ?? 0)) / 100 / seconds) * 100, 2),
  }));
}
const idle = await idleCpu();
for (const d of idle) log(`idle: ${d.setup} driver pid ${d.pid}: ${d.cpu_pct} % CPU`);

/** A job's result, and the wall-clock ms it ran between (for its drivers' collections). */
type Sample = JobResult & { readonly from: number; readonly to: number };
const samples = new Map<string, Sample[]>();
const failures: { round: number; setup: string; cell: string; error: string }[] = [];
for (let r = 0; r < ROUNDS; r++)
  for (const [c, [name, job]] of cells.entries()) {
    const shift = (r + c) % setups.length;
    for (const s of [...setups.slice(shift), ...setups.slice(0, shift)]) {
      const key = `${s.name}/${name}`;
      try {
        const ticks = driverTicks(s);
        const from = Date.now();
        const ran = await s.run(job);
        const to = Date.now();
        // The drivers' CPU per message: a route's own cost, which a loaded host inflates less
        // than it does the wall-clock figures (1 tick = 10 ms: read it on saturated cells).
        const cpu = s.driverPids.length === 0 ? undefined : (driverTicks(s) - ticks) * 1e4;
        const measured = cpu === undefined ? ran : { ...ran, cpu_us_per_msg: cpu / ran.count };
        const result = { ...measured, from, to };
        samples.set(key, [...(samples.get(key) ?? []), result]);
        log(`round ${r + 1} ${key}: ${describe(job, result)}`);
      } catch (error) {
        // Said, counted, and the run goes on: a lost or stuck message is a finding too.
        failures.push({ round: r + 1, setup: s.name, cell: name, error: errorMessage(error) });
        log(`round ${r + 1} ${key}: FAILED: ${errorMessage(error)}`);
      }
    }
  }

/** CPU ticks (utime + stime) of a route's driver processes so far; 0 for the pipe. */
function driverTicks(s: Setup): number {
  return s.driverPids.reduce((sum, pid) => sum + cpuTicks(pid), 0);
}

function describe(job: Job, r: JobResult): string {
  const cpu =
    r.cpu_us_per_msg === undefined ? "" : `; drivers ${round(r.cpu_us_per_msg, 1)} µs CPU/msg`;
  if (job.mode === "paced") return `p50 ${r.p50_us} p99 ${r.p99_us} p99.9 ${r.p999_us} µs${cpu}`;
  const s = r.elapsed_ns / 1e9;
  return `${round(r.count / s, 0)} msgs/s, ${round((r.count * job.size) / s / 1e6)} MB/s${cpu}`;
}

// gc-log.mjs writes every 250 ms: what the last job's collections were is on disk after this.
if (values.gc) await sleep(600);

/** A route's drivers' collections in each of `rs`, per 1,000 messages; none without --gc. */
function collectionsPer1000(s: Setup | undefined, rs: readonly Sample[]) {
  const each = rs.flatMap((r) => {
    const c = s?.collections(r.from, r.to);
    return c === undefined
      ? []
      : [{ majors: (c.majors * 1000) / r.count, pauseMs: (c.pauseMs * 1000) / r.count }];
  });
  if (each.length === 0) return {};
  return {
    driver_gc_majors: median(each.map((c) => c.majors)),
    driver_gc_pause_ms: median(each.map((c) => c.pauseMs)),
  };
}

const median = (xs: number[]): number => round(quantile(xs, 0.5), 1);
const results = [...samples].map(([key, rs]) => {
  const [setup, cell] = key.split("/") as [string, string];
  const job = CELLS[cell] as Job;
  const cpus = rs.flatMap((r) => (r.cpu_us_per_msg === undefined ? [] : [r.cpu_us_per_msg]));
  const row = {
    setup,
    cell,
    size: job.size,
    rounds: rs.length,
    ...(cpus.length === 0 ? {} : { driver_cpu_us_per_msg: median(cpus) }),
    ...collectionsPer1000(
      setups.find((s) => s.name === setup),
      rs,
    ),
  };
  if (job.mode === "paced")
    return {
      ...row,
      p50_us: median(rs.map((r) => r.p50_us ?? Number.NaN)),
      p99_us: median(rs.map((r) => r.p99_us ?? Number.NaN)),
      p999_us: median(rs.map((r) => r.p999_us ?? Number.NaN)),
    };
  const seconds = rs.map((r) => r.elapsed_ns / 1e9);
  return {
    ...row,
    msgs_per_s: median(rs.map((r, i) => r.count / (seconds[i] ?? 1))),
    mb_per_s: median(rs.map((r, i) => (r.count * job.size) / (seconds[i] ?? 1) / 1e6)),
  };
});
for (const row of results)
  if ("driver_gc_majors" in row)
    log(
      `gc: ${row.setup}/${row.cell}: per 1,000 messages ${row.driver_gc_majors} major collection(s), ${row.driver_gc_pause_ms} ms of pauses`,
    );
const pick = (setup: string, cell: string, field: string): number | null => {
  const row = results.find((r) => r.setup === setup && r.cell === cell) as
    | Record<string, number>
    | undefined;
  return row?.[field] ?? null;
};

for (const s of setups) await s.stop(values["cpu-prof"]);
if (values["cpu-prof"] !== undefined) log(`profiles in ${values["cpu-prof"]}`);
console.log(
  JSON.stringify({
    paced_100b_p99_us: pick("shm", "paced100", "p99_us"),
    paced_64k_p99_us: pick("shm", "paced64k", "p99_us"),
    pipe_paced_100b_p99_us: pick("pipe", "paced100", "p99_us"),
    pipe_paced_64k_p99_us: pick("pipe", "paced64k", "p99_us"),
    saturated_100b_msgs_per_s: pick("shm", "sat100", "msgs_per_s"),
    pipe_saturated_100b_msgs_per_s: pick("pipe", "sat100", "msgs_per_s"),
    saturated_64k_mb_per_s: pick("shm", "sat64k", "mb_per_s"),
    pipe_saturated_64k_mb_per_s: pick("pipe", "sat64k", "mb_per_s"),
    idle_driver_cpu_pct_max: Math.max(...idle.map((d) => d.cpu_pct)),
    idle_seconds: IDLE_S,
    idle,
    load_average: loadavg().map((x) => round(x, 2)),
    failures,
    results,
  }),
);

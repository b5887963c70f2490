/**
 * What bench:route measures on: a route wired by the panel (over shm or uds) or the direct pipe
 * `emitter | sink`, both driven the same way — a job line into the emitter's control FIFO, the
 * sink's result line awaited in its results file (emitter.py, sink.py).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { signalProcess } from "@rtt/connector-sdk";
import { killPanel, panelProcesses, stopPanel } from "../control/common.ts";
import { type LaneKind, type Programs, programsDir, routeWorkspace, rttWith } from "./workspace.ts";

export type SetupName = LaneKind | `${LaneKind}-base` | "pipe";

/** One job's result, as sink.py writes it. */
export interface JobResult {
  readonly id: string;
  readonly mode: "paced" | "sat";
  readonly count: number;
  readonly elapsed_ns: number;
  readonly p50_us?: number;
  readonly p99_us?: number;
  readonly p999_us?: number;
  readonly max_us?: number;
  /** A route's drivers' CPU time (user + system) over the job, per message (run.ts). */
  readonly cpu_us_per_msg?: number;
}

export interface Job {
  readonly mode: "paced" | "sat";
  readonly size: number;
  readonly count: number;
  readonly intervalUs: number;
}

/** How often a job's result is looked for, and how long past its own length it may take. */
const RESULT_POLL_MS = 20;
const JOB_SLACK_MS = 30_000;
let nextJob = 0;

export class Setup {
  readonly name: SetupName;
  readonly #programs: Programs;
  /** The control FIFO, held open read-write: the emitter never sees EOF between jobs. */
  readonly #control: number;
  #resultsRead = 0;
  /** A route's panel, and the driver processes it runs. */
  panelPid: number | undefined;
  driverPids: number[] = [];
  /** The direct pipe's shell (the leader of its own process group). */
  #pipe: ChildProcess | undefined;
  #profDir: string | undefined;
  /** Where the panel and drivers log their collections (`--gc`). */
  #gcDir: string | undefined;
  #collectionsRead: { start: number; kind: string; ms: number }[] | undefined;
  /** The checkout whose rtt wires the route (undefined: this one). */
  #repo: string | undefined;

  private constructor(name: SetupName, programs: Programs) {
    this.name = name;
    this.#programs = programs;
    this.#control = openSync(programs.control, constants.O_RDWR);
  }

  /** The direct pipe `emitter | sink`, in a process group of its own. */
  static async pipe(): Promise<Setup> {
    const setup = new Setup("pipe", await programsDir("rtt-bench-route-pipe-"));
    const { dir, control, results } = setup.#programs;
    setup.#pipe = spawn(
      "/bin/sh",
      ["-c", 'python3 emitter.py "$0" | python3 sink.py "$1"', control, results],
      { cwd: dir, stdio: "ignore", detached: true },
    );
    return setup;
  }

  /**
   * A route emitter → sink over `lane` (journaled, or with no QoS), wired by `rtt scan` and
   * `rtt apply`; with `cpuProf`, the panel and its drivers run under `node --cpu-prof` (written
   * when they exit); with `gc`, they log their collections (gc-log.mjs, read by `collections`);
   * with `baseline` (a checkout), its rtt and drivers instead of this one's.
   */
  static async route(
    lane: LaneKind,
    journaled: boolean,
    watch: { readonly cpuProf: boolean; readonly gc: boolean },
    baseline?: string,
  ): Promise<Setup> {
    const name = baseline === undefined ? lane : (`${lane}-base` as const);
    const setup = new Setup(name, await routeWorkspace(lane, journaled));
    const ws = setup.#programs.dir;
    setup.#repo = baseline;
    await setup.#rtt(["scan"]);
    const options: string[] = [];
    if (watch.cpuProf) {
      // Inside the workspace: the drivers' sandbox lets them write there.
      setup.#profDir = join(ws, "prof");
      mkdirSync(setup.#profDir);
      options.push(`--cpu-prof --cpu-prof-dir=${setup.#profDir}`);
    }
    if (watch.gc) {
      // Under .rtt/run, which every sandbox level lets a driver read and write, and which the
      // panel's scan watch does not look at.
      setup.#gcDir = join(ws, ".rtt", "run", "bench-gc");
      mkdirSync(setup.#gcDir, { recursive: true, mode: 0o700 });
      const preload = join(setup.#gcDir, "gc-log.mjs");
      cpSync(new URL("./gc-log.mjs", import.meta.url), preload);
      options.push(`--import=${preload}`);
    }
    await setup.#rtt(
      ["apply", "--auto-approve"],
      options.length > 0 ? options.join(" ") : undefined,
    );
    const status = JSON.parse(await setup.#rtt(["panel", "status", "--json"])) as {
      pid: number;
      drivers: { pid: number }[];
    };
    setup.panelPid = status.pid;
    setup.driverPids = status.drivers.map((d) => d.pid);
    return setup;
  }

  /** `rtt <args>` of this set-up's checkout in its workspace, which must exit 0; its stdout. */
  async #rtt(args: readonly string[], nodeOptions?: string): Promise<string> {
    const r = await rttWith(this.#programs.dir, args, nodeOptions, this.#repo);
    if (r.code !== 0) throw new Error(`${this.name}: rtt ${args.join(" ")} failed:\n${r.stderr}`);
    return r.stdout;
  }

  /** Runs `job` and waits for its result. */
  async run(job: Job): Promise<JobResult> {
    const id = String(++nextJob);
    writeSync(this.#control, `${id} ${job.mode} ${job.size} ${job.count} ${job.intervalUs}\n`);
    const until = Date.now() + JOB_SLACK_MS + (job.count * job.intervalUs) / 1000;
    while (Date.now() < until) {
      const result = this.#nextResult();
      // A result of an earlier job that ran out of time arrives late: not this one's.
      if (result?.id === id) return result;
      if (result === undefined) await sleep(RESULT_POLL_MS);
    }
    throw new Error(`${this.name}: job ${id} (${job.mode} ${job.size} B) got no result in time`);
  }

  #nextResult(): JobResult | undefined {
    const { results } = this.#programs;
    if (!existsSync(results)) return undefined;
    const lines = readFileSync(results, "utf8").split("\n");
    const line = lines[this.#resultsRead];
    // A line is whole once the next one (or the final empty string) follows it.
    if (line === undefined || line === "" || lines.length <= this.#resultsRead + 1)
      return undefined;
    this.#resultsRead++;
    return JSON.parse(line) as JobResult;
  }

  /**
   * The collections each of this route's driver processes logged (`--gc`) that started within
   * [from, to] (wall-clock ms): majors, and the pauses of every kind, summed. Undefined without
   * `--gc`, or for the pipe.
   */
  collections(from: number, to: number): { majors: number; pauseMs: number } | undefined {
    const logged = this.#collectionsLogged();
    if (logged === undefined) return undefined;
    let majors = 0;
    let pauseMs = 0;
    for (const c of logged) {
      if (!(c.start >= from && c.start <= to)) continue;
      if (c.kind === "major") majors++;
      pauseMs += c.ms;
    }
    return { majors, pauseMs };
  }

  /** The drivers' gc logs, read once (run.ts asks only after the last job). */
  #collectionsLogged(): readonly { start: number; kind: string; ms: number }[] | undefined {
    const dir = this.#gcDir;
    if (dir === undefined) return undefined;
    this.#collectionsRead ??= this.driverPids.flatMap((pid) => {
      const file = join(dir, `gc-${pid}.log`);
      if (!existsSync(file)) return [];
      return readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => {
          const [start, kind = "", ms] = line.split(" ");
          return { start: Number(start), kind, ms: Number(ms) };
        });
    });
    return this.#collectionsRead;
  }

  /** Stops what runs: the panel (`rtt panel stop`, so profiles are written) or the pipe. */
  async stop(profileTo: string | undefined): Promise<void> {
    closeSync(this.#control);
    if (this.panelPid !== undefined) {
      const ws = this.#programs.dir;
      await stopPanel(ws, this.panelPid, panelProcesses(this.panelPid, ws));
      this.panelPid = undefined;
      if (this.#profDir !== undefined && profileTo !== undefined) {
        mkdirSync(profileTo, { recursive: true });
        for (const f of readdirSync(this.#profDir))
          cpSync(join(this.#profDir, f), join(profileTo, `${this.name}-${f}`));
      }
    }
    if (this.#pipe?.pid !== undefined)
      signalProcess({ pid: this.#pipe.pid, group: true }, "SIGTERM");
    this.#pipe = undefined;
  }

  /** On the way out, however it goes: SIGKILL whatever still runs; the temp dir removed. */
  killAndRemove(keep: boolean): void {
    const ws = this.#programs.dir;
    killPanel(this.panelPid, (pid) => panelProcesses(pid, ws));
    if (this.#pipe?.pid !== undefined)
      signalProcess({ pid: this.#pipe.pid, group: true }, "SIGKILL");
    if (!keep) rmSync(ws, { recursive: true, force: true });
  }
}

/** CPU time (utime + stime, in clock ticks of 10 ms) a process has used, from /proc. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command (which may hold spaces) in parentheses: utime and stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * The fault suite (docs/design.md §The life of a route: recover), with real processes through the
 * real `rtt` binary on temp copies of examples/quickstart, emit.py streaming as fast as it can.
 * One file per case:
 *
 *   1. driver-kill.test.ts: kill -9 the `process` driver under load: the panel restarts it and
 *      rewires its routes; the programs of the journaled `buffer` route outlive the driver and
 *      the new one adopts them; every message the source program handed over before (and while)
 *      the driver was dead reaches the logger, in order, at most one twice; nothing is left after
 *      stop.
 *  1b. target-driver-kill.test.ts: the same route with its target in another driver (a file
 *      sink), and that driver killed: the panel closes the surviving source end *detached* (its
 *      program runs on), the rewire adopts the same emit.py, and nothing is lost at the sink.
 *   2. panel-kill.test.ts: kill -9 the panel under load: the data keeps flowing over the lanes
 *      with no panel, `rtt panel start` re-attaches the same drivers without rewiring, traffic
 *      continues.
 *   3. slow-consumer.test.ts: a slow consumer (one line every 10 ms): the route stays up and in
 *      order; the drivers' memory and the route's qdepth stay bounded (backpressure reaches the
 *      source program).
 *   4. corrupt-sockets.test.ts: garbage on the sockets of a uds route (driver and panel gRPC
 *      sockets, and the lane sockets while the route is wired): the panel survives and the route
 *      recovers.
 *   5. clock-jump.test.ts: a wall-clock jump (unit level, RouteHealth): with an injected clock,
 *      what a jump does to the breakers and their backoff; with the daemon's own clock, a
 *      Date.now jump does nothing.
 *
 * This module: temp copies of the quickstart run by the real `rtt` binary, the processes the
 * panel starts (tracked with their start times so a reused pid is never killed), and the checks
 * a fault case needs — panel.log, the events file, /proc/<pid>/status, the process tree.
 * `cleanup()` stops every panel and SIGKILLs what is left. The stream the cases run under and the
 * checks on what arrived are in stream.ts.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type EventuallyOptions, eventually } from "@rtt/core/testing";
import {
  copyQuickstart,
  describeRun,
  panelLogTail,
  panelWait,
  parseJson,
  type RunResult,
  removeTempDirs,
  runRtt,
  writeFile,
} from "../e2e/helpers.ts";
import {
  assertNothingLeft,
  cmdline,
  processTree,
  TrackedProcesses,
} from "../support/panel-processes.ts";
import type { QuickstartSetup } from "../support/quickstart.ts";

/** Generous: each step may take seconds on a loaded 2-core machine. */
export const RTT_TIMEOUT_MS = 90_000;

export const EVENTS_ROUTE = "events-to-log";

export interface DriverStatus {
  readonly name: string;
  readonly pid: number;
  readonly restarts: number;
}

export interface PanelStatus {
  readonly running: boolean;
  readonly pid: number;
  readonly routes: number;
  readonly committed_seq: number;
  readonly drivers: readonly DriverStatus[];
}

export interface LinkState {
  readonly driver: string;
  readonly link: string;
  readonly ok: boolean;
  readonly err: string;
  readonly frames_in: number;
  readonly frames_out: number;
  readonly qdepth: number;
}

export interface RouteListing {
  readonly id: string;
  readonly live:
    | null
    | { readonly wired: false }
    | {
        readonly wired: true;
        readonly lane: string;
        readonly from_link: LinkState;
        readonly to_link: LinkState;
      };
}

export interface TapSample {
  readonly route: string;
  readonly ok: boolean;
  readonly err: string;
  readonly qdepth: number;
  readonly breaker: string;
  readonly from_link: LinkState;
  readonly to_link: LinkState;
}

/** Every process the suite saw the panel start (so a reused pid is spared). */
export const processes = new TrackedProcesses();
/** Workspaces whose panel may still be running. */
const workspaces: string[] = [];

/** Resident set size of `pid` in KiB (/proc/<pid>/status VmRSS), undefined once it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** One temp copy of the quickstart and what a fault case does with it. */
export class Workspace {
  readonly root: string;
  /** Epoch ms when it was made: sockets older than this are not its processes'. */
  readonly createdAt = Date.now();

  constructor(setup: QuickstartSetup = {}) {
    this.root = copyQuickstart(setup);
    workspaces.push(this.root);
  }

  rtt(args: readonly string[], timeoutMs = RTT_TIMEOUT_MS): Promise<RunResult> {
    return runRtt(args, { cwd: this.root, timeoutMs });
  }

  /** `rtt <args>`, asserting exit 0 (with the panel.log tail in the message). */
  async ok(args: readonly string[]): Promise<RunResult> {
    const r = await this.rtt(args);
    assert.equal(r.code, 0, `rtt ${args.join(" ")}: ${describeRun(r)}\n${this.tail()}`);
    return r;
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  /** Changes one manifest's `symbol` keys (e.g. `x-run`). */
  editManifest(rel: string, edit: (symbol: Record<string, unknown>) => void): void {
    const file = this.path(rel);
    const m = JSON.parse(readFileSync(file, "utf8")) as { symbol: Record<string, unknown> };
    edit(m.symbol);
    writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
  }

  write(rel: string, text: string): string {
    return writeFile(this.root, rel, text);
  }

  panelLog(): string {
    const log = this.path(".rtt/panel.log");
    return existsSync(log) ? readFileSync(log, "utf8") : "";
  }

  /** The end of .rtt/panel.log, for failure messages. */
  tail(lines = 40): string {
    return panelLogTail(this.root, lines);
  }

  /** How to wait for what its panel does (`panelWait`). */
  wait(what: string): EventuallyOptions {
    return panelWait(this.root, what);
  }

  /**
   * `rtt panel stop`, then none of `pids` (tracked now, if they were not yet) lives on, nor
   * their sockets.
   */
  async stopLeavingNothing(pids: readonly number[]): Promise<void> {
    processes.track(pids);
    await this.ok(["panel", "stop"]);
    await assertNothingLeft(this, pids, processes);
  }

  /** Complete lines of a file under the workspace (a line being appended is left out). */
  lines(rel: string): string[] {
    const file = this.path(rel);
    if (!existsSync(file)) return [];
    const text = readFileSync(file, "utf8");
    return text
      .slice(0, text.lastIndexOf("\n") + 1)
      .split("\n")
      .filter((l) => l !== "");
  }

  count(rel: string): number {
    return this.lines(rel).length;
  }

  async status(): Promise<PanelStatus> {
    const r = await this.ok(["panel", "status", "--json"]);
    return parseJson(r.stdout) as PanelStatus;
  }

  async routes(): Promise<RouteListing[]> {
    const r = await this.ok(["ls", "routes", "--json"]);
    return parseJson(r.stdout) as RouteListing[];
  }

  async route(id: string): Promise<RouteListing> {
    const found = (await this.routes()).find((r) => r.id === id);
    assert.ok(found !== undefined, `no route ${id} in rtt ls routes --json`);
    return found;
  }

  async tap(route: string, count: number, intervalMs = 500): Promise<TapSample[]> {
    const r = await this.ok([
      "tap",
      `route/${route}`,
      "--json",
      "--count",
      String(count),
      "--interval",
      String(intervalMs),
    ]);
    return r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as TapSample);
  }

  /** The daemon, its drivers and all their descendants, tracked. */
  trackTree(status: PanelStatus): number[] {
    const pids = processTree([status.pid, ...status.drivers.map((d) => d.pid)]);
    processes.track(pids);
    return pids;
  }

  driverPid(status: PanelStatus, name: string): number {
    const d = status.drivers.find((x) => x.name === name);
    assert.ok(d !== undefined && d.pid > 0, `no running driver ${name}: ${JSON.stringify(status)}`);
    return d.pid;
  }
}

/** Stops every panel the suite started, SIGKILLs any tracked process left, removes temp dirs. */
export async function cleanup(): Promise<void> {
  for (const root of workspaces.splice(0)) {
    if (existsSync(join(root, ".rtt", "sockets", "panel.sock")))
      await runRtt(["panel", "stop"], { cwd: root, timeoutMs: RTT_TIMEOUT_MS }).catch(() => {});
  }
  processes.killLeft();
  if (process.env.RTT_FAULTS_KEEP === undefined) removeTempDirs();
}

/** Processes under `root` whose command line matches `re`. */
export function programsUnder(root: number, re: RegExp): number[] {
  return processTree([root]).filter((pid) => pid !== root && re.test(cmdline(pid)));
}

export async function scanAndApply(ws: Workspace): Promise<void> {
  await ws.ok(["scan"]);
  await ws.ok(["apply", "--auto-approve"]);
}

/**
 * The panel's status once both routes are live (a rewire runs batch by batch). `rtt panel
 * status` runs per check, so every 500 ms.
 */
export async function bothRoutesLive(ws: Workspace): Promise<PanelStatus> {
  let last: PanelStatus | undefined;
  return eventually(
    async () => {
      last = await ws.status();
      return last.routes >= 2 && last;
    },
    {
      ...ws.wait("both routes live again"),
      intervalMs: 500,
      detail: () => `${JSON.stringify(last)}\n${ws.tail()}`,
    },
  );
}

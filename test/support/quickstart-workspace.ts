/**
 * A temp copy of examples/quickstart run by the real `rtt` binary, for the suites that drive a
 * panel for real (test/e2e, test/faults): its files, its panel's status, routes and samples, the
 * processes the panel starts (tracked with their start times, so a reused pid is never killed),
 * and a check that `rtt panel stop` left none of them behind. `cleanup()` stops every panel
 * started from such a copy, SIGKILLs what is left and removes the temp folders;
 * `quickstartSuite()` registers it for a test file and hands its tests one copy at a time.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after } from "node:test";
import { type EventuallyOptions, eventually } from "@rtt/core/testing";
import { loadPanelConfig, socketPathOf, workspacePaths } from "@rtt/panel";
import { countCompleteLines, writeFile } from "./files.ts";
import {
  assertNothingLeft,
  killPanelOf,
  processTree,
  shmEntries,
  TrackedProcesses,
} from "./panel-processes.ts";
import {
  copyQuickstart,
  editJson,
  editSymbol,
  editText,
  type QuickstartSetup,
} from "./quickstart.ts";
import {
  describeRun,
  panelLogTail,
  panelWait,
  parseJson,
  RTT_TIMEOUT_MS,
  type RunResult,
  removeTempDirs,
  runRtt,
} from "./run-rtt.ts";

export { EVENTS_ROUTE } from "./quickstart.ts";

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
  /** The route's admission at this end (the source; 0 elsewhere): dropped so far, */
  readonly drops: number;
  /** sent over the rate with the congestion mark, */
  readonly marked: number;
  /** refused (nack), */
  readonly nacked: number;
  /** and queued by the buffer policy now. */
  readonly buffered: number;
  /** Messages the symbol failed so far (refused, timed out, 5xx, a program's failed exit), */
  readonly errors: number;
  /** and those it answered 4xx, counted apart. */
  readonly client_errors: number;
  /** Routes sharing this end's program (fan-out, ADR 0025): 1 alone, 0 for an end that never shares. */
  readonly shared: number;
  /** Frames this end's programs took and died holding (ADR 0024). */
  readonly unaccounted: number;
}

/** A wired route's `live` in `rtt ls routes --json`. */
export interface WiredRoute {
  readonly wired: true;
  /** The target it is wired to now (a failover or a qc may have moved it). */
  readonly to: string;
  /** A stub answers from the target's declared examples while its breaker is open. */
  readonly degraded: boolean;
  /** Tripped with nowhere to go: the source is parked. */
  readonly held: boolean;
  readonly breaker: string;
  readonly lane: string;
  readonly from_link: LinkState;
  readonly to_link: LinkState;
  /** Fan-out (ADR 0025): the source's one program feeds other wired routes too. */
  readonly shared_source: boolean;
}

export interface RouteListing {
  readonly id: string;
  readonly live: null | { readonly wired: false } | WiredRoute;
}

export interface TapSample {
  readonly route: string;
  readonly ok: boolean;
  /** Errors per frame over the panel's window, 0..1. */
  readonly err_rate: number;
  readonly err: string;
  readonly qdepth: number;
  /** Frames the route's QoS kept from the target (the source's drops and nacks). */
  readonly drops: number;
  readonly breaker: string;
  readonly from_link: LinkState;
  readonly to_link: LinkState;
}

export interface WorkspaceOptions {
  /** How long one `rtt` run may take. Default RTT_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Check for leftover shared-memory segments too when its panel stops. */
  readonly shm?: boolean;
}

/** Every process a suite saw the panel start (so a reused pid is spared). */
export const processes = new TrackedProcesses();
/** Workspaces whose panel may still be running. */
const workspaces: string[] = [];

/** One temp copy of the quickstart and what a test does with it. */
export class Workspace {
  readonly root: string;
  /** Epoch ms when it was made: sockets older than this are not its processes'. */
  readonly createdAt = Date.now();
  /** /dev/shm before it was made, when its stop check covers shared-memory segments too. */
  readonly shmBefore: ReadonlySet<string> | undefined;
  /** How long one `rtt` run may take. */
  readonly #timeoutMs: number;

  constructor(
    setup: QuickstartSetup = {},
    { timeoutMs = RTT_TIMEOUT_MS, shm = false }: WorkspaceOptions = {},
  ) {
    this.shmBefore = shm ? shmEntries() : undefined;
    this.root = copyQuickstart(setup);
    this.#timeoutMs = timeoutMs;
    workspaces.push(this.root);
  }

  rtt(args: readonly string[], timeoutMs = this.#timeoutMs): Promise<RunResult> {
    return runRtt(args, { cwd: this.root, timeoutMs });
  }

  /** `rtt <args>`, asserting exit 0 (with the panel.log tail in the message). */
  async ok(args: readonly string[]): Promise<RunResult> {
    const r = await this.rtt(args);
    assert.equal(r.code, 0, `rtt ${args.join(" ")}: ${describeRun(r)}\n${this.tail()}`);
    return r;
  }

  /** A path inside the copy. */
  path(...rel: string[]): string {
    return join(this.root, ...rel);
  }

  /** Changes one manifest's `symbol` keys (e.g. `x-run`). */
  editManifest(rel: string, edit: (symbol: Record<string, unknown>) => void): void {
    editSymbol(this.root, rel, edit);
  }

  /** Changes a JSON file of the copy (`.rtt/routes.json`, a manifest) in place. */
  editJson<T>(rel: string, edit: (value: T) => void): void {
    editJson(this.root, rel, edit);
  }

  /** Changes a text file of the copy (`.rtt/panel.yaml`) in place. */
  editText(rel: string, edit: (text: string) => string): void {
    editText(this.root, rel, edit);
  }

  /** A file of the copy, as text. */
  read(rel: string): string {
    return readFileSync(this.path(rel), "utf8");
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
   * their sockets (nor, made with `shm`, their shared-memory segments).
   */
  async stopLeavingNothing(pids: readonly number[]): Promise<void> {
    processes.track(pids);
    await this.ok(["panel", "stop"]);
    await assertNothingLeft(this, pids, processes);
  }

  /** Complete lines of a file under the workspace (a line being appended is left out). */
  count(rel: string): number {
    return countCompleteLines(this.path(rel));
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

  /** Route `id`'s live state, when it is wired (undefined when it is not). */
  async wiredRoute(id: string): Promise<WiredRoute | undefined> {
    const { live } = await this.route(id);
    return live?.wired ? live : undefined;
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

/**
 * Stops the panel of every Workspace made so far, SIGKILLs any tracked process left, and
 * removes the temp folders (kept for a look when RTT_FAULTS_KEEP is set).
 */
export async function cleanup(): Promise<void> {
  for (const root of workspaces.splice(0)) {
    // Where its panel listens: .rtt/sockets, or the short per-user folder (ADR 0020).
    const socket = socketPathOf(loadPanelConfig(workspacePaths(root)).config.listen);
    if (!existsSync(socket)) continue;
    const stop = await runRtt(["panel", "stop"], { cwd: root, timeoutMs: RTT_TIMEOUT_MS }).catch(
      () => undefined,
    );
    // A panel left running would outlive its deleted workspace, and the suite.
    if (stop?.code !== 0) killPanelOf(root);
  }
  processes.killLeft();
  if (process.env.RTT_FAULTS_KEEP === undefined) removeTempDirs();
}

/** `rtt scan`, then `rtt apply --auto-approve`: the copy's routes wired; each must exit 0. */
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

/**
 * The quickstart copy a test file's tests work in, one at a time: `use` makes a fresh one and
 * `ws()` gives the current one. `cleanUp` (`after`, or `afterEach` for a copy per test) runs
 * `cleanup`. Each copy is made with `options`.
 */
export function quickstartSuite(
  cleanUp: (hook: () => Promise<void>) => void = after,
  options: WorkspaceOptions = {},
): { ws(): Workspace; use(setup?: QuickstartSetup): Workspace } {
  let current: Workspace | undefined;
  cleanUp(cleanup);
  return {
    ws() {
      assert.ok(current !== undefined, "no quickstart copy yet: a test calls use() first");
      return current;
    },
    use(setup = {}) {
      current = new Workspace(setup, options);
      return current;
    },
  };
}

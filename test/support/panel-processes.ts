/**
 * The processes a panel starts, and what they may leave behind, for the suites that run the
 * real `rtt` (test/e2e, test/faults): each process tracked with its start time (so a pid the
 * kernel reused is never taken for one of ours), named in failure messages, and the check that
 * `rtt panel stop` left none of them running, nor their sockets or shared-memory segments.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ProcessRef, processRef, sameProcess, signalProcess } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { isAlive, parseProcStat, readProcStat } from "@rtt/fabric";
import { BUILT_IN_DRIVERS } from "@rtt/panel";

/** Processes a test saw the panel start, by pid and start time. */
export class TrackedProcesses {
  /** pid → the process that had it when it was first tracked (its ProcessRef). */
  readonly #refs = new Map<number, ProcessRef>();

  /**
   * Records `pids` with their start times, for the checks after stop and for `killLeft`. A pid
   * already tracked keeps its first start time: if the kernel gave it to another process since,
   * that one is not ours. A pid whose start time cannot be read (gone already) is not recorded.
   */
  track(pids: readonly number[]): void {
    for (const pid of pids) {
      if (this.#refs.has(pid)) continue;
      const ref = processRef(pid);
      if (ref.startTime !== UNKNOWN_START_TIME) this.#refs.set(pid, ref);
    }
  }

  /** Of the tracked `pids`, those still running as the same process (same start time). */
  live(pids: readonly number[]): number[] {
    return pids.filter((pid) => {
      const ref = this.#refs.get(pid);
      return ref !== undefined && sameProcess(ref);
    });
  }

  /** SIGKILLs every tracked process still running: what a failed test left behind. */
  killLeft(): void {
    for (const ref of this.#refs.values())
      signalProcess({ pid: ref.pid, isSame: () => sameProcess(ref) }, "SIGKILL");
  }
}

/** ProcessRef's start time when /proc/<pid>/stat could not be read. */
const UNKNOWN_START_TIME = "0";

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "?"; // Gone meanwhile.
  }
}

export function ppidOf(pid: number): number | undefined {
  return readProcStat(pid)?.ppid;
}

/**
 * SIGKILLs the panel serving the workspace at `root`, and its process tree: what a test that
 * could not `rtt panel stop` it (it failed mid-way, or made the socket unreachable) leaves.
 * Drivers it leaves behind end by themselves once their grace period without a panel is over.
 */
export function killPanelOf(root: string): void {
  const panels = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const argv = cmdline(pid);
      return argv.includes(" panel run") && argv.includes(root);
    });
  for (const pid of processTree(panels).reverse())
    signalProcess({ pid, isSame: () => true }, "SIGKILL");
}

/** One line per pid, with its parent and command line, for failure messages. */
export function describePids(pids: readonly number[]): string {
  return pids
    .map(
      (pid) =>
        `${pid} (ppid ${ppidOf(pid) ?? "?"}): ${cmdline(pid)}${isAlive(pid) ? "" : " (dead)"}`,
    )
    .join("\n");
}

/** `roots` and all their descendants, found through the ppid links of /proc/<pid>/stat. */
export function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Exited while we looked.
    }
    const stat = parseProcStat(text);
    // A zombie has exited already: it cannot live on, nor be left behind (its parent's end, or
    // init, reaps it). The daemon has one, a `[sh] <defunct>` from its start-up.
    if (stat.state === "Z") continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const found = new Set<number>();
  const visit = (pid: number) => {
    if (found.has(pid)) return;
    found.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  return [...found].sort((a, b) => a - b);
}

/** Processes under `root` (not `root` itself) whose command line matches `re`. */
export function programsUnder(root: number, re: RegExp): number[] {
  return processTree([root]).filter((pid) => pid !== root && re.test(cmdline(pid)));
}

/** The per-user folder where packages/fabric puts lane and driver sockets (socket-path.ts). */
export const SOCKET_DIR = join(tmpdir(), `rtt-${process.getuid?.() ?? "user"}`);

/** Sockets named `<prefix>-<pid>-<random>.sock` by one of `pids` (newSocketPath's names). */
export function socketsOf(pids: readonly number[], since = 0): string[] {
  if (!existsSync(SOCKET_DIR)) return [];
  const wanted = new Set(pids.map(String));
  return readdirSync(SOCKET_DIR).filter((name) => {
    const m = /^[a-z0-9]+(?:-[a-z0-9]+)*?-(\d+)-[0-9a-f]+\.sock$/.exec(name);
    if (m === null || !wanted.has(m[1] as string)) return false;
    // A socket older than `since` is a stale one of an earlier process whose pid was reused.
    try {
      return statSync(join(SOCKET_DIR, name)).mtimeMs >= since;
    } catch {
      return false; // removed while we looked
    }
  });
}

/**
 * Sockets our processes left (their pids are in the names). Only those made since the test's
 * workspace was: pids wrap at 32768, and an older socket a killed process left (the fault
 * suite kills drivers) may carry a pid one of ours has now. A driver socket also names its
 * driver: another test file's driver (not a built-in one) with a pid of ours is not ours.
 */
function ourSockets(pids: readonly number[], since: number): string[] {
  return socketsOf(pids, since).filter((name) => {
    const driver = /^driver-([a-z0-9-]+?)-\d+-/.exec(name)?.[1];
    return driver === undefined || (BUILT_IN_DRIVERS as readonly string[]).includes(driver);
  });
}

/** The entries of /dev/shm now: take it before a panel starts, for `StoppedPanel.shmBefore`. */
export function shmEntries(): Set<string> {
  try {
    return new Set(readdirSync("/dev/shm"));
  } catch {
    return new Set();
  }
}

/**
 * /dev/shm entries that were not there in `before` and that this test's processes may have
 * made: lane segments are named `rtt-<owner pid base36>-<start>-<random>` (segment-name.ts), so
 * a segment owned by a process of another test file running alongside is not counted; any new
 * entry not named that way is.
 */
function leftoverShm(before: ReadonlySet<string>, pids: readonly number[]): string[] {
  const ours = new Set(pids);
  return [...shmEntries()].filter((entry) => {
    if (before.has(entry)) return false;
    const m = /^rtt-([0-9a-z]+)-([0-9a-z]+)-[0-9a-f]+$/.exec(entry);
    return m === null || ours.has(Number.parseInt(m[1] as string, 36));
  });
}

/** A workspace whose panel was just stopped, as `assertNothingLeft` checks it. */
export interface StoppedPanel {
  /** The workspace's root folder. */
  readonly root: string;
  /** Epoch ms when the workspace was made: sockets older than this are not its processes'. */
  readonly createdAt: number;
  /** /dev/shm before the panel started (`shmEntries()`); segments are checked only with it. */
  readonly shmBefore?: ReadonlySet<string> | undefined;
  /** What the panel was doing, for failure messages: the tail of its panel.log. */
  tail(): string;
}

/**
 * After `rtt panel stop`: none of the tracked `pids` lives on, and no panel socket, lane or
 * driver socket of theirs (nor, given `shmBefore`, shared-memory segment) is left.
 */
export async function assertNothingLeft(
  panel: StoppedPanel,
  pids: readonly number[],
  processes: TrackedProcesses,
): Promise<void> {
  await eventually(() => processes.live(pids).length === 0, {
    what: "the panel's processes to exit after rtt panel stop",
    timeoutMs: 15_000,
    intervalMs: 100,
    detail: () => `still alive:\n${describePids(processes.live(pids))}\n${panel.tail()}`,
  });
  assert.equal(
    existsSync(join(panel.root, ".rtt", "sockets", "panel.sock")),
    false,
    ".rtt/sockets/panel.sock is still there after rtt panel stop",
  );
  assert.deepEqual(
    ourSockets(pids, panel.createdAt),
    [],
    `sockets left in ${SOCKET_DIR} by the panel's processes\n${panel.tail()}`,
  );
  if (panel.shmBefore !== undefined) {
    assert.deepEqual(leftoverShm(panel.shmBefore, pids), [], "/dev/shm entries left behind");
  }
}

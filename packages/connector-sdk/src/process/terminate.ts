/**
 * Ending a process, or the process group it leads: ask it to go (SIGTERM, or the caller's own
 * way — closing its stdin, a Shutdown call), give it a grace period to exit, then SIGKILL. The
 * driver host's drivers, the programs the process and http connectors run, and the programs
 * recorded in route state directories are all ended here.
 *
 * What must hold:
 * - What is already gone is no error: a signal that finds no process or group (ESRCH) is
 *   simply not delivered.
 * - No signal goes to what is no longer the one meant (`isSame`): a child that has exited, whose
 *   pid the system may give to the next process; a recorded process that `sameProcess` no
 *   longer recognises; the process group of a leader that has exited, once its id is reused.
 * - A process group's id stays taken while any member lives, so the leftovers of an exited
 *   leader's group can be signalled by it — until the group is empty and a new process gets
 *   that number as its pid, which is what `leftoverGroup` checks before each signal.
 */
import type { ChildProcess } from "node:child_process";
import { isAlive } from "../process-identity.ts";

/** What a signal goes to. */
export interface ProcessTarget {
  readonly pid: number;
  /** The process group `pid` leads (it was spawned `detached`): what it started goes too. */
  readonly group?: boolean;
  /** Resolves once it has exited (a child's 'exit'); without it, its end is polled. */
  readonly exited?: Promise<unknown>;
  /** Still the process (or group) meant? Asked before each signal; false: it is gone. */
  readonly isSame?: () => boolean;
}

/** A child process of ours: the one meant until it has exited. */
export interface ChildTarget extends ProcessTarget {
  readonly exited: Promise<void>;
}

export interface TerminateOptions {
  /** Sent first (default SIGTERM); null when the caller has already asked it to exit. */
  readonly signal?: NodeJS.Signals | null;
  /** How long it has to exit before SIGKILL. */
  readonly graceMs: number;
  /** Called just before the SIGKILL: it did not go within the grace (worth a warning). */
  readonly onKill?: () => void;
  /** Let this process exit meanwhile (an end nobody waits for): the wait keeps no timer alive. */
  readonly unref?: boolean;
}

/** How it ended: by itself within the grace (or it was gone already), or by SIGKILL. */
export type Terminated = "exited" | "killed";

const POLL_MS = 20;

/** Whether a child we spawned has exited (and been waited for): its exit code or signal is in. */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** A child we spawned (with `group`: spawned `detached`, so its group goes with it). */
export function childTarget(child: ChildProcess, { group = false } = {}): ChildTarget {
  return {
    pid: child.pid ?? 0,
    group,
    exited: hasExited(child)
      ? Promise.resolve()
      : new Promise((resolve) => child.once("exit", () => resolve())),
    isSame: () => child.pid !== undefined && !hasExited(child),
  };
}

/**
 * What is left in the process group of a leader that has exited: the group meant while no live
 * process holds its id as a pid (the id is free for reuse only once the group is empty).
 */
export function leftoverGroup(pgid: number): ProcessTarget {
  return { pid: pgid, group: true, isSame: () => !isAlive(pgid) };
}

/** Sends `signal` (0: only checks that it exists); false when nothing received it. */
export function signalProcess(target: ProcessTarget, signal: NodeJS.Signals | 0): boolean {
  // 0 and below would signal our own process group, or every process we may signal.
  if (!(target.pid > 0) || target.isSame?.() === false) return false;
  if (target.group === true && sent(-target.pid, signal)) return true;
  // No such group, yet the one meant is there: a leader that has not made its group yet (just
  // spawned) or has left it. It alone gets the signal.
  return sent(target.pid, signal);
}

function sent(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: gone; EPERM: not ours to signal.
  }
}

/**
 * Asks `target` to exit (`signal`), waits up to `graceMs` for it, then sends SIGKILL if it is
 * still there and still the one meant. Returns without waiting for the killed process to exit.
 */
export async function terminate(
  target: ProcessTarget,
  options: TerminateOptions,
): Promise<Terminated> {
  const { signal = "SIGTERM", graceMs, onKill, unref = false } = options;
  if (signal !== null && !signalProcess(target, signal)) return "exited";
  const gone = await goneWithin(target, graceMs, { unref });
  if (gone || !present(target)) return "exited";
  onKill?.();
  return signalProcess(target, "SIGKILL") ? "killed" : "exited";
}

/**
 * Still there to be signalled. A process that has exited and waits for its parent's wait (a
 * zombie) is gone; a group is there while any member is, zombie or not (SIGKILL harms none).
 * An `isSame` already says whether the process is gone (a child: once its exit is seen; a
 * recorded process: `sameProcess`, which checks it is alive), so /proc is not read again.
 */
function present(target: ProcessTarget): boolean {
  if (target.group === true) return signalProcess(target, 0);
  if (!(target.pid > 0)) return false;
  return target.isSame !== undefined ? target.isSame() : isAlive(target.pid);
}

/**
 * Whether `target` is gone within `ms`: its `exited` resolved, or polling (every 20 ms) finds it
 * gone. With `unref` the wait keeps no timer alive. Every "did it go within ms" is this one.
 */
export async function goneWithin(
  target: ProcessTarget,
  ms: number,
  { unref = false }: { readonly unref?: boolean } = {},
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const sleep = (wait: number) =>
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), wait);
      if (unref) timer.unref();
    });
  try {
    if (target.exited !== undefined)
      return await Promise.race([target.exited.then(() => true), sleep(ms)]);
    const until = Date.now() + ms;
    while (present(target)) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(POLL_MS, left));
    }
    return true;
  } finally {
    clearTimeout(timer);
  }
}

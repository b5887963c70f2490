/**
 * Reading /proc/<pid>/stat: the one reader both the lanes (whose shm segment names carry their
 * owner's pid and start time) and the driver host (which never trusts a reused pid) use. On
 * Linux a process's start time — field 22, clock ticks since boot — is fixed for its life and
 * differs for the next holder of the pid.
 */
import { readFileSync } from "node:fs";
import { RttError } from "@rtt/core/errors.ts";

export interface ProcStat {
  readonly pid: number;
  /** The executable's name as the kernel keeps it (at most 15 bytes, any characters). */
  readonly comm: string;
  /** R, S, D, Z (zombie), T, t, X, I, ... */
  readonly state: string;
  readonly ppid: number;
  /** Field 22: start time in clock ticks since boot, as decimal text (it can exceed 2^53). */
  readonly startTime: string;
}

/**
 * Parses the text of /proc/<pid>/stat. The name in field 2 sits in parentheses and may itself
 * hold spaces and ")", so the fields after it are found from the *last* ")". Text that is not
 * such a line is RTT_ERR_DRIVER_IDENTITY: the process cannot be identified.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fail = (why: string) =>
    new RttError("RTT_ERR_DRIVER_IDENTITY", `cannot read /proc/<pid>/stat: ${why}`);
  if (open < 0 || close < open) throw fail("no (comm) field");
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) throw fail("no pid before (comm)");
  // Fields 3.. follow the ")"; field 22 is index 19 of them.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTime = rest[19];
  if (state === undefined || state === "" || !Number.isSafeInteger(ppid))
    throw fail("no state/ppid after (comm)");
  if (startTime === undefined || !/^[0-9]+$/.test(startTime))
    throw fail("no start time (field 22)");
  return { pid, comm: text.slice(open + 1, close), state, ppid, startTime };
}

/** /proc/<pid>/stat of a process, or undefined when there is none (or no /proc). */
export function readProcStat(pid: number | "self"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/**
 * True while `pid` is a process that has not exited. A zombie has exited (only its parent's
 * wait is missing), so it counts as gone; so does a pid we may not signal whose /proc entry
 * says Z.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = readProcStat(pid);
  if (stat === undefined) return process.platform !== "linux";
  return stat.state !== "Z" && stat.state !== "X";
}

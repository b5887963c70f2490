/**
 * Names of lane segments carry their owner, so a segment left behind by a killed process is
 * recognised and reclaimed instead of blocking anyone (iceoryx2's most reported leak):
 *
 *   /rtt-<pid base36>-<process start time base36>-<random>
 *
 * The start time (Linux: field 22 of /proc/<pid>/stat, in clock ticks since boot) tells a live
 * owner from a new process that happens to have the owner's pid. 31 bytes at most: macOS's
 * limit for POSIX shm names.
 */
import { randomBytes } from "node:crypto";
import type { ShmApi } from "../../native.ts";
import { listShmSegments } from "../../native.ts";
import { isAlive, readProcStat } from "../../process-stat.ts";

const PREFIX = "rtt-";
const NAME = /^rtt-([0-9a-z]+)-([0-9a-z]+)-[0-9a-f]+$/;

/** A process's start time, or "0" where the OS does not tell (then only the pid is checked). */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== "linux") return "0";
  try {
    const stat = readProcStat(pid);
    // BigInt: the tick count is decimal text that may exceed 2^53.
    return stat === undefined ? undefined : BigInt(stat.startTime).toString(36);
  } catch {
    return undefined;
  }
}

export function newSegmentName(): string {
  const start = processStartTime(process.pid) ?? "0";
  return `/${PREFIX}${process.pid.toString(36)}-${start}-${randomBytes(4).toString("hex")}`;
}

function ownerAlive(pid: number, start: string): boolean {
  // A zombie owner has exited (only its parent's wait is missing): its segments are stale.
  if (!isAlive(pid)) return false;
  const now = processStartTime(pid);
  return now === undefined ? false : start === "0" || now === start;
}

/** Unlinks every lane segment whose owner is dead. Returns the names reclaimed. */
export function reclaimStaleSegments(shm: ShmApi): string[] {
  const reclaimed: string[] = [];
  for (const entry of listShmSegments(PREFIX)) {
    const m = NAME.exec(entry);
    if (m === null) continue;
    const pid = Number.parseInt(m[1] as string, 36);
    if (ownerAlive(pid, m[2] as string)) continue;
    try {
      if (shm.unlink(`/${entry}`)) reclaimed.push(`/${entry}`);
    } catch {
      // Someone else's to reclaim (permissions), or gone already: not ours to fail on.
    }
  }
  return reclaimed;
}

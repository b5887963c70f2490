/**
 * One holder per `.rtt/`: a lock file holding the holder's pid and /proc start time. The file
 * is written whole to a temp name and hard-linked into place, so the lock appears atomically and
 * is never seen half-written. A lock whose holder is gone (no such pid, or the pid now belongs to
 * a process with another start time) is stale and taken over; a live one is refused with an
 * error naming its pid.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { RttError } from "@rtt/core";
import { readProcStat } from "@rtt/fabric";

export interface LockHolder {
  readonly pid: number;
  readonly startTime: string;
  readonly acquiredMs: number;
}

export interface DirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Set when a stale lock was taken over: the dead holder. */
  readonly tookOverFrom: LockHolder | undefined;
  release(): void;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return undefined;
    const { pid, startTime, acquiredMs } = v as Record<string, unknown>;
    if (typeof pid !== "number" || typeof startTime !== "string") return undefined;
    return { pid, startTime, acquiredMs: typeof acquiredMs === "number" ? acquiredMs : 0 };
  } catch {
    return undefined;
  }
}

/** A holder is alive when its pid exists, is not a zombie, and has the recorded start time. */
export function holderAlive(h: LockHolder): boolean {
  const stat = readProcStat(h.pid);
  return stat !== undefined && stat.state !== "Z" && stat.startTime === h.startTime;
}

function readHolder(path: string): LockHolder | undefined | "absent" {
  try {
    return parseHolder(readFileSync(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
}

export function acquireDirLock(path: string, now: () => number = Date.now): DirLock {
  const self = readProcStat("self");
  if (self === undefined)
    throw new RttError("RTT_ERR_WAL_STATE", "cannot read /proc/self/stat to identify this process");
  const holder: LockHolder = { pid: process.pid, startTime: self.startTime, acquiredMs: now() };
  const text = `${JSON.stringify(holder)}\n`;
  const temp = join(dirname(path), `.lock-${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw error;
      }
      const current = readHolder(path);
      if (current === "absent") continue;
      if (current !== undefined && holderAlive(current))
        throw new RttError(
          "RTT_ERR_WAL_LOCKED",
          `${path} is held by live process pid ${current.pid} (start time ${current.startTime})`,
          { hint: `stop the panel with pid ${current.pid} first (rtt panel stop)` },
        );
      // Stale (or unreadable: never written whole, so its writer died before linking it —
      // impossible with link-into-place, but an old or hand-made file). Move it aside and check
      // that what was moved is what was judged stale, so two starters racing over one stale lock
      // cannot both win: the loser moves the winner's fresh lock and must put it back.
      const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const moved = readHolder(aside);
      if (moved !== "absent" && moved !== undefined && holderAlive(moved)) {
        try {
          linkSync(aside, path);
        } finally {
          rmSync(aside, { force: true });
        }
        continue;
      }
      rmSync(aside, { force: true });
      tookOverFrom = moved === "absent" ? undefined : (moved ?? current);
    }
  } finally {
    rmSync(temp, { force: true });
  }
  let released = false;
  return {
    path,
    holder,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      const current = readHolder(path);
      if (
        current !== "absent" &&
        current?.pid === holder.pid &&
        current.startTime === holder.startTime
      )
        rmSync(path, { force: true });
    },
  };
}

/**
 * One holder per `.rtt/`: a lock file holding the holder's pid and /proc start time. The file
 * is written whole to a temp name and hard-linked into place, so the lock appears atomically and
 * is never seen half-written. A lock whose holder is gone (no such pid, or the pid now belongs to
 * a process with another start time) is stale and taken over; a live one is refused with an
 * error naming its pid.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { readStateFile } from "@rtt/connector-sdk";
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

/**
 * A holder is alive when its pid exists, is not a zombie, and has the recorded start time. (Not
 * @rtt/connector-sdk's `sameProcess`, which also counts a holder in state X as gone.)
 */
function holderAlive(h: LockHolder): boolean {
  const stat = readProcStat(h.pid);
  return stat !== undefined && stat.state !== "Z" && stat.startTime === h.startTime;
}

function readHolder(path: string): LockHolder | undefined | "absent" {
  try {
    return parseHolder(readStateFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw error;
  }
}

/**
 * This process as a lock holder: its pid, and its /proc start time to tell a reused pid apart.
 * Without /proc it throws (where `processRef("self")` records "0"): a lock held under an
 * unknown start time would look stale to the next starter.
 */
function thisProcess(now: () => number): LockHolder {
  const self = readProcStat("self");
  if (self === undefined)
    throw new RttError("RTT_ERR_WAL_STATE", "cannot read /proc/self/stat to identify this process");
  return { pid: process.pid, startTime: self.startTime, acquiredMs: now() };
}

/** Writes the lock file whole, fsynced, under a temp name beside `path`; returns that name. */
function writeTempLock(path: string, holder: LockHolder): string {
  const text = `${JSON.stringify(holder)}\n`;
  const temp = join(dirname(path), `.lock-${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Links the written lock into place: true when it is there, false when a lock already is. */
function linkedInPlace(temp: string, path: string, attempt: number): boolean {
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw error;
    return false;
  }
}

function heldByLiveProcess(path: string, holder: LockHolder): RttError {
  return new RttError(
    "RTT_ERR_WAL_LOCKED",
    `${path} is held by live process pid ${holder.pid} (start time ${holder.startTime})`,
    { hint: `stop the panel with pid ${holder.pid} first (rtt panel stop)` },
  );
}

/** Removing a stale lock either took it over (from its dead holder, when known) or must be retried. */
type StaleRemoval =
  | { readonly removed: true; readonly from: LockHolder | undefined }
  | { readonly removed: false };

/**
 * Removes a lock judged stale (or unreadable: never written whole, so its writer died before
 * linking it — impossible with link-into-place, but an old or hand-made file). It is moved aside
 * and what was moved checked to be what was judged stale, so two starters racing over one stale
 * lock cannot both win: the loser moves the winner's fresh lock and must put it back.
 */
function removeStale(path: string, judged: LockHolder | undefined): StaleRemoval {
  const aside = `${path}.stale-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { removed: false };
    throw error;
  }
  const moved = readHolder(aside);
  if (moved !== "absent" && moved !== undefined && holderAlive(moved)) {
    try {
      linkSync(aside, path);
    } finally {
      rmSync(aside, { force: true });
    }
    return { removed: false };
  }
  rmSync(aside, { force: true });
  return { removed: true, from: moved === "absent" ? undefined : (moved ?? judged) };
}

/**
 * Puts the temp lock file in place, taking over a stale lock found there. Returns the dead
 * holder taken over from, if any; throws RTT_ERR_WAL_LOCKED when a live process holds it.
 */
function linkIntoPlace(temp: string, path: string): LockHolder | undefined {
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; ; attempt++) {
    if (linkedInPlace(temp, path, attempt)) return tookOverFrom;
    const current = readHolder(path);
    if (current === "absent") continue;
    if (current !== undefined && holderAlive(current)) throw heldByLiveProcess(path, current);
    const removal = removeStale(path, current);
    if (removal.removed) tookOverFrom = removal.from;
  }
}

/** The lock as held: released once, and only while the file still names this holder. */
function heldLock(path: string, holder: LockHolder, tookOverFrom: LockHolder | undefined): DirLock {
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

export function acquireDirLock(path: string, now: () => number = Date.now): DirLock {
  const holder = thisProcess(now);
  const temp = writeTempLock(path, holder);
  let tookOverFrom: LockHolder | undefined;
  try {
    tookOverFrom = linkIntoPlace(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  return heldLock(path, holder, tookOverFrom);
}

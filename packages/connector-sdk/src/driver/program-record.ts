/**
 * The record of a program that runs in an end's state directory (OpenContext.stateDir, ADR
 * 0016): `program.json` names the program (pid + start time, so a reused pid is never taken for
 * it) and the driver process that runs it now. A successor driver adopts it when its owner is
 * dead; the panel ends the programs of a route it deletes, since nothing else ever would —
 * they hold the far ends of their own pipes, so they never see EOF.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAlive, readProcStat } from "../process-identity.ts";

const RECORD = "program.json";

export interface ProcessRef {
  readonly pid: number;
  readonly startTime: string;
}

export interface ProgramRecord extends ProcessRef {
  /** The driver process that runs it now; null once released (a detached link left it). */
  readonly owner: ProcessRef | null;
}

/** Still the process it was (not exited, not a reused pid). */
export function isSameProcess(p: ProcessRef): boolean {
  return isAlive(p.pid) && readProcStat(p.pid)?.startTime === p.startTime;
}

/**
 * Records `pid` as the program in `dir`, run by this process from now on — or by nobody
 * (`released`): the next link of the end adopts it, in this driver or another.
 */
export function writeProgramRecord(dir: string, pid: number, released = false): ProgramRecord {
  const record: ProgramRecord = {
    pid,
    startTime: readProcStat(pid)?.startTime ?? "0",
    owner: released
      ? null
      : { pid: process.pid, startTime: readProcStat("self")?.startTime ?? "0" },
  };
  const tmp = join(dir, `${RECORD}.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, join(dir, RECORD));
  return record;
}

/** The record in `dir`; undefined when there is none or it is not one. */
export function readProgramRecord(dir: string): ProgramRecord | undefined {
  let record: Partial<ProgramRecord>;
  try {
    record = JSON.parse(readFileSync(join(dir, RECORD), "utf8")) as Partial<ProgramRecord>;
  } catch {
    return undefined;
  }
  const isRef = (r: unknown): r is ProcessRef =>
    typeof r === "object" &&
    r !== null &&
    Number.isSafeInteger((r as ProcessRef).pid) &&
    typeof (r as ProcessRef).startTime === "string";
  const owner = (record as Partial<ProgramRecord>).owner;
  return isRef(record) && (owner === null || isRef(owner)) ? (record as ProgramRecord) : undefined;
}

/**
 * Ends the live programs recorded in the state directories under `journalDir` (TERM to each
 * one's process group, KILL after `graceMs` if it is still the same process) — with
 * `unownedOnly`, those no live driver runs (left by a detached close, or by a dead driver);
 * their pids.
 */
export function stopRecordedPrograms(
  journalDir: string,
  { graceMs = 2000, unownedOnly = false }: { graceMs?: number; unownedOnly?: boolean } = {},
): number[] {
  let ends: string[];
  try {
    ends = readdirSync(journalDir);
  } catch {
    return [];
  }
  const stopped: number[] = [];
  for (const end of ends) {
    const record = readProgramRecord(join(journalDir, end));
    if (record === undefined || !isSameProcess(record)) continue;
    if (unownedOnly && record.owner !== null && isSameProcess(record.owner)) continue;
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-record.pid, sig);
      } catch {
        // Gone.
      }
    };
    signal("SIGTERM");
    setTimeout(() => {
      if (isSameProcess(record)) signal("SIGKILL");
    }, graceMs).unref();
    stopped.push(record.pid);
  }
  return stopped;
}

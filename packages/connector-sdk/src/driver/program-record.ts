/**
 * The record of a program that runs in an end's state directory (OpenContext.stateDir, ADR
 * 0016): `program.json` names the program (pid + start time, so a reused pid is never taken for
 * it) and the driver process that runs it now. A successor driver adopts it when its owner is
 * dead; the panel ends the programs of a route it deletes, since nothing else ever would —
 * they hold the far ends of their own pipes, so they never see EOF.
 *
 * It also names the launch the program was started with (`launch`, a hash the driver makes of
 * what it ran): a successor adopts only a program started with the launch it is to run now, so
 * an edited `x-run` applied while the driver was dead is not answered by the old program.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic-write.ts";
import { PRIVATE_FILE_MODE } from "../files/private-state.ts";
import { terminate } from "../process/terminate.ts";
import {
  isProcessRef,
  ownProcessRef,
  type ProcessRef,
  processRef,
  sameProcess,
} from "../process-identity.ts";
import { readStateFile } from "../state-files.ts";

const RECORD = "program.json";

export interface ProgramRecord extends ProcessRef {
  /** The driver process that runs it now; null once released (a detached link left it). */
  readonly owner: ProcessRef | null;
  /**
   * The launch it was started with (a SHA-256, hex). Absent when the file does not say — a
   * record older than the field, or a field that is not such a hash: then it is not adoptable.
   */
  readonly launch?: string;
}

/** A launch hash as a record carries it: SHA-256, lowercase hex. */
const LAUNCH_HASH = /^[0-9a-f]{64}$/;

/**
 * Records `program` as the program in `dir`, run by this process from now on — or by nobody
 * (`released`): the next link of the end adopts it, in this driver or another. A pid's start
 * time is read now; a ProcessRef already known (an adopted program's record) is taken as it is.
 */
export function writeProgramRecord(
  dir: string,
  program: number | ProcessRef,
  options: Omit<RecordFileOptions, "alsoAs"> = {},
): ProgramRecord {
  return writeProgramRecordFile(join(dir, RECORD), program, options);
}

export interface RecordFileOptions {
  /** Run by nobody from now on (see `writeProgramRecord`). */
  readonly released?: boolean;
  /** The launch it was started with (`ProgramRecord.launch`); a successor adopts on a match. */
  readonly launch?: string | undefined;
  /**
   * Fields written beside the record, for readers of an earlier format of the same file (the
   * http driver's `.pid`, which an older driver sharing the socket folder still reads).
   */
  readonly alsoAs?: (record: ProgramRecord) => object;
}

/** `writeProgramRecord` to a file of another name (the http driver's `<socket>.pid`). */
export function writeProgramRecordFile(
  file: string,
  program: number | ProcessRef,
  options: RecordFileOptions = {},
): ProgramRecord {
  const owner = options.released === true ? null : ownProcessRef();
  const { pid, startTime } = typeof program === "number" ? processRef(program) : program;
  const launch = options.launch;
  if (launch !== undefined && !LAUNCH_HASH.test(launch))
    throw new TypeError(`a program record's launch must be a SHA-256 in hex, not ${launch}`);
  const record: ProgramRecord = {
    pid,
    startTime,
    owner,
    ...(launch === undefined ? {} : { launch }),
  };
  // Whole or not at all: a reader that finds half a record could not tell whose it is.
  writeFileAtomic(
    file,
    JSON.stringify({ ...options.alsoAs?.(record), ...record }),
    PRIVATE_FILE_MODE,
    false,
  );
  return record;
}

/** The record in `dir`; undefined when there is none or it is not one. */
export function readProgramRecord(dir: string): ProgramRecord | undefined {
  try {
    return asProgramRecord(JSON.parse(readStateFile(join(dir, RECORD))));
  } catch {
    return undefined;
  }
}

/**
 * Parsed JSON as a ProgramRecord; undefined when it is not one. A `launch` that is not a hash is
 * left out (the program is still ended as a recorded one, never adopted); so is any other field.
 */
export function asProgramRecord(value: unknown): ProgramRecord | undefined {
  if (!isProcessRef(value)) return undefined;
  const { pid, startTime, owner, launch } = value as Partial<Record<keyof ProgramRecord, unknown>>;
  if (owner !== null && !isProcessRef(owner)) return undefined;
  return {
    pid: pid as number,
    startTime: startTime as string,
    owner: owner === null ? null : { pid: owner.pid, startTime: owner.startTime },
    ...(typeof launch === "string" && LAUNCH_HASH.test(launch) ? { launch } : {}),
  };
}

/**
 * Whether a successor that is to run `launch` may adopt the program of `record`: only when the
 * record says it was started with that very launch. A record that does not say is never taken
 * for a match — the program might run anything.
 */
export function startedWith(record: ProgramRecord, launch: string): boolean {
  return record.launch !== undefined && record.launch === launch;
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
    if (record === undefined || !sameProcess(record)) continue;
    if (unownedOnly && record.owner !== null && sameProcess(record.owner)) continue;
    endRecordedProgram(record, graceMs);
    stopped.push(record.pid);
  }
  return stopped;
}

/**
 * Ends a recorded program that is not our child: TERM to its process group, KILL after
 * `graceMs` if it is still the same process. Nobody waits for it (the wait keeps no timer alive).
 */
export function endRecordedProgram(record: ProcessRef, graceMs = 2000): void {
  const group = { pid: record.pid, group: true, isSame: () => sameProcess(record) };
  void terminate(group, { graceMs, unref: true });
}

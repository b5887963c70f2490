/**
 * Telling one process from another that later got the same pid (re-attach never trusts a reused
 * pid: docs/design.md §Processes and sockets: re-attach). On Linux a process's start time — field
 * 22 of /proc/<pid>/stat, clock ticks since boot — is fixed for its life and differs for the next
 * holder of the pid; together with the nonce a driver announces, it identifies the process. The
 * /proc reader itself is @rtt/fabric's, shared with the lanes' segment names.
 *
 * A `ProcessRef` (pid + start time) is what every record of a process holds: a driver's record
 * for re-attach, a program's `program.json`, a route journal's owner; `sameProcess` is the one
 * check of it.
 */
import { readProcStat } from "@rtt/fabric";

export { isAlive, parseProcStat, readProcStat } from "@rtt/fabric";

/** A process as recorded: its pid and its start time. */
export interface ProcessRef {
  readonly pid: number;
  /** /proc/<pid>/stat field 22 when it was recorded; "0" where unknown (no /proc). */
  readonly startTime: string;
}

const UNKNOWN_START_TIME = "0";

/** `pid` (or this process) as it is now, to be recorded. */
export function processRef(pid: number | "self"): ProcessRef {
  return {
    pid: pid === "self" ? process.pid : pid,
    startTime: readProcStat(pid)?.startTime ?? UNKNOWN_START_TIME,
  };
}

let self: ProcessRef | undefined;

/** This process as recorded (`processRef("self")`): read once, its start time never changes. */
export function ownProcessRef(): ProcessRef {
  self ??= processRef("self");
  return self;
}

/** This process's start time for the handshake: field 22, or "0" where /proc is missing. */
export function ownStartTime(): string {
  return processRef("self").startTime;
}

/** A ProcessRef as read back from a file (JSON of unknown origin). */
export function isProcessRef(value: unknown): value is ProcessRef {
  return (
    typeof value === "object" &&
    value !== null &&
    Number.isSafeInteger((value as ProcessRef).pid) &&
    typeof (value as ProcessRef).startTime === "string"
  );
}

export interface SameProcessOptions {
  /**
   * Take a live pid for the process when a start time is unknown — recorded as "0", or
   * unreadable now (no /proc): for a caller that has nothing better to go on there and accepts
   * the guess (the driver host's re-attach also checks the nonce). Without it such a process is
   * never the recorded one: nothing is signalled or adopted on a guess.
   */
  readonly trustUnknownStart?: boolean;
}

/** `sameProcess` for the callers that accept a live pid whose start time is unknown. */
export const TRUST_UNKNOWN_START: SameProcessOptions = { trustUnknownStart: true };

/**
 * Still the recorded process: alive (not exited, not a zombie), and not a reuse of its pid.
 * `isAlive`'s checks on one read of /proc/<pid>/stat, whose start time then decides.
 */
export function sameProcess(ref: ProcessRef, options: SameProcessOptions = {}): boolean {
  try {
    process.kill(ref.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const trust = options.trustUnknownStart === true;
  const stat = readProcStat(ref.pid);
  // No /proc entry: gone on Linux; elsewhere alive, with a start time nobody can read.
  if (stat === undefined) return process.platform !== "linux" && trust;
  if (stat.state === "Z" || stat.state === "X") return false;
  if (trust && ref.startTime === UNKNOWN_START_TIME) return true;
  return stat.startTime === ref.startTime;
}

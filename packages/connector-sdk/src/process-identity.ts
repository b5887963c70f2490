/**
 * Telling one process from another that later got the same pid (re-attach never trusts a reused
 * pid: docs/design.md §Processes and sockets: re-attach). On Linux a process's start time — field
 * 22 of /proc/<pid>/stat, clock ticks since boot — is fixed for its life and differs for the next
 * holder of the pid; together with the nonce a driver announces, it identifies the process. The
 * /proc reader itself is @rtt/fabric's, shared with the lanes' segment names.
 */
import { readProcStat } from "@rtt/fabric";

export { isAlive, type ProcStat, parseProcStat, readProcStat } from "@rtt/fabric";

/** This process's start time for the handshake: field 22, or "0" where /proc is missing. */
export function ownStartTime(): string {
  return readProcStat("self")?.startTime ?? "0";
}

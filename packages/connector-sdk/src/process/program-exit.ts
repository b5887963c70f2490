/**
 * How the end of a supervised program (supervisor.ts) is learnt. A child of ours says so itself
 * (`exitOfChild`). A program taken over from a driver that died is not our child, so no 'exit'
 * event comes: its end is polled against its identity record (`exitOfAdopted`), and a reused
 * pid is never taken for it (docs/design.md §Processes and sockets: re-attach).
 */
import type { ChildProcess } from "node:child_process";
import { type ProcessRef, sameProcess } from "../process-identity.ts";
import { hasExited } from "./terminate.ts";

/**
 * How a process ended: `signal` when killed by one, else its exit `code`; both null when it
 * was not our child (a re-attached driver, an adopted program), so neither is known.
 */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How a supervised program ended (its exit code, adopted: as it recorded), or never started. */
export interface ProgramExit extends ExitStatus {
  /** It could not be started at all: the spawn error's message. */
  readonly startError?: string;
}

/**
 * The end of a child we spawned: its 'exit' (at once if it has exited already), or the 'error'
 * of a spawn that failed.
 */
export function exitOfChild(child: ChildProcess): Promise<ProgramExit> {
  if (hasExited(child)) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once("error", (error) =>
      resolve({ code: null, signal: null, startError: error.message }),
    );
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** How often an adopted program (not our child: no exit event) is checked. */
const ADOPTED_POLL_MS = 200;

export interface AdoptedExit {
  readonly exited: Promise<ProgramExit>;
  /** Stops watching (the program is left running for someone else); `exited` never settles. */
  readonly unwatch: () => void;
}

/**
 * The end of a program that is not our child: once `ref` no longer names a live process. Its
 * exit code is whatever `status` reads then (null: it left none).
 */
export function exitOfAdopted(ref: ProcessRef, status: () => number | null): AdoptedExit {
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<ProgramExit>((resolve) => {
    timer = setInterval(() => {
      if (sameProcess(ref)) return;
      clearInterval(timer);
      resolve({ code: status(), signal: null });
    }, ADOPTED_POLL_MS);
    timer.unref();
  });
  return { exited, unwatch: () => clearInterval(timer) };
}

/** How a program ended, in words for health and errors (a driver's: `describeDriverExit`). */
export function describeExit(exit: ProgramExit): string {
  if (exit.startError !== undefined) return `failed to start: ${exit.startError}`;
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  // Only a program that is not our child ends with neither a code nor a signal.
  if (exit.code === null) return "the adopted program ended (killed: no exit status)";
  return `exited with code ${exit.code}`;
}

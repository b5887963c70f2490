/**
 * Waiting on a driver process and cleaning up after it: its exit, its pipes, a pid that is not
 * our child, and the socket file a killed driver could not remove. The waits use real timers on
 * purpose: they bound how long the host listens for a process's last words, not protocol time.
 */
import type { ChildProcess } from "node:child_process";
import { removeOwnSocket } from "@rtt/fabric";
import { describeExit, type ExitStatus } from "../process/program-exit.ts";
import { type ChildTarget, childTarget, goneWithin } from "../process/terminate.ts";

/** The driver leads its own process group (spawned detached): its children go with it. */
export function driverGroup(child: ChildProcess): ChildTarget {
  return childTarget(child, { group: true });
}

/** Resolves true once the child has exited, false when it is still running after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  return goneWithin(childTarget(child), ms);
}

/** Resolves when every pipe of the child has closed, or after `ms`. */
export function waitPipes(child: ChildProcess, ms: number): Promise<void> {
  const pipes = child.stdio.filter(
    (s): s is NonNullable<typeof s> => s !== null && s !== undefined && !s.destroyed,
  );
  return new Promise((resolve) => {
    let left = pipes.length;
    if (left === 0) return resolve();
    const timer = setTimeout(resolve, ms);
    for (const p of pipes) {
      p.once("close", () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}

/** Resolves true once `pid` is gone (polled: it is not our child), false after `ms`. */
export function waitGone(pid: number, ms: number): Promise<boolean> {
  return goneWithin({ pid }, ms);
}

/** A killed driver cannot remove its socket file; only a socket of ours is removed. */
export function removeSocketFile(address: string): void {
  removeOwnSocket(address);
}

/** A gone driver's socket files: its gRPC socket and its framed one, when it had one. */
export function removeDriverSockets(record: {
  readonly socket: string;
  readonly framed?: string;
}): void {
  removeSocketFile(record.socket);
  if (record.framed !== undefined) removeSocketFile(record.framed);
}

/**
 * How a driver ended, in the host's words: a driver "was killed by" a signal, and one that was
 * not our child (re-attached) "exited with code ?".
 */
export function describeDriverExit(exit: ExitStatus): string {
  if (exit.signal === null && exit.code === null) return "exited with code ?";
  const words = describeExit(exit);
  return exit.signal !== null ? `was ${words}` : words;
}

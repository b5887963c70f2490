/**
 * A driver the host runs now: its record, its client, the child process when the host spawned
 * it, and how its end is noticed or brought about. A child's exit is noticed at once (SIGCHLD);
 * a Health stream held open as a watch breaks when the driver dies even if it is not our child
 * (after re-attach, docs/design.md §Processes and sockets: re-attach). The child is always
 * waited for (Node reaps it), and the socket file a killed driver could not remove is removed
 * here.
 */
import type { ChildProcess } from "node:child_process";
import { RttError } from "@rtt/core";
import { type ExitStatus, exitOfChild } from "../process/program-exit.ts";
import { goneWithin, terminate } from "../process/terminate.ts";
import { isAlive, sameProcess, TRUST_UNKNOWN_START } from "../process-identity.ts";
import type { ServerStream } from "../server-stream.ts";
import type { HealthSample } from "../wire.ts";
import type { DriverClient } from "./driver-client.ts";
import type { DriverLog } from "./driver-log.ts";
import {
  driverGroup,
  removeDriverSockets,
  waitExit,
  waitGone,
  waitPipes,
} from "./driver-process.ts";
import type { DriverRecord } from "./verified-connect.ts";

/** What the host hears from its running driver. */
export interface RunningDriverHooks {
  /** Still the host's driver? A watch that broke is opened again only then. */
  isCurrent(): boolean;
  /** A sample of the liveness watch (the driver's and each link's). */
  onSample(sample: HealthSample): void;
  /** It died (code and signal null when it was not our child); once, after the cleanup. */
  onDeath(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface RunningDriverParts {
  readonly record: DriverRecord;
  readonly client: DriverClient;
  /** Undefined when another host started it (re-attached). */
  readonly child: ChildProcess | undefined;
  /** On the host's clock: compared only with its own now(), never with wall time. */
  readonly startedAt: number;
}

/** How long a broken liveness watch waits for the driver's death before watching again. */
const WATCH_BROKEN_MS = 1000;

export class RunningDriver {
  readonly record: DriverRecord;
  readonly client: DriverClient;
  readonly child: ChildProcess | undefined;
  readonly startedAt: number;
  readonly #log: DriverLog;
  readonly #watchIntervalMs: number;
  readonly #hooks: RunningDriverHooks;
  #watch: ServerStream<HealthSample> | undefined;
  /** Set when we cancel the watch ourselves, so its end is not taken for a death. */
  #watchCancelled = false;
  /** Set once end() or release() began: from then on the watch is never opened again. */
  #leaving = false;
  #dead = false;

  constructor(
    parts: RunningDriverParts,
    log: DriverLog,
    watchIntervalMs: number,
    hooks: RunningDriverHooks,
  ) {
    this.record = parts.record;
    this.client = parts.client;
    this.child = parts.child;
    this.startedAt = parts.startedAt;
    this.#log = log;
    this.#watchIntervalMs = watchIntervalMs;
    this.#hooks = hooks;
  }

  /** Starts noticing its death: the child's exit, and the liveness watch. */
  watchForDeath(): void {
    const child = this.child;
    if (child !== undefined) {
      child.removeAllListeners("exit");
      child.on("exit", (code, signal) => this.#die(code, signal));
    }
    this.#openWatch();
  }

  #openWatch(): void {
    if (this.#dead || this.#leaving || !this.#hooks.isCurrent()) return;
    let watch: ServerStream<HealthSample>;
    try {
      // Over the framed channel when the driver serves one (no grpc-js work per sample).
      watch = this.client.health({ intervalMs: this.#watchIntervalMs });
    } catch (error) {
      // The connection is closed (grpc-js throws "Channel has been shut down"): nothing to
      // watch through any more; a child's exit is still noticed by itself.
      this.#log.note(`cannot watch the driver any more: ${String(error)}`, this.record.pid);
      return;
    }
    this.#watch = watch;
    this.#watchCancelled = false;
    void this.#follow(watch);
  }

  /**
   * Hands each sample on until the stream ends or fails: either way, the watch broke. (A sample
   * the hook throws on is not the stream's failure, and is not caught here.)
   */
  async #follow(watch: ServerStream<HealthSample>): Promise<void> {
    const samples = watch[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<HealthSample>;
      try {
        next = await samples.next();
      } catch {
        break; // failed rather than ended: the same to a liveness watch
      }
      if (next.done === true) break;
      this.#hooks.onSample(next.value);
    }
    if (this.#watch !== watch || this.#watchCancelled || this.#dead) return;
    this.#watch = undefined;
    this.#onWatchBroken().catch((error: unknown) =>
      this.#log.note(`watching the driver failed: ${String(error)}`, this.record.pid),
    );
  }

  /** The watch stream broke: the driver died, or (rarely) only the connection did. */
  async #onWatchBroken(): Promise<void> {
    const pid = this.record.pid;
    // Polled until it is gone: a child's exit arrives by itself within moments (#die with it);
    // a non-child we must look at.
    const watched = {
      pid,
      isSame: () => !this.#dead && (this.child !== undefined || isAlive(pid)),
    };
    if (await goneWithin(watched, WATCH_BROKEN_MS)) this.#die(null, null);
    // end() or release() may have closed the connection during the wait.
    if (this.#dead || this.#leaving || !this.#hooks.isCurrent()) return;
    this.#log.note("the liveness watch broke but the driver is alive; watching again", pid);
    this.#openWatch();
  }

  #die(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#cancelWatch();
    this.client.disconnect();
    removeDriverSockets(this.record);
    this.#hooks.onDeath(code, signal);
  }

  #cancelWatch(): void {
    this.#watchCancelled = true;
    this.#watch?.cancel();
  }

  /**
   * Stops the driver: Shutdown (it closes its links with EOS, drains their programs and exits
   * 0), then SIGTERM, then SIGKILL with a warning in the log, waiting `waitMs` at each step. The
   * Shutdown may take `drainMs` more: the longest drain (`x-drain-ms`, ADR 0024) among the
   * programs it runs, which it waits for before it answers. One that does not answer by then
   * cuts a drain short, and the log says so.
   */
  async end(waitMs: number, drainMs = 0): Promise<void> {
    this.#leaving = true;
    this.#cancelWatch();
    try {
      await this.client.shutdown("host stopping", waitMs + drainMs);
    } catch (error) {
      // Dead or hung: the signals below settle it. Hung while a program drains: say so.
      if (error instanceof RttError && error.code === "RTT_ERR_DRIVER_TIMEOUT")
        this.#log.note(
          `Shutdown did not finish within ${waitMs + drainMs} ms (${drainMs} ms of it for its programs' drain): a program still draining is cut short`,
          this.record.pid,
        );
    }
    this.client.disconnect();
    const pid = this.record.pid;
    const child = this.child;
    const ending = {
      graceMs: waitMs,
      onKill: () => this.#log.note(`did not exit after Shutdown and SIGTERM; sending SIGKILL`, pid),
    };
    if (child !== undefined) {
      const exitedOnShutdown = await waitExit(child, waitMs);
      if (!exitedOnShutdown && (await terminate(driverGroup(child), ending)) === "killed")
        await waitExit(child, waitMs);
      await waitPipes(child, 250);
    } else if (!(await waitGone(pid, waitMs))) {
      // Not our child: only the process, and only while it is still the recorded one.
      const isSame = () => sameProcess(this.record, TRUST_UNKNOWN_START);
      await terminate({ pid, isSame }, ending);
    }
    this.#dead = true;
    removeDriverSockets(this.record);
  }

  /**
   * Lets go of the driver without stopping it, as a host that dies would: its stdin and our
   * connection close, and it starts its grace period. Resolves when it exits (a child of ours is
   * still reaped).
   */
  release(): Promise<ExitStatus> {
    this.#leaving = true;
    this.#cancelWatch();
    this.client.disconnect();
    const child = this.child;
    if (child === undefined)
      return waitGone(this.record.pid, 2 ** 31 - 1).then(() => ({ code: null, signal: null }));
    child.removeAllListeners("exit");
    const exit = exitOfChild(child);
    child.stdin?.end();
    // Our ends of its output close as a dead host's would; the driver ignores the EPIPE.
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    return exit;
  }
}

/**
 * The host side of a driver process (docs/design.md §Processes and sockets: driver processes): what
 * the panel uses to run connectors, and what anyone can use on its own. `DriverHost` coordinates;
 * each step is a module of its own:
 *
 * - launch.ts: spawn with the cookie, the offered versions and descriptor 3 a pipe; wait for the
 *   handshake line, the process's end or the start timeout;
 * - start-outcome.ts: the pure verdict on how that wait ended — a handshake, or a failure with
 *   its own code (RTT_ERR_DRIVER_SPAWN, _TIMEOUT, _EXITED, _HANDSHAKE, _VERSION, or the driver's
 *   refusal) quoting the last lines it printed;
 * - verified-connect.ts: connect only to the driver meant (the handshake's nonce; on re-attach
 *   the recorded pid, start time and nonce);
 * - running-driver.ts: noticing a running driver's death (SIGCHLD, or a broken Health watch after
 *   re-attach), stopping it, letting it go;
 * - restart-pacer.ts: whether and when a crashed driver starts again (capped, jittered
 *   exponential backoff on the host's Clock);
 * - driver-log.ts: its output mirrored line by line, the host's own "host" lines, the last lines.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { RttError } from "@rtt/core";
import { type Clock, systemClock } from "../clock.ts";
import { SDK_PROTOCOL_VERSIONS } from "../handshake/protocol.ts";
import type { ExitStatus } from "../process/program-exit.ts";
import type { HealthSample } from "../wire.ts";
import type { DriverClient } from "./driver-client.ts";
import { DriverLog, type DriverLogLine, type DriverLogSink } from "./driver-log.ts";
import { describeDriverExit } from "./driver-process.ts";
import {
  type DriverLaunch,
  describeLaunch,
  endFailedStart,
  exitThroughWrapper,
  readHandshakeLine,
  spawnDriver,
} from "./launch.ts";
import {
  type DriverRestart,
  type RestartOptions,
  RestartPacer,
  restartPolicy,
} from "./restart-pacer.ts";
import { RunningDriver, type RunningDriverParts } from "./running-driver.ts";
import {
  classifyStart,
  connectFailure,
  DriverStartError,
  type StartFailure,
  stoppedWhileStarting,
} from "./start-outcome.ts";
import {
  connectRecorded,
  connectStarted,
  type DriverRecord,
  recordOf,
} from "./verified-connect.ts";

export interface DriverHostOptions {
  /** How long the handshake may take (default 10 s). */
  readonly startTimeoutMs?: number;
  /** Offered in RTT_PROTOCOL_VERSIONS (default: the SDK's). */
  readonly protocolVersions?: readonly number[];
  /** Passed to the driver as RTT_HEARTBEAT_MS. */
  readonly heartbeatMs?: number;
  /** Passed to the driver as RTT_DRIVER_GRACE_MS. */
  readonly graceMs?: number;
  /** Passed to the driver as RTT_DRIVER_SOCKET_DIR. */
  readonly socketDir?: string;
  /** Passed to the driver as RTT_ALLOW_UIDS: who besides our uid may use its sockets. */
  readonly allowUids?: readonly number[];
  /** Restart policy, or false to leave a crashed driver down. */
  readonly restart?: Partial<RestartOptions> | false;
  /** The start timeout, the restart backoff and how long a run lasted (default systemClock). */
  readonly clock?: Clock;
  /** [0, 1), for the backoff's jitter. */
  readonly random?: () => number;
  /** Where mirrored output goes (default: stderr as `[name] line`); false = only 'log' events. */
  readonly log?: DriverLogSink;
  /** Lines of output quoted in errors (default 10). */
  readonly tailLines?: number;
  /** How long stop() waits at each step: Shutdown, then SIGTERM, then SIGKILL (default 3 s). */
  readonly stopTimeoutMs?: number;
  /** Deadline of each call to the driver (default 10 s). */
  readonly callTimeoutMs?: number;
  /** Interval of the liveness watch's samples (default: the driver's heartbeat). */
  readonly watchIntervalMs?: number;
}

export interface DriverExit {
  readonly driver: string;
  readonly pid: number;
  /** null when killed by a signal, or when the driver was not our child (re-attached). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lastLines: readonly string[];
}

export interface DetachedDriver {
  readonly record: DriverRecord;
  /** Settles when the process exits (we stay its parent, so it is still reaped). */
  readonly exit: Promise<ExitStatus>;
}

type State = "starting" | "running" | "restarting" | "stopped" | "detached" | "failed";

/** The events of a DriverHost, with their arguments. */
export interface DriverHostEvents {
  /** A line the driver printed, or a note of the host about it. */
  log: [DriverLogLine];
  /** The driver died unexpectedly (not through stop() or detach()). */
  exit: [DriverExit];
  /** A crashed driver is running again. */
  restart: [DriverRestart];
  /** A restart attempt failed to start; another follows after the next backoff delay. */
  "restart-failed": [unknown];
  /** maxRestarts was reached: the host is `failed`. */
  "give-up": [RttError];
  /** A sample of the liveness watch (the driver's and each link's). */
  health: [HealthSample];
}

export class DriverHost extends EventEmitter<DriverHostEvents> {
  readonly name: string;
  readonly #launch: DriverLaunch | undefined;
  readonly #options: DriverHostOptions;
  readonly #clock: Clock;
  /** Undefined when a crashed driver stays down: restarts off, or no launch to restart from. */
  readonly #restarts: RestartPacer | undefined;
  readonly #log: DriverLog;
  #state: State = "starting";
  #running: RunningDriver | undefined;
  /** The fields after the ninth of the last handshake line read (field 10: lanes, ADR 0031). */
  #lineExtra: readonly string[] = [];
  #lastPid = 0;

  private constructor(name: string, launch: DriverLaunch | undefined, options: DriverHostOptions) {
    super();
    this.name = name;
    this.#launch = launch;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const policy = restartPolicy(options.restart);
    this.#restarts =
      policy === false || launch === undefined
        ? undefined
        : new RestartPacer(policy, this.#clock, options.random ?? Math.random);
    this.#log = new DriverLog(name, options.log, options.tailLines ?? 10, (line) =>
      this.emit("log", line),
    );
  }

  /** Starts a driver and resolves once its handshake checked out and its service answers. */
  static async launch(launch: DriverLaunch, options: DriverHostOptions = {}): Promise<DriverHost> {
    const host = new DriverHost(launch.name, launch, options);
    await host.#start();
    return host;
  }

  /**
   * Takes over a driver another host started (that host died or detached), after checking it
   * is the very process the record describes. With `launch`, a crash is followed by restarts
   * as for a launched driver.
   */
  static async attach(
    record: DriverRecord,
    options: DriverHostOptions & { readonly launch?: DriverLaunch } = {},
  ): Promise<DriverHost> {
    const host = new DriverHost(record.name, options.launch, options);
    const client = await connectRecorded(record, options.callTimeoutMs ?? 5000);
    host.#lastPid = record.pid;
    host.#adopt({ record, client, child: undefined, startedAt: host.#clock.now() });
    return host;
  }

  // -------------------------------------------------------------------------------------------
  // State

  /** starting | running | restarting | stopped | detached | failed */
  get state(): State {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === "running";
  }

  /** The record of the running driver: journal it to re-attach later. */
  get record(): DriverRecord {
    return this.#current().record;
  }

  get pid(): number {
    return this.#current().record.pid;
  }

  /** The typed client of the running driver (a new one after each restart). */
  get client(): DriverClient {
    return this.#current().client;
  }

  /** The last lines the driver printed. */
  lastLines(): string[] {
    return this.#log.lastLines();
  }

  #current(): RunningDriver {
    const r = this.#running;
    if (r === undefined || this.#state !== "running") {
      throw new RttError(
        "RTT_ERR_DRIVER_EXITED",
        `driver "${this.name}" is not running (${this.#state})`,
        {
          hint:
            this.#state === "restarting"
              ? "it crashed and is being restarted; wait for the 'restart' event"
              : "launch it again",
        },
      );
    }
    return r;
  }

  /** True once stop() or detach() was called (the state can change across any await). */
  #letGo(): boolean {
    return this.#state === "stopped" || this.#state === "detached";
  }

  // -------------------------------------------------------------------------------------------
  // The Connector service, through whichever driver runs now. Callers (the panel's HostPool,
  // the tests) hold the host across restarts, and the client changes with each one: these
  // calls always reach the current driver, and each rejects with RTT_ERR_DRIVER_EXITED while
  // none runs (crashed, restarting, stopped) instead of failing on a closed connection. Their
  // signatures are DriverClient's, where each call is described.

  /** The fields after the ninth of the handshake line this host read; [] when it attached. */
  get handshakeExtra(): readonly string[] {
    return this.#lineExtra;
  }

  /** The lane kinds the running driver declared (ADR 0031); undefined while none runs. */
  get lanes(): DriverClient["lanes"] {
    return this.#running?.client.lanes;
  }
  async info(): ReturnType<DriverClient["info"]> {
    return this.client.info();
  }
  async probe(...args: Parameters<DriverClient["probe"]>): ReturnType<DriverClient["probe"]> {
    return this.client.probe(...args);
  }
  async open(...args: Parameters<DriverClient["open"]>): ReturnType<DriverClient["open"]> {
    return this.client.open(...args);
  }
  async bind(...args: Parameters<DriverClient["bind"]>): ReturnType<DriverClient["bind"]> {
    return this.client.bind(...args);
  }
  async offer(...args: Parameters<DriverClient["offer"]>): ReturnType<DriverClient["offer"]> {
    return this.client.offer(...args);
  }
  async offerWithHandshake(
    ...args: Parameters<DriverClient["offerWithHandshake"]>
  ): ReturnType<DriverClient["offerWithHandshake"]> {
    return this.client.offerWithHandshake(...args);
  }
  async handshake(
    ...args: Parameters<DriverClient["handshake"]>
  ): ReturnType<DriverClient["handshake"]> {
    return this.client.handshake(...args);
  }
  async switch(...args: Parameters<DriverClient["switch"]>): ReturnType<DriverClient["switch"]> {
    return this.client.switch(...args);
  }
  async throttle(
    ...args: Parameters<DriverClient["throttle"]>
  ): ReturnType<DriverClient["throttle"]> {
    return this.client.throttle(...args);
  }
  async close(...args: Parameters<DriverClient["close"]>): ReturnType<DriverClient["close"]> {
    return this.client.close(...args);
  }
  async closeLink(
    ...args: Parameters<DriverClient["closeLink"]>
  ): ReturnType<DriverClient["closeLink"]> {
    return this.client.closeLink(...args);
  }
  async listLinks(): ReturnType<DriverClient["listLinks"]> {
    return this.client.listLinks();
  }
  async tx(...args: Parameters<DriverClient["tx"]>): ReturnType<DriverClient["tx"]> {
    return this.client.tx(...args);
  }
  /** A stream, not a promise: throws at once while no driver runs. */
  health(...args: Parameters<DriverClient["health"]>): ReturnType<DriverClient["health"]> {
    return this.client.health(...args);
  }
  /** A stream, not a promise: throws at once while no driver runs. */
  rx(...args: Parameters<DriverClient["rx"]>): ReturnType<DriverClient["rx"]> {
    return this.client.rx(...args);
  }

  // -------------------------------------------------------------------------------------------
  // Start-up

  /** Spawn, handshake line, verdict, verified connect: then the driver runs. */
  async #start(): Promise<void> {
    const launch = this.#launch;
    if (launch === undefined) throw new RttError("RTT_ERR_INTERNAL", "no launch to start from");
    this.#state = "starting";
    this.#log.clear();
    const o = this.#options;
    const timeoutMs = o.startTimeoutMs ?? 10_000;
    const offered = o.protocolVersions ?? SDK_PROTOCOL_VERSIONS;
    const child = spawnDriver(launch, {
      offered,
      heartbeatMs: o.heartbeatMs,
      graceMs: o.graceMs,
      socketDir: o.socketDir,
      allowUids: o.allowUids,
    });
    const pid = child.pid ?? 0;
    this.#log.mirror(child.stdout, "stdout", pid);
    this.#log.mirror(child.stderr, "stderr", pid);

    const end = await readHandshakeLine(child, this.#clock, timeoutMs);
    const who = describeLaunch(launch);
    const verdict = classifyStart(end, {
      who,
      timeoutMs,
      offered,
      spawnedPid: pid,
      forks: launch.forks === true,
    });
    if (!verdict.ok) return this.#failStart(child, verdict.failure);
    if (verdict.note !== undefined) this.#log.note(verdict.note, pid);

    const record = recordOf(this.name, verdict.handshake);
    this.#lineExtra = verdict.handshake.extra;
    let client: DriverClient;
    try {
      client = await connectStarted(child, record, timeoutMs, this.#clientOptions());
    } catch (error) {
      // endFailedStart waits for its pipes (after the exit, or the SIGKILL), last lines and all.
      return this.#failStart(child, connectFailure(who, error, record));
    }
    if (this.#letGo()) {
      // stop() or detach() was called while this (re)start was under way.
      client.disconnect();
      return this.#failStart(child, stoppedWhileStarting(who, record));
    }
    this.#lastPid = record.pid;
    this.#adopt({ record, client, child, startedAt: this.#clock.now() });
  }

  /** Ends the driver as the failure says and throws it, quoting the driver's last lines. */
  async #failStart(child: ChildProcess, failure: StartFailure): Promise<never> {
    const { code, message, hint, ending } = failure;
    if (ending === "never-ran") {
      this.#state = "failed";
      throw new DriverStartError(code, this.name, message, [], hint);
    }
    await endFailedStart(child, ending, failure);
    if (this.#state === "starting") this.#state = "failed";
    throw new DriverStartError(code, this.name, message, this.#log.lastLines(), hint);
  }

  #clientOptions(): { callTimeoutMs?: number } {
    const t = this.#options.callTimeoutMs;
    return t === undefined ? {} : { callTimeoutMs: t };
  }

  // -------------------------------------------------------------------------------------------
  // Running, crashing, restarting

  #adopt(parts: RunningDriverParts): void {
    const running: RunningDriver = new RunningDriver(
      parts,
      this.#log,
      this.#options.watchIntervalMs ?? 0,
      {
        isCurrent: () => this.#running === running,
        onSample: (sample) => this.emit("health", sample),
        onDeath: (code, signal) => {
          const exit = exitThroughWrapper(this.#launch, code, signal);
          this.#onDeath(running, exit.code, exit.signal);
        },
      },
    );
    this.#running = running;
    this.#state = "running";
    running.watchForDeath();
  }

  /** The driver died: unless stop() or detach() let it go, that is a crash. */
  #onDeath(running: RunningDriver, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#running !== running) return;
    this.#running = undefined;
    if (this.#letGo()) return;
    const pid = running.record.pid;
    const lastLines = this.#log.lastLines();
    this.#log.note(`driver ${describeDriverExit({ code, signal })}`, pid);
    this.emit("exit", { driver: this.name, pid, code, signal, lastLines });
    const restarts = this.#restarts;
    if (restarts === undefined) {
      this.#state = "failed";
      return;
    }
    restarts.crashed(this.#clock.now() - running.startedAt);
    this.#restartLater(restarts);
  }

  /** Starts the driver again after its backoff delay, or gives up after maxRestarts. */
  #restartLater(restarts: RestartPacer): void {
    const planned = restarts.next();
    if (planned === undefined) {
      this.#state = "failed";
      this.#log.note(`giving up after ${restarts.restarts} restarts`, this.#lastPid);
      this.emit(
        "give-up",
        new RttError(
          "RTT_ERR_DRIVER_EXITED",
          `driver "${this.name}" kept crashing; gave up after ${restarts.restarts} restarts`,
        ),
      );
      return;
    }
    this.#state = "restarting";
    const { attempt, delayMs } = planned;
    const previousPid = this.#lastPid;
    this.#log.note(`restarting in ${delayMs} ms (attempt ${attempt})`, previousPid);
    restarts.schedule(planned, () => {
      if (this.#state !== "restarting") return;
      this.#start().then(
        () =>
          this.emit("restart", { driver: this.name, attempt, delayMs, pid: this.pid, previousPid }),
        (error: unknown) => {
          if (this.#letGo()) return;
          this.emit("restart-failed", error);
          this.#restartLater(restarts);
        },
      );
    });
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  /**
   * Stops the driver: Shutdown (it closes its links with EOS and exits 0), then SIGTERM, then
   * SIGKILL with a warning in the log, waiting `stopTimeoutMs` at each step. `drainMs`: how much
   * longer the Shutdown may take, for the programs its links run to drain (ADR 0024); the
   * caller knows their `x-drain-ms`, the host does not.
   */
  async stop(options: { readonly drainMs?: number } = {}): Promise<void> {
    const previous = this.#state;
    this.#state = "stopped";
    this.#restarts?.cancel();
    const running = this.#running;
    if (running === undefined || previous === "detached") return;
    await running.end(this.#options.stopTimeoutMs ?? 3000, options.drainMs ?? 0);
    this.#running = undefined;
  }

  /**
   * Lets go of the driver without stopping it, as a host that dies would: its stdin and our
   * connection close, and it starts its grace period. Returns the record a new host can
   * re-attach with.
   */
  detach(): DetachedDriver {
    const running = this.#current();
    this.#state = "detached";
    const exit = running.release();
    this.#running = undefined;
    return { record: running.record, exit };
  }
}

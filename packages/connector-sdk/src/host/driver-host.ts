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
 * - driver-log.ts: its output mirrored line by line, the host's own "host" lines, the last lines.
 *
 * While running: the child's exit is noticed at once (SIGCHLD), and a Health stream held
 * open as a watch breaks when the driver dies even if it is not our child (after re-attach).
 * A crash is followed by a restart after a capped, jittered exponential backoff. The child is
 * always waited for (Node reaps it), and the socket file a killed driver could not remove is
 * removed here.
 */
import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import type * as grpc from "@grpc/grpc-js";
import type { Contract } from "@rtt/core";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, RttError } from "@rtt/core";
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import { type Cancel, type Clock, systemClock } from "../clock.ts";
import { SDK_PROTOCOL_VERSIONS } from "../handshake/protocol.ts";
import { terminate } from "../process/terminate.ts";
import { isAlive, sameProcess } from "../process-identity.ts";
import type { DriverInfo, HealthSample, ProbedSymbol, RxChunk } from "../wire.ts";
import type {
  ControlAddresses,
  DriverClient,
  DriverStream,
  HandshakeAgreed,
  HandshakeOptions,
} from "./driver-client.ts";
import { DriverLog, type DriverLogLine, type DriverLogSink } from "./driver-log.ts";
import {
  describeExit,
  driverGroup,
  exited,
  removeSocketFile,
  waitExit,
  waitGone,
  waitPipes,
} from "./driver-process.ts";
import {
  type DriverLaunch,
  describeLaunch,
  endFailedStart,
  readHandshakeLine,
  spawnDriver,
} from "./launch.ts";
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
  TRUST_UNKNOWN_START,
} from "./verified-connect.ts";

export interface DriverRestart {
  readonly driver: string;
  /** 1 for the first restart after a crash, 2 for the next, ... */
  readonly attempt: number;
  readonly delayMs: number;
  readonly pid: number;
  readonly previousPid: number;
}

export interface RestartOptions extends BackoffPolicy {
  /** Give up after this many restarts in a row (default: never). */
  readonly maxRestarts: number;
  /** A driver that ran this long before crashing starts the backoff over (default 10 s). */
  readonly resetAfterMs: number;
}

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
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Running {
  readonly record: DriverRecord;
  readonly client: DriverClient;
  readonly child: ChildProcess | undefined;
  /** On the host's clock: compared only with its own now(), never with wall time. */
  readonly startedAt: number;
  watch: grpc.ClientReadableStream<HealthSample> | undefined;
  /** Set when we cancel the watch ourselves, so its end is not taken for a death. */
  watchCancelled: boolean;
  dead: boolean;
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
  readonly #random: () => number;
  readonly #restart: RestartOptions | false;
  readonly #log: DriverLog;
  #state: State = "starting";
  #running: Running | undefined;
  /** Restarts in a row since the last stable run. */
  #attempt = 0;
  #cancelRestart: Cancel | undefined;
  #lastPid = 0;

  private constructor(name: string, launch: DriverLaunch | undefined, options: DriverHostOptions) {
    super();
    this.name = name;
    this.#launch = launch;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#restart =
      options.restart === false
        ? false
        : {
            ...DEFAULT_BACKOFF,
            maxRestarts: Number.POSITIVE_INFINITY,
            resetAfterMs: 10_000,
            ...options.restart,
          };
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
    host.#adopt({
      record,
      client,
      child: undefined,
      startedAt: host.#clock.now(),
      watch: undefined,
      watchCancelled: false,
      dead: false,
    });
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

  #current(): Running {
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
  // The Connector service, through the running driver. Each rejects with
  // RTT_ERR_DRIVER_EXITED while no driver runs (crashed, restarting, stopped).

  async info(): Promise<DriverInfo> {
    return this.client.info();
  }
  async probe(root: string): Promise<ProbedSymbol[]> {
    return this.client.probe(root);
  }
  async open(
    saddr: string,
    options?: {
      readonly contract?: Contract | string;
      readonly params?: Readonly<Record<string, string>>;
    },
  ): Promise<string> {
    return this.client.open(saddr, options);
  }
  async bind(
    linkId: string,
    lanes: { readonly inbound?: LaneAddress; readonly outbound?: LaneAddress },
  ): Promise<{ inboundBound: boolean; outboundBound: boolean }> {
    return this.client.bind(linkId, lanes);
  }
  /** Has the driver listen for one side of a link; see DriverClient.offer. */
  async offer(
    linkId: string,
    side: "inbound" | "outbound",
    kind: LaneKind,
    options?: { readonly capacity?: number },
  ): Promise<LaneAddress> {
    return this.client.offer(linkId, side, kind, options);
  }
  /** Offers a link's inbound side and answers its route's handshake; see DriverClient. */
  async offerWithHandshake(
    linkId: string,
    kind: LaneKind,
    options?: { readonly capacity?: number },
  ): Promise<{ address: LaneAddress; control: ControlAddresses }> {
    return this.client.offerWithHandshake(linkId, kind, options);
  }
  /** Runs a route's handshake from its source end; see DriverClient.handshake. */
  async handshake(linkId: string, ask: HandshakeOptions): Promise<HandshakeAgreed> {
    return this.client.handshake(linkId, ask);
  }
  /** `undefined` parks the link's outbound (see DriverClient.switch). */
  async switch(
    linkId: string,
    outbound: LaneAddress | undefined,
  ): Promise<{ oldEosSeq: number; oldFrames: number }> {
    return this.client.switch(linkId, outbound);
  }
  async throttle(linkId: string, perWindow: number, windowMs: number): Promise<void> {
    return this.client.throttle(linkId, perWindow, windowMs);
  }
  async close(linkId: string, detach = false): Promise<boolean> {
    return this.client.close(linkId, detach);
  }
  async listLinks(): Promise<{ linkId: string; saddr: string }[]> {
    return this.client.listLinks();
  }
  health(options?: {
    readonly linkId?: string;
    readonly intervalMs?: number;
  }): DriverStream<HealthSample> {
    return this.client.health(options);
  }
  async tx(
    linkId: string,
    bytes: Uint8Array,
    options?: { readonly correlation?: number },
  ): Promise<void> {
    return this.client.tx(linkId, bytes, options);
  }
  rx(linkId: string, options?: { readonly max?: number }): DriverStream<RxChunk> {
    return this.client.rx(linkId, options);
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
    });
    const pid = child.pid ?? 0;
    this.#log.mirror(child.stdout, "stdout", pid);
    this.#log.mirror(child.stderr, "stderr", pid);

    const end = await readHandshakeLine(child, this.#clock, timeoutMs);
    const who = describeLaunch(launch);
    const verdict = classifyStart(end, { who, timeoutMs, offered, spawnedPid: pid });
    if (!verdict.ok) return this.#failStart(child, verdict.failure);
    if (verdict.note !== undefined) this.#log.note(verdict.note, pid);

    const record = recordOf(this.name, verdict.handshake);
    let client: DriverClient;
    try {
      client = await connectStarted(child, record, timeoutMs, this.#clientOptions());
    } catch (error) {
      await waitPipes(child, 250);
      return this.#failStart(child, connectFailure(who, error, record.socket));
    }
    if (this.#letGo()) {
      // stop() or detach() was called while this (re)start was under way.
      client.disconnect();
      return this.#failStart(child, stoppedWhileStarting(who, record.socket));
    }
    this.#lastPid = record.pid;
    this.#adopt({
      record,
      client,
      child,
      startedAt: this.#clock.now(),
      watch: undefined,
      watchCancelled: false,
      dead: false,
    });
  }

  /** Ends the driver as the failure says and throws it, quoting the driver's last lines. */
  async #failStart(child: ChildProcess, failure: StartFailure): Promise<never> {
    const { code, message, hint, ending } = failure;
    if (ending === "never-ran") {
      this.#state = "failed";
      throw new DriverStartError(code, this.name, message, [], hint);
    }
    await endFailedStart(child, ending, failure.socket);
    if (this.#state === "starting") this.#state = "failed";
    throw new DriverStartError(code, this.name, message, this.#log.lastLines(), hint);
  }

  #clientOptions(): { callTimeoutMs?: number } {
    const t = this.#options.callTimeoutMs;
    return t === undefined ? {} : { callTimeoutMs: t };
  }

  // -------------------------------------------------------------------------------------------
  // Running: noticing death

  #adopt(running: Running): void {
    this.#running = running;
    this.#state = "running";
    const child = running.child;
    if (child !== undefined) {
      child.removeAllListeners("exit");
      child.on("exit", (code, signal) => this.#onDeath(running, code, signal));
    }
    this.#openWatch(running);
  }

  #openWatch(running: Running): void {
    if (running.dead || this.#running !== running) return;
    const watch = running.client.watch(this.#options.watchIntervalMs ?? 0);
    running.watch = watch;
    running.watchCancelled = false;
    watch.on("data", (sample: HealthSample) => this.emit("health", sample));
    const broken = () => {
      if (running.watch !== watch || running.watchCancelled || running.dead) return;
      running.watch = undefined;
      void this.#onWatchBroken(running);
    };
    watch.on("error", broken);
    watch.on("end", broken);
  }

  /** The watch stream broke: the driver died, or (rarely) only the connection did. */
  async #onWatchBroken(running: Running): Promise<void> {
    const pid = running.record.pid;
    // A child's exit arrives by itself within moments; a non-child we must look at.
    for (let i = 0; i < 50 && !running.dead; i++) {
      if (running.child === undefined && !isAlive(pid)) {
        this.#onDeath(running, null, null);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (running.dead || this.#running !== running) return;
    this.#log.note("the liveness watch broke but the driver is alive; watching again", pid);
    this.#openWatch(running);
  }

  #onDeath(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (running.dead) return;
    running.dead = true;
    running.watchCancelled = true;
    running.watch?.cancel();
    running.client.disconnect();
    removeSocketFile(running.record.socket);
    if (this.#running !== running) return;
    this.#running = undefined;
    const expected = this.#state === "stopped" || this.#state === "detached";
    const exit: DriverExit = {
      driver: this.name,
      pid: running.record.pid,
      code,
      signal,
      lastLines: this.#log.lastLines(),
    };
    if (expected) return;
    this.#log.note(`driver ${describeExit(code, signal)}`, running.record.pid);
    this.emit("exit", exit);
    if (this.#restart === false || this.#launch === undefined) {
      this.#state = "failed";
      return;
    }
    if (this.#clock.now() - running.startedAt >= this.#restart.resetAfterMs) this.#attempt = 0;
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    const policy = this.#restart;
    if (policy === false) return;
    if (this.#attempt >= policy.maxRestarts) {
      this.#state = "failed";
      this.#log.note(`giving up after ${this.#attempt} restarts`, this.#lastPid);
      this.emit(
        "give-up",
        new RttError(
          "RTT_ERR_DRIVER_EXITED",
          `driver "${this.name}" kept crashing; gave up after ${this.#attempt} restarts`,
        ),
      );
      return;
    }
    this.#state = "restarting";
    const delayMs = backoffDelay(this.#attempt, policy, this.#random);
    const attempt = ++this.#attempt;
    const previousPid = this.#lastPid;
    this.#log.note(`restarting in ${delayMs} ms (attempt ${attempt})`, previousPid);
    this.#cancelRestart = this.#clock.schedule(delayMs, () => {
      this.#cancelRestart = undefined;
      if (this.#state !== "restarting") return;
      this.#start().then(
        () => {
          const restart: DriverRestart = {
            driver: this.name,
            attempt,
            delayMs,
            pid: this.pid,
            previousPid,
          };
          this.emit("restart", restart);
        },
        (error: unknown) => {
          if (this.#state === "stopped" || this.#state === "detached") return;
          this.emit("restart-failed", error);
          this.#scheduleRestart();
        },
      );
    });
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  /**
   * Stops the driver: Shutdown (it closes its links with EOS and exits 0), then SIGTERM, then
   * SIGKILL with a warning in the log, waiting `stopTimeoutMs` at each step.
   */
  async stop(): Promise<void> {
    const previous = this.#state;
    this.#state = "stopped";
    this.#cancelRestart?.();
    const running = this.#running;
    if (running === undefined || previous === "detached") return;
    const wait = this.#options.stopTimeoutMs ?? 3000;
    running.watchCancelled = true;
    running.watch?.cancel();
    try {
      await running.client.shutdown("host stopping", wait);
    } catch {
      // Dead or hung: the signals below settle it.
    }
    running.client.disconnect();
    const pid = running.record.pid;
    const child = running.child;
    const ending = {
      graceMs: wait,
      onKill: () => this.#log.note(`did not exit after Shutdown and SIGTERM; sending SIGKILL`, pid),
    };
    if (child !== undefined) {
      const exitedOnShutdown = await waitExit(child, wait);
      if (!exitedOnShutdown && (await terminate(driverGroup(child), ending)) === "killed")
        await waitExit(child, wait);
      await waitPipes(child, 250);
    } else if (!(await waitGone(pid, wait))) {
      // Not our child: only the process, and only while it is still the recorded one.
      const isSame = () => sameProcess(running.record, TRUST_UNKNOWN_START);
      await terminate({ pid, isSame }, ending);
    }
    running.dead = true;
    this.#running = undefined;
    removeSocketFile(running.record.socket);
  }

  /**
   * Lets go of the driver without stopping it, as a host that dies would: its stdin and our
   * connection close, and it starts its grace period. Returns the record a new host can
   * re-attach with.
   */
  detach(): DetachedDriver {
    const running = this.#current();
    this.#state = "detached";
    running.watchCancelled = true;
    running.watch?.cancel();
    running.client.disconnect();
    const child = running.child;
    let exit: DetachedDriver["exit"];
    if (child === undefined) {
      exit = waitGone(running.record.pid, 2 ** 31 - 1).then(() => ({ code: null, signal: null }));
    } else {
      child.removeAllListeners("exit");
      exit = exited(child)
        ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
        : new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
      child.stdin?.end();
      // Our ends of its output close as a dead host's would; the driver ignores the EPIPE.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
    }
    this.#running = undefined;
    return { record: running.record, exit };
  }
}

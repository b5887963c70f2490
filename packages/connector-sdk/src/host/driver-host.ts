/**
 * The host side of a driver process (docs/design.md §Processes and sockets: driver processes): what
 * the panel uses to run connectors, and what anyone can use on its own.
 *
 * Start-up: spawn with the magic cookie and the offered protocol versions in the environment,
 * stdin a pipe (its closing tells the driver its host is gone), stdout and stderr mirrored
 * line by line into the log with a `[name]` prefix, and descriptor 3 a pipe for the one
 * handshake line. Each way start-up can fail has its own code — the driver hangs
 * (RTT_ERR_DRIVER_TIMEOUT), exits (RTT_ERR_DRIVER_EXITED), writes garbage
 * (RTT_ERR_DRIVER_HANDSHAKE), speaks another version (RTT_ERR_DRIVER_VERSION), or cannot be
 * started at all (RTT_ERR_DRIVER_SPAWN) — and every message names the driver and quotes the
 * last lines it printed.
 *
 * While running: the child's exit is noticed at once (SIGCHLD), and a Health stream held
 * open as a watch breaks when the driver dies even if it is not our child (after re-attach).
 * A crash is followed by a restart after a capped, jittered exponential backoff. The child is
 * always waited for (Node reaps it), and the socket file a killed driver could not remove is
 * removed here.
 *
 * Re-attach: from a DriverRecord a new host checks that the pid is alive, that its start time
 * (/proc/<pid>/stat field 22) is the recorded one, and that GetInfo returns the recorded nonce;
 * anything else is RTT_ERR_DRIVER_IDENTITY, so a reused pid is never trusted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { rmSync } from "node:fs";
import type { Readable } from "node:stream";
import type * as grpc from "@grpc/grpc-js";
import type { Contract, ErrorCode } from "@rtt/core";
import {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_BACKOFF,
  errorMessage,
  RttError,
} from "@rtt/core";
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import { type Cancel, type Clock, systemClock } from "../clock.ts";
import {
  type Handshake,
  MAX_HANDSHAKE_LINE,
  parseHandshake,
  parseRefusal,
} from "../handshake/handshake-line.ts";
import {
  COOKIE_ENV,
  COOKIE_VALUE,
  CORE_PROTOCOL_VERSION,
  formatVersionList,
  GRACE_ENV,
  HEARTBEAT_ENV,
  PROTOCOL_VERSIONS_ENV,
  SDK_PROTOCOL_VERSIONS,
  SOCKET_DIR_ENV,
} from "../handshake/protocol.ts";
import { type ChildTarget, childTarget, signalProcess, terminate } from "../process/terminate.ts";
import { isAlive, type ProcessRef, readProcStat, sameProcess } from "../process-identity.ts";
import type { DriverInfo, HealthSample, ProbedSymbol, RxChunk } from "../wire.ts";
import {
  type ControlAddresses,
  DriverClient,
  type DriverStream,
  type HandshakeAgreed,
  type HandshakeOptions,
} from "./driver-client.ts";
import { formatTail, LineSplitter, OutputTail } from "./output-lines.ts";

/** How to start a driver. */
export interface DriverLaunch {
  /** Names the driver in logs and errors, e.g. "file". */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** Added to this process's environment (the cookie and versions are set by the host). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/**
 * What a host needs to find a running driver again (journal it;
 * docs/design.md §Processes and sockets: re-attach).
 */
export interface DriverRecord extends ProcessRef {
  readonly name: string;
  /** As the handshake named it: a path, or "@name" for an abstract socket. */
  readonly socket: string;
  readonly nonce: string;
  readonly protocolVersion: number;
}

export interface DriverLogLine {
  readonly driver: string;
  readonly pid: number;
  /** "host" lines are the host's own notes about the driver (restarts, kills). */
  readonly stream: "stdout" | "stderr" | "host";
  readonly line: string;
}

export interface DriverExit {
  readonly driver: string;
  readonly pid: number;
  /** null when killed by a signal, or when the driver was not our child (re-attached). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lastLines: readonly string[];
}

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
  readonly log?: ((line: DriverLogLine) => void) | false;
  /** Lines of output quoted in errors (default 10). */
  readonly tailLines?: number;
  /** How long stop() waits at each step: Shutdown, then SIGTERM, then SIGKILL (default 3 s). */
  readonly stopTimeoutMs?: number;
  /** Deadline of each call to the driver (default 10 s). */
  readonly callTimeoutMs?: number;
  /** Interval of the liveness watch's samples (default: the driver's heartbeat). */
  readonly watchIntervalMs?: number;
}

/** A driver that failed to start: the code says how, `lastLines` what it printed. */
export class DriverStartError extends RttError {
  readonly driver: string;
  readonly lastLines: readonly string[];
  constructor(
    code: ErrorCode,
    driver: string,
    message: string,
    lastLines: readonly string[],
    hint?: string,
  ) {
    super(code, `${message}${formatTail(lastLines)}`, hint === undefined ? {} : { hint });
    this.name = "DriverStartError";
    this.driver = driver;
    this.lastLines = lastLines;
  }
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

type Outcome =
  | { kind: "line"; line: string }
  | { kind: "eof" }
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "timeout" }
  | { kind: "spawn-error"; error: Error };

/** The driver leads its own process group (spawned detached): its children go with it. */
function driverGroup(child: ChildProcess): ChildTarget {
  return childTarget(child, { group: true });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/** Resolves when every pipe of the child has closed, or after `ms`. */
function waitPipes(child: ChildProcess, ms: number): Promise<void> {
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

function removeSocketFile(address: string): void {
  if (address.startsWith("@")) return;
  rmSync(address, { force: true });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `was killed by ${signal}`;
  return `exited with code ${code ?? "?"}`;
}

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
  readonly #tail: OutputTail;
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
    this.#tail = new OutputTail(options.tailLines ?? 10);
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
    const client = await verifyIdentity(record, options.callTimeoutMs ?? 5000);
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
    return this.#tail.lines();
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

  #note(line: string, pid: number): void {
    this.#emitLog({ driver: this.name, pid, stream: "host", line });
  }

  #emitLog(entry: DriverLogLine): void {
    if (entry.stream !== "host") this.#tail.push(entry.line);
    this.emit("log", entry);
    const sink = this.#options.log;
    if (sink === false) return;
    if (sink !== undefined) sink(entry);
    else process.stderr.write(`[${entry.driver}] ${entry.line}\n`);
  }

  #mirror(stream: Readable | null, kind: "stdout" | "stderr", pid: number): void {
    if (stream === null) return;
    const splitter = new LineSplitter();
    const emit = (line: string) => this.#emitLog({ driver: this.name, pid, stream: kind, line });
    stream.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) emit(line);
    });
    stream.on("end", () => {
      for (const line of splitter.end()) emit(line);
    });
    stream.on("error", () => {});
  }

  #env(): NodeJS.ProcessEnv {
    const o = this.#options;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.#launch?.env };
    if (o.heartbeatMs !== undefined) env[HEARTBEAT_ENV] = String(o.heartbeatMs);
    if (o.graceMs !== undefined) env[GRACE_ENV] = String(o.graceMs);
    if (o.socketDir !== undefined) env[SOCKET_DIR_ENV] = o.socketDir;
    env[COOKIE_ENV] = COOKIE_VALUE;
    env[PROTOCOL_VERSIONS_ENV] = formatVersionList(this.#offered());
    return env;
  }

  #offered(): readonly number[] {
    return this.#options.protocolVersions ?? SDK_PROTOCOL_VERSIONS;
  }

  async #start(): Promise<void> {
    const launch = this.#launch;
    if (launch === undefined) throw new RttError("RTT_ERR_INTERNAL", "no launch to start from");
    this.#state = "starting";
    this.#tail.clear();
    const timeoutMs = this.#options.startTimeoutMs ?? 10_000;
    const child = spawn(launch.command, [...(launch.args ?? [])], {
      cwd: launch.cwd,
      env: this.#env(),
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid ?? 0;
    // Until the handshake is in, an early exit or spawn error is an outcome, not a crash.
    child.on("error", () => {});
    child.stdin?.on("error", () => {});
    this.#mirror(child.stdout, "stdout", pid);
    this.#mirror(child.stderr, "stderr", pid);

    let fd3Text = "";
    const outcome = await new Promise<Outcome>((resolve) => {
      const cancelTimeout = this.#clock.schedule(timeoutMs, () => resolve({ kind: "timeout" }));
      const settle = (o: Outcome) => {
        cancelTimeout();
        resolve(o);
      };
      child.once("error", (error) => settle({ kind: "spawn-error", error }));
      child.once("exit", (code, signal) => settle({ kind: "exit", code, signal }));
      const fd3 = child.stdio[3] as Readable | null | undefined;
      if (fd3 === null || fd3 === undefined) return;
      fd3.setEncoding("utf8");
      fd3.on("error", () => {});
      fd3.on("data", (chunk: string) => {
        fd3Text += chunk;
        const nl = fd3Text.indexOf("\n");
        if (nl >= 0) settle({ kind: "line", line: fd3Text.slice(0, nl) });
        else if (fd3Text.length > MAX_HANDSHAKE_LINE) settle({ kind: "line", line: fd3Text });
      });
      fd3.on("end", () => {
        if (fd3Text === "") settle({ kind: "eof" });
        else settle({ kind: "line", line: fd3Text });
      });
    });

    const fail = async (
      code: ErrorCode,
      message: string,
      hint?: string,
      socket?: string,
    ): Promise<never> => {
      signalProcess(driverGroup(child), "SIGKILL");
      await waitExit(child, 2000);
      await waitPipes(child, 250);
      if (socket !== undefined) removeSocketFile(socket);
      if (this.#state === "starting") this.#state = "failed";
      throw new DriverStartError(code, this.name, message, this.#tail.lines(), hint);
    };
    const who = `driver "${this.name}" (${[launch.command, ...(launch.args ?? [])].join(" ")})`;

    let handshake: Handshake;
    switch (outcome.kind) {
      case "spawn-error":
        this.#state = "failed";
        throw new DriverStartError(
          "RTT_ERR_DRIVER_SPAWN",
          this.name,
          `cannot start ${who}: ${outcome.error.message}`,
          [],
          "check the command path and that it is executable",
        );
      case "timeout":
        return fail(
          "RTT_ERR_DRIVER_TIMEOUT",
          `${who} did not write its handshake on descriptor 3 within ${timeoutMs} ms; killed it`,
          "a driver built with @rtt/connector-sdk calls serveDriver(); others see docs/connectors.md",
        );
      case "exit": {
        await waitPipes(child, 250);
        const refusal = parseRefusal(fd3Text.split("\n")[0] ?? "");
        if (refusal !== undefined)
          return fail(refusal.code, `${who} refused to start: ${refusal.message}`);
        return fail(
          "RTT_ERR_DRIVER_EXITED",
          `${who} ${describeExit(outcome.code, outcome.signal)} before its handshake`,
        );
      }
      case "eof": {
        // Descriptor 3 closed without a line: usually the process is exiting; say so if it is.
        if (await waitExit(child, 250)) {
          await waitPipes(child, 250);
          return fail(
            "RTT_ERR_DRIVER_EXITED",
            `${who} ${describeExit(child.exitCode, child.signalCode)} before its handshake`,
          );
        }
        return fail(
          "RTT_ERR_DRIVER_HANDSHAKE",
          `${who} closed descriptor 3 without writing a handshake line`,
        );
      }
      case "line": {
        const refusal = parseRefusal(outcome.line);
        if (refusal !== undefined) {
          await waitExit(child, 1000);
          await waitPipes(child, 250);
          return fail(refusal.code, `${who} refused to start: ${refusal.message}`);
        }
        try {
          handshake = parseHandshake(outcome.line);
        } catch (error) {
          return fail(
            "RTT_ERR_DRIVER_HANDSHAKE",
            `${who} wrote a malformed handshake line: ${errorMessage(error)}`,
          );
        }
      }
    }

    if (handshake.coreVersion !== CORE_PROTOCOL_VERSION)
      return fail(
        "RTT_ERR_DRIVER_VERSION",
        `${who} writes handshake version ${handshake.coreVersion}; this host reads version ${CORE_PROTOCOL_VERSION}`,
        undefined,
        handshake.address,
      );
    if (!this.#offered().includes(handshake.appVersion))
      return fail(
        "RTT_ERR_DRIVER_VERSION",
        `${who} chose protocol version ${handshake.appVersion}, but the host offered ${formatVersionList(this.#offered())}`,
        undefined,
        handshake.address,
      );
    if (handshake.pid !== pid)
      this.#note(
        `handshake pid ${handshake.pid} is not the spawned pid ${pid} (a wrapper that did not exec?)`,
        pid,
      );

    const record: DriverRecord = {
      name: this.name,
      socket: handshake.address,
      pid: handshake.pid,
      startTime: handshake.startTime,
      nonce: handshake.nonce,
      protocolVersion: handshake.appVersion,
    };
    const client = new DriverClient(this.name, record.socket, this.#clientOptions());
    // A driver that dies right after its handshake must not make us wait out the connect.
    let onExit = () => {};
    const died = new Promise<never>((_, reject) => {
      onExit = () =>
        reject(
          new RttError(
            "RTT_ERR_DRIVER_EXITED",
            `it ${describeExit(child.exitCode, child.signalCode)} before answering`,
          ),
        );
      if (exited(child)) onExit();
      else child.once("exit", onExit);
    });
    died.catch(() => {});
    try {
      await Promise.race([
        (async () => {
          await client.ready(Math.min(timeoutMs, 5000));
          const info = await client.info();
          if (info.nonce !== record.nonce)
            throw new RttError(
              "RTT_ERR_DRIVER_IDENTITY",
              `the service on ${record.socket} answers with another nonce than the handshake's`,
            );
        })(),
        died,
      ]);
    } catch (error) {
      client.disconnect();
      await waitPipes(child, 250);
      const e =
        error instanceof RttError ? error : new RttError("RTT_ERR_DRIVER_CALL", String(error));
      return fail(e.code, `${who} wrote its handshake, but ${e.message}`, undefined, record.socket);
    } finally {
      child.off("exit", onExit);
    }
    if (this.#letGo()) {
      // stop() or detach() was called while this (re)start was under way.
      client.disconnect();
      return fail(
        "RTT_ERR_DRIVER_EXITED",
        `${who} was stopped while it started`,
        undefined,
        record.socket,
      );
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

  /** True once stop() or detach() was called (the state can change across any await). */
  #letGo(): boolean {
    return this.#state === "stopped" || this.#state === "detached";
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
    this.#note("the liveness watch broke but the driver is alive; watching again", pid);
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
      lastLines: this.#tail.lines(),
    };
    if (expected) return;
    this.#note(`driver ${describeExit(code, signal)}`, running.record.pid);
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
      this.#note(`giving up after ${this.#attempt} restarts`, this.#lastPid);
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
    this.#note(`restarting in ${delayMs} ms (attempt ${attempt})`, previousPid);
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
      onKill: () => this.#note(`did not exit after Shutdown and SIGTERM; sending SIGKILL`, pid),
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

/**
 * A driver that knows no start time of its own says 0 in its handshake (the line allows it): its
 * live pid is taken for it, and the nonce GetInfo returns settles who it is.
 */
const TRUST_UNKNOWN_START = { trustUnknownStart: true } as const;

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Re-attach's identity check: pid alive, same start time, same nonce. */
async function verifyIdentity(record: DriverRecord, timeoutMs: number): Promise<DriverClient> {
  const who = `driver "${record.name}" (pid ${record.pid})`;
  if (!isAlive(record.pid))
    throw new RttError("RTT_ERR_DRIVER_EXITED", `${who} is not running any more`, {
      hint: "launch it again",
    });
  if (!sameProcess(record, TRUST_UNKNOWN_START)) {
    const now = readProcStat(record.pid)?.startTime ?? "unknown";
    throw new RttError(
      "RTT_ERR_DRIVER_IDENTITY",
      `${who}: pid ${record.pid} now belongs to another process (start time ${now}, recorded ${record.startTime}); refusing to re-attach`,
      { hint: "the recorded driver is gone and its pid was reused; launch the driver again" },
    );
  }
  const client = new DriverClient(record.name, record.socket, { callTimeoutMs: timeoutMs });
  try {
    await client.ready(timeoutMs);
    const info = await client.info();
    if (info.nonce !== record.nonce || info.pid !== record.pid) {
      throw new RttError(
        "RTT_ERR_DRIVER_IDENTITY",
        `${who}: the driver answering on ${record.socket} is pid ${info.pid} with another nonce; refusing to re-attach`,
        { hint: "the recorded driver is gone; launch the driver again" },
      );
    }
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/**
 * Starting a driver process (docs/design.md §Processes and sockets: the handshake on descriptor
 * 3): spawn it with the magic cookie and the offered protocol versions in its environment, stdin
 * a pipe (its closing tells the driver its host is gone), stdout and stderr pipes the host
 * mirrors, and descriptor 3 a pipe for the one handshake line; then wait for that line, the
 * process's end or the start timeout, whichever comes first. What the wait saw goes to the pure
 * `classifyStart` (start-outcome.ts); a driver that failed is killed here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import type { Readable } from "node:stream";
import { ALLOW_UIDS_ENV, formatAllowUids } from "@rtt/fabric";
import type { Clock } from "../clock.ts";
import { MAX_HANDSHAKE_LINE } from "../handshake/handshake-line.ts";
import {
  COOKIE_ENV,
  COOKIE_VALUE,
  formatVersionList,
  GRACE_ENV,
  HEARTBEAT_ENV,
  PROTOCOL_VERSIONS_ENV,
  SOCKET_DIR_ENV,
} from "../handshake/protocol.ts";
import { signalProcess } from "../process/terminate.ts";
import { driverGroup, removeSocketFile, waitExit, waitPipes } from "./driver-process.ts";
import type { StartEnd, StartEnding } from "./start-outcome.ts";

/** How to start a driver. */
export interface DriverLaunch {
  /** Names the driver in logs and errors, e.g. "file". */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** Added to this process's environment (the cookie and versions are set by the host). */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * The command is a wrapper that forks the driver rather than exec it (a sandbox such as
   * bwrap): the handshake's pid is then the driver's own, not the spawned one, as expected.
   */
  readonly forks?: boolean;
}

/** What the host tells every driver it starts, besides the launch's own environment. */
export interface DriverSettings {
  readonly offered: readonly number[];
  readonly heartbeatMs?: number | undefined;
  readonly graceMs?: number | undefined;
  readonly socketDir?: string | undefined;
  /** Uids besides ours the driver lets connect; none when absent. */
  readonly allowUids?: readonly number[] | undefined;
}

function driverEnv(launch: DriverLaunch, settings: DriverSettings): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env };
  if (settings.heartbeatMs !== undefined) env[HEARTBEAT_ENV] = String(settings.heartbeatMs);
  if (settings.graceMs !== undefined) env[GRACE_ENV] = String(settings.graceMs);
  if (settings.socketDir !== undefined) env[SOCKET_DIR_ENV] = settings.socketDir;
  // Always set: a value in the host's own environment must not widen who may connect.
  env[ALLOW_UIDS_ENV] = formatAllowUids(settings.allowUids ?? []);
  env[COOKIE_ENV] = COOKIE_VALUE;
  env[PROTOCOL_VERSIONS_ENV] = formatVersionList(settings.offered);
  return env;
}

/**
 * A forking wrapper reports a driver killed by signal N as exit code 128 + N (bwrap does, as a
 * shell does): that is the driver's death by N, so say it as the host says any other kill.
 */
export function exitThroughWrapper(
  launch: DriverLaunch | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
): { code: number | null; signal: NodeJS.Signals | null } {
  if (launch?.forks !== true || code === null || code <= 128) return { code, signal };
  const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
  return name === undefined ? { code, signal } : { code: null, signal: name as NodeJS.Signals };
}

/** `driver "name" (command args)`: how every start-up message names the driver. */
export function describeLaunch(launch: DriverLaunch): string {
  return `driver "${launch.name}" (${[launch.command, ...(launch.args ?? [])].join(" ")})`;
}

/** Spawns the driver in a process group of its own (a Ctrl-C for the host does not reach it). */
export function spawnDriver(launch: DriverLaunch, settings: DriverSettings): ChildProcess {
  const child = spawn(launch.command, [...(launch.args ?? [])], {
    cwd: launch.cwd,
    env: driverEnv(launch, settings),
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    detached: true,
  });
  // Until the handshake is in, an early exit or spawn error is an outcome, not a crash.
  child.on("error", () => {});
  child.stdin?.on("error", () => {});
  return child;
}

/**
 * Waits for the handshake line on descriptor 3, the process's end or `timeoutMs` on `clock`,
 * whichever comes first. After an exit it waits a moment for the pipes (descriptor 3 may still
 * hold a refusal), and after descriptor 3 closed empty for the exit that usually follows.
 */
export async function readHandshakeLine(
  child: ChildProcess,
  clock: Clock,
  timeoutMs: number,
): Promise<StartEnd> {
  let fd3Text = "";
  const first = await new Promise<StartEnd>((resolve) => {
    const cancelTimeout = clock.schedule(timeoutMs, () => resolve({ kind: "timeout" }));
    const settle = (end: StartEnd) => {
      cancelTimeout();
      resolve(end);
    };
    child.once("error", (error) => settle({ kind: "spawn-error", error }));
    child.once("exit", (code, signal) => settle({ kind: "exit", exit: { code, signal }, fd3: "" }));
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
      if (fd3Text === "") settle({ kind: "eof", exit: undefined });
      else settle({ kind: "line", line: fd3Text });
    });
  });
  switch (first.kind) {
    case "exit":
      // What it wrote on descriptor 3 before exiting may still be in the pipe.
      await waitPipes(child, 250);
      return { ...first, fd3: fd3Text };
    case "eof":
      if (!(await waitExit(child, 250))) return first;
      await waitPipes(child, 250);
      return { kind: "eof", exit: { code: child.exitCode, signal: child.signalCode } };
    default:
      return first;
  }
}

/**
 * Ends a driver that failed to start (`ending` as the verdict said): SIGKILL to its group, its
 * exit and its last lines waited for, and the socket its handshake named removed.
 */
export async function endFailedStart(
  child: ChildProcess,
  ending: Exclude<StartEnding, "never-ran">,
  sockets: { readonly socket?: string; readonly framed?: string },
): Promise<void> {
  if (ending === "let-it-exit") {
    await waitExit(child, 1000);
    await waitPipes(child, 250);
  }
  signalProcess(driverGroup(child), "SIGKILL");
  await waitExit(child, 2000);
  await waitPipes(child, 250);
  for (const socket of [sockets.socket, sockets.framed])
    if (socket !== undefined) removeSocketFile(socket);
}

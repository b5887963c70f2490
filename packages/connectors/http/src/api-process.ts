/**
 * An `api` symbol the http driver starts itself (manifest `x-run`, run in `x-cwd`): the program
 * gets a fresh Unix socket path in `RTT_HTTP_LISTEN` and must serve HTTP on it — or, when an
 * argument of its `x-run` holds `{port}`, a free loopback TCP port there and in `RTT_HTTP_PORT`,
 * and must serve on 127.0.0.1:port (tcp-upstream.ts: only a server of our own uid is talked to).
 * `start` resolves once it accepts a connection, so the target never races the server's
 * start-up; a program that exits first, or never listens, is a named error with its last stderr
 * lines.
 * It runs in its own process group under the shared supervisor (@rtt/connector-sdk
 * supervisor.ts), never respawned: `close()` ends the whole group — TERM, then KILL after a
 * grace — waits for it, and removes the socket file.
 *
 * Beside the socket a `.pid` file names the program (pid and start time) and the driver that
 * started it, as its owner — a program record, as `program.json` is for the process connector:
 * a driver that is SIGKILLed cannot close its programs, and a program that never reads stdin
 * does not notice. The next http driver to start reaps what a dead one left
 * (`reapOrphanedApis`).
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  accepts,
  asProgramRecord,
  describeExit,
  exitOfChild,
  LineSplitter,
  MAX_START_WAIT_MS,
  OutputTail,
  type ProgramRecord,
  programArgv,
  SOCKET_DIR_ENV,
  type SupervisedProgram,
  Supervisor,
  sameProcess,
  signalProcess,
  TRUST_UNKNOWN_START,
  writeProgramRecordFile,
} from "@rtt/connector-sdk";
import { type ErrorCode, RttError } from "@rtt/core";
import { newSocketPath, removeOwnSocket } from "@rtt/fabric";
import type { HttpEndpointAddress } from "./http-endpoints.ts";
import {
  freeLoopbackPort,
  listensBeyondLoopback,
  ownServerAccepts,
  PORT_ENV,
  TCP_API_HOST,
  wantsTcpPort,
  withPort,
} from "./tcp-upstream.ts";

/** The environment variable that tells the program where to listen (a Unix socket path). */
export const LISTEN_ENV = "RTT_HTTP_LISTEN";

export interface ApiProcessSpec {
  /** The program and its arguments (the manifest's `x-run`). */
  readonly argv: readonly string[];
  /** Its working folder (the manifest's folder, `x-cwd`). */
  readonly cwd?: string;
  /** Where the socket goes; default RTT_DRIVER_SOCKET_DIR, else the per-user lane folder. */
  readonly socketDir?: string;
  /** How long the program has to accept a connection on its socket (default 7 s). */
  readonly startTimeoutMs?: number;
  /** How long `close()` waits after SIGTERM before SIGKILL (default 2 s). */
  readonly killGraceMs?: number;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Lines of stderr kept (and quoted) for the error that says why start-up failed. */
const STDERR_TAIL = 5;

/**
 * The programs this process started and has not closed. Whatever way the driver exits (a
 * Shutdown whose drain ran out before an Open in flight finished, a signal), they end with it
 * and their socket files go: a driver stopping mid-start left a program's socket behind.
 */
const unclosed = new Set<ApiProcess>();
process.on("exit", () => {
  for (const api of unclosed) api.endNow();
});

export class ApiProcess {
  /**
   * Its Unix socket; on TCP, the name its `.pid` record is kept under (reapOrphanedApis finds
   * programs by it either way), with no socket there.
   */
  readonly socketPath: string;
  /** The loopback TCP port it was given, when its `x-run` asked for one. */
  readonly port: number | undefined;
  readonly #spec: ApiProcessSpec;
  readonly #supervisor: Supervisor<SupervisedProgram>;
  /** Undefined when it could not be started. */
  readonly #pid: number | undefined;
  /** The last non-blank lines of its stderr. */
  readonly #stderr = new OutputTail(STDERR_TAIL);
  #closed = false;

  private constructor(spec: ApiProcessSpec, socketPath: string, port: number | undefined) {
    this.#spec = spec;
    this.socketPath = socketPath;
    this.port = port;
    this.#supervisor = new Supervisor({
      name: spec.argv[0] as string,
      launch: () => this.#spawn(),
      killGraceMs: spec.killGraceMs,
      // What an api program that exited left in its group stays until the link closes.
      leftovers: "kill-at-stop",
    });
    this.#pid = this.#supervisor.start().pid;
    unclosed.add(this);
  }

  #spawn(): SupervisedProgram {
    const argv = this.port === undefined ? this.#spec.argv : withPort(this.#spec.argv, this.port);
    const [command, ...args] = programArgv(argv[0] as string, argv.slice(1));
    const where =
      this.port === undefined
        ? { [LISTEN_ENV]: this.socketPath }
        : { [PORT_ENV]: String(this.port) };
    const child = spawn(command, args, {
      cwd: this.#spec.cwd,
      env: { ...process.env, ...where },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so close() ends everything it started.
      detached: true,
    }) as Child;
    // Its output goes to the driver's stderr (the host's log); stdout carries the handshake
    // nowhere here, but a program's chatter still belongs in the log, not on our stdout.
    child.stdout.on("data", (d: Buffer) => process.stderr.write(d));
    const lines = new LineSplitter();
    const keep = (line: string) => {
      if (line.trim() !== "") this.#stderr.push(line);
    };
    child.stderr.on("data", (d: Buffer) => {
      process.stderr.write(d);
      for (const line of lines.push(d)) keep(line);
    });
    child.stderr.on("end", () => {
      for (const line of lines.end()) keep(line);
    });
    return { pid: child.pid, exited: exitOfChild(child) };
  }

  /** Starts the program and resolves once its socket accepts a connection. */
  static async start(spec: ApiProcessSpec): Promise<ApiProcess> {
    if (spec.argv.length === 0 || spec.argv.some((a) => typeof a !== "string"))
      throw new RttError("RTT_ERR_DOC_SCHEMA", "http driver: x-run must be a non-empty argv array");
    const api = new ApiProcess(
      spec,
      newSocketPath(spec.socketDir ?? process.env[SOCKET_DIR_ENV], "api"),
      wantsTcpPort(spec.argv) ? await freeLoopbackPort() : undefined,
    );
    api.#writePidFile();
    const until = Date.now() + (spec.startTimeoutMs ?? MAX_START_WAIT_MS);
    for (;;) {
      const exit = api.#supervisor.lastExit;
      if (exit !== undefined) {
        await api.close();
        throw exit.startError !== undefined
          ? api.#startError("RTT_ERR_DRIVER_SPAWN", `cannot start: ${exit.startError}`)
          : api.#startError("RTT_ERR_DRIVER_EXITED", `${describeExit(exit)} before listening`);
      }
      if (await api.#accepts()) return api;
      if (Date.now() > until) {
        await api.close();
        throw api.#startError(
          "RTT_ERR_DRIVER_TIMEOUT",
          `did not listen on ${api.#listensOn()} within ${spec.startTimeoutMs ?? MAX_START_WAIT_MS} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Whether it accepts a connection now. A foreign server on its port, or the program listening
   * beyond loopback too, ends it with an error: RTT serves nothing off this host.
   */
  async #accepts(): Promise<boolean> {
    const port = this.port;
    if (port === undefined) return accepts({ path: this.socketPath });
    try {
      if (!(await ownServerAccepts(port))) return false;
    } catch (error) {
      await this.close();
      throw error;
    }
    const beyond = listensBeyondLoopback(port);
    if (beyond.length === 0) return true;
    await this.close();
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `http driver: api program ${JSON.stringify(this.#spec.argv.join(" "))} listens on ${beyond.map((a) => (a.includes(":") ? `[${a}]:${port}` : `${a}:${port}`)).join(", ")}, beyond loopback: other hosts could reach it`,
      {
        hint: `tell it to listen on ${TCP_API_HOST} only, e.g. python3 -m http.server {port} --bind ${TCP_API_HOST}`,
      },
    );
  }

  /** Where it was told to listen, in words. */
  #listensOn(): string {
    return this.port === undefined
      ? `${LISTEN_ENV}=${this.socketPath}`
      : `${TCP_API_HOST}:${this.port} (${PORT_ENV})`;
  }

  /** Where the target sends its requests. */
  get address(): HttpEndpointAddress {
    return this.port === undefined
      ? { socketPath: this.socketPath }
      : { host: TCP_API_HOST, port: this.port };
  }

  get pid(): number | undefined {
    return this.#pid;
  }

  /** Why the program is no longer serving, once it has exited on its own; else undefined. */
  get err(): string | undefined {
    const exit = this.#supervisor.lastExit;
    if (exit === undefined || this.#supervisor.stopping) return undefined;
    return `api process ${describeExit(exit)}`;
  }

  /** Api programs fail the way driver programs do, so they share the driver codes. */
  #startError(code: ErrorCode, what: string): RttError {
    const tail = this.#stderr.lines().join("\n  ");
    return new RttError(
      code,
      `http driver: api program ${JSON.stringify(this.#spec.argv.join(" "))} ${what}`,
      {
        hint:
          tail === ""
            ? this.port === undefined
              ? `it must serve HTTP on the Unix socket path in ${LISTEN_ENV}; a program that listens on a TCP port takes it from {port} in x-run`
              : `it must serve HTTP on ${TCP_API_HOST} at the port given for {port} (also in ${PORT_ENV})`
            : `its last stderr lines:\n  ${tail}`,
      },
    );
  }

  #writePidFile(): void {
    const pid = this.#pid;
    if (pid !== undefined)
      writeProgramRecordFile(`${this.socketPath}${PID_SUFFIX}`, pid, { alsoAs: asEarlierPidFile });
  }

  /**
   * Ends the process group (TERM, then KILL after the grace; once the program has exited, KILL
   * to what it left there), waits for it, removes the socket.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#supervisor.stop();
    this.#closed = true;
    unclosed.delete(this);
    this.#removeFiles();
  }

  /** At the driver's exit: the group killed and the files removed, synchronously. */
  endNow(): void {
    this.#supervisor.killAll();
    this.#removeFiles();
  }

  #removeFiles(): void {
    removeOwnSocket(this.socketPath);
    rmSync(`${this.socketPath}${PID_SUFFIX}`, { force: true });
  }
}

const PID_SUFFIX = ".pid";

/** A `.pid` file as http drivers before the program record wrote it. */
interface EarlierPidFile {
  readonly driver: number;
  readonly driverStart: string;
  readonly pid: number;
  readonly start: string;
}

/**
 * The record in the earlier format too: an earlier http driver sharing the socket folder reaps
 * by it, and would take a record without these fields for an orphan and remove a live socket.
 */
function asEarlierPidFile(record: ProgramRecord): EarlierPidFile {
  return {
    driver: record.owner?.pid ?? 0,
    driverStart: record.owner?.startTime ?? "0",
    pid: record.pid,
    start: record.startTime,
  };
}

/** A `.pid` file's record, in either format; undefined when it is neither. */
function readPidFile(text: string): ProgramRecord | undefined {
  const json: unknown = JSON.parse(text);
  const earlier = json as Partial<EarlierPidFile> | null;
  return (
    asProgramRecord(json) ??
    asProgramRecord({
      pid: earlier?.pid,
      startTime: earlier?.start,
      owner: { pid: earlier?.driver, startTime: earlier?.driverStart },
    })
  );
}

/**
 * Ends the api programs (and their process groups) that http drivers which are gone left in
 * `dir`, and removes their sockets. Returns the program pids it ended.
 */
export function reapOrphanedApis(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(
      (n) => n.startsWith("api-") && n.endsWith(`.sock${PID_SUFFIX}`),
    );
  } catch {
    return [];
  }
  const reaped: number[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let record: ProgramRecord | undefined;
    try {
      record = readPidFile(readFileSync(file, "utf8"));
    } catch {
      continue; // Not JSON: being written by an earlier driver, or not ours.
    }
    // Its driver still runs. Where no start time is known (no /proc) the http driver has always
    // taken a live pid for the process it recorded.
    if (record?.owner && sameProcess(record.owner, TRUST_UNKNOWN_START)) continue;
    if (record !== undefined && sameProcess(record, TRUST_UNKNOWN_START)) {
      if (signalProcess({ pid: record.pid, group: true }, "SIGKILL")) reaped.push(record.pid);
    }
    removeOwnSocket(file.slice(0, -PID_SUFFIX.length));
    rmSync(file, { force: true });
  }
  return reaped;
}

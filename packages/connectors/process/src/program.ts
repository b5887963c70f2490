/**
 * How a program runs under the process connector, and how its stdio reaches the driver
 * (`launch` picks one; the endpoint's supervisor, @rtt/connector-sdk supervisor.ts, does the
 * rest):
 *
 * - `spawnPiped`: anonymous pipes. The program's stdio dies with the driver: a killed driver
 *   means EOF on the program's stdin and EPIPE on its stdout, and it ends by itself.
 * - `spawnInDir`: named pipes (FIFOs) in a state directory that outlives the driver (an end of a
 *   journaled route, ADR 0016). The program's stdin, stdout and stderr are each its FIFO opened
 *   read-write, so the program itself holds the far end of each: a dead driver means neither
 *   EOF nor EPIPE — it blocks on a full stdout or stderr or an empty stdin — and what sits in
 *   the pipes stays there for a successor.
 * - `adopt`: the successor's side. A live program recorded in the directory (pid + start time,
 *   as the panel re-attaches drivers) whose owning driver is dead is taken over: its FIFOs are
 *   opened again. It is not this process's child, so its end is noticed by polling
 *   (`exitOfAdopted`), and its exit status comes from a file: in a state directory the program runs under a small `sh`
 *   waiter (the recorded process) that writes the status there when the program ends — without
 *   it, `respawn: on-failure` could not tell a finished program from a crashed one.
 *   Only a program started with the launch this driver is to run (`commandLaunchHash`, in the
 *   record) is adopted; another one (the route's `x-run` was edited and applied while no driver
 *   ran it, or its record predates launches) is ended and the planned launch started.
 *
 * Every program runs in its own process group (`detached`), so ending it ends what it started.
 *
 * Its output goes to `onStdout` chunk by chunk, as read. On FIFOs a read is handed over in the
 * same turn and pausing stops the reads at once (a socket with `onread`), so no byte is taken
 * from the pipe and held back unseen: what a journal must see before a crash can take it.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { constants as osConstants } from "node:os";
import { join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import {
  endRecordedProgram,
  exitOfAdopted,
  exitOfChild,
  type ProgramExit,
  type ProgramRecord,
  privateDir,
  programArgv,
  readProgramRecord,
  type SupervisedProgram,
  sameProcess,
  signalProcess,
  startedWith,
  writeProgramRecord,
} from "@rtt/connector-sdk";
import { canonicalHash } from "@rtt/core";
import { heldHere } from "./dir-holders.ts";
import { ReadSlab } from "./read-slab.ts";

export interface Program extends SupervisedProgram {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Taken over from a dead driver, not started here. */
  readonly adopted: boolean;
}

/** A program in a state directory: it can be left running for the next link (`release`). */
export interface DirProgram extends Program {
  /** Stops reading and writing it and records it as nobody's, still running: adoptable. */
  release(): void;
  /** Still the process recorded (its waiter): what a signal to it checks first. */
  readonly isSame: () => boolean;
}

/**
 * Ends `program`'s input (ADR 0024): our end of its stdin closes, and a program in a state
 * directory — whose waiter holds that FIFO open for writing, so no dead driver means EOF —
 * has its waiter let go too (WAITER).
 */
export function endInput(program: Program): void {
  program.stdin.end();
  if (inStateDir(program) && program.pid !== undefined)
    signalOnceTrapped(
      { pid: program.pid, isSame: program.isSame },
      performance.now() + TRAP_WAIT_MS,
    );
}

/**
 * Sends the waiter END_INPUT_SIGNAL once it catches it: a waiter that has not run its `trap`
 * line yet (its shell just started, and a fast driver already wrote and closed) would die of
 * it, its program's status lost. Linux says in /proc/<pid>/status (SigCgt); where it cannot be
 * read, or past `deadline`, the signal goes as it is.
 */
function signalOnceTrapped(target: { pid: number; isSame: () => boolean }, deadline: number): void {
  if (catchesEndInput(target.pid) === false && performance.now() < deadline) {
    setTimeout(() => signalOnceTrapped(target, deadline), TRAP_POLL_MS);
    return;
  }
  signalProcess(target, END_INPUT_SIGNAL);
}

/** Whether `pid` catches END_INPUT_SIGNAL; undefined where /proc does not say. */
function catchesEndInput(pid: number): boolean | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (caught === undefined) return undefined;
  // Bit n - 1 of the hex mask is signal n.
  return ((BigInt(`0x${caught}`) >> BigInt(END_INPUT_SIGNO - 1)) & 1n) === 1n;
}

export interface ProgramCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The launch of `cmd` as its program record names it: a hash of the argv, the folder and the
 * environment entries the driver spawns it with. Not the plan's `launch_hash` from the contract:
 * that one covers workspace-relative paths and the manifest's name, so it stays the same when
 * the workspace moves (and the absolute argv and folder change) and would not cover a route's
 * own `command`/`cwd` params; this one is computed from the very values handed to `spawn`, so it
 * cannot say anything else than what runs. Only `cmd.env` is covered: the rest of the
 * environment is the driver's own (the panel's), not part of the route's launch.
 */
export function commandLaunchHash(cmd: ProgramCommand): string {
  return canonicalHash({
    argv: [cmd.command, ...cmd.args],
    cwd: resolve(cmd.cwd ?? "."),
    env: cmd.env ?? {},
  });
}

/**
 * Runs "$@" and writes its exit status to the file named by $0 (a signal shows as 128 + n, as
 * in any shell). The umask is set once the program is done (it runs with the driver's): the
 * status file is 0600.
 *
 * The program reads its stdin FIFO read-only; the waiter holds it open for writing too (fd 3,
 * closed in the program), so a dead driver is no EOF — until the driver retires the program
 * (ADR 0024): SIGUSR1 to the waiter closes fd 3, and with the driver's own end closed the
 * program sees EOF and may finish. The program runs in the background (so the trap runs while
 * the waiter waits), with the waiter's stdin given explicitly (a background list's is
 * /dev/null otherwise).
 *
 * The status is taken and written by a background subshell around the program, not by the
 * waiter's `wait`: a `wait` the trap interrupts returns 138 (128 + SIGUSR1), and dash may reap
 * the program on the way out of it, so "wait again while it lives" could not tell that 138 from
 * the program's own status and took it (a drained `sort` reported as exit 138 under load). The
 * subshell never gets the signal (sent to the waiter alone), so its status is the program's; the
 * waiter waits until the file has it — or the subshell is gone without writing it (killed with
 * the program's group) — and exits with it.
 */
const WAITER = [
  "trap 'exec 3>&-' USR1",
  "exec 4<&0",
  '{ "$@" <&4 4<&-; s=$?; umask 077; echo "$s" > "$0"; exit "$s"; } 3>&- & p=$!; exec 4<&-',
  'while wait "$p"; s=$?; [ ! -s "$0" ] && kill -0 "$p" 2>/dev/null; do :; done',
  '[ -s "$0" ] && read -r s < "$0"; exit "$s"',
].join("\n");

/** What the waiter takes as "close the program's input" (see WAITER). */
const END_INPUT_SIGNAL = "SIGUSR1";
const END_INPUT_SIGNO = osConstants.signals.SIGUSR1;
/** How long, and how often, endInput waits for the waiter's trap (see signalOnceTrapped). */
const TRAP_WAIT_MS = 2000;
const TRAP_POLL_MS = 2;
const STATUS = "exit-status";

function spawnOptions(cmd: ProgramCommand) {
  return { cwd: cmd.cwd, env: { ...process.env, ...cmd.env }, detached: true };
}

/**
 * Gets each chunk of a program's stdout as it is read; the bytes are its to keep (never written
 * again: a FIFO's reads go into a ReadSlab, a child's pipe gives a new buffer to each read).
 */
export type OnStdout = (chunk: Uint8Array) => void;

/** Gets a program's stderr as it is read (`data`), and hears when it closed (`end`). */
export interface OnStderr {
  data(chunk: Uint8Array): void;
  end(): void;
}

function spawnPiped(cmd: ProgramCommand, onStdout: OnStdout, onStderr?: OnStderr): Program {
  const [command, ...args] = programArgv(cmd.command, cmd.args);
  const child = spawn(command, args, {
    ...spawnOptions(cmd),
    stdio: ["pipe", "pipe", onStderr === undefined ? "inherit" : "pipe"],
  });
  child.stdout?.on("data", onStdout);
  // Still the driver's stderr (the host's log), and seen on the way: the start check's last
  // lines and readiness line. It dies with the driver as its other pipes do.
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    onStderr?.data(chunk);
  });
  child.stderr?.on("close", () => onStderr?.end());
  return {
    pid: child.pid,
    stdin: child.stdin as Writable,
    stdout: child.stdout as Readable,
    adopted: false,
    exited: exitOfChild(child),
  };
}

/** The driver's ends of a program's FIFOs; `stderr` is missing for a program started without one. */
interface DriverEnds {
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr?: Socket;
}

/**
 * The driver's end of the program's stderr FIFO: what it reads goes on to our stderr (the host's
 * log) and to `onStderr`. Undefined when there is none (a program an earlier driver started,
 * whose stderr is the log itself).
 */
function openStderr(dir: string, onStderr: OnStderr | undefined): Socket | undefined {
  let fd: number;
  try {
    fd = openSync(join(dir, "stderr"), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    onStderr?.data(chunk);
  });
  socket.on("close", () => onStderr?.end());
  socket.on("error", () => {}); // Closed with the program or released: 'close' follows.
  return socket;
}

/** The driver's ends of the FIFOs: stdout to read, stdin to write, neither blocking the loop. */
function openDriverEnds(dir: string, onStdout: OnStdout, onStderr?: OnStderr): DriverEnds {
  const slab = new ReadSlab();
  const out = openSync(join(dir, "stdout"), constants.O_RDONLY | constants.O_NONBLOCK);
  let inFd: number;
  let stderr: Socket | undefined;
  try {
    inFd = openSync(join(dir, "stdin"), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    closeSync(out);
    throw error;
  }
  try {
    stderr = openStderr(dir, onStderr);
  } catch (error) {
    closeSync(out);
    closeSync(inFd);
    throw error;
  }
  return {
    ...(stderr === undefined ? {} : { stderr }),
    stdout: new Socket({
      fd: out,
      readable: true,
      writable: false,
      onread: {
        // Asked for after each read: the next read goes after it, in the same slab.
        buffer: () => slab.next(),
        // true: go on reading; backpressure pauses the socket, which stops the reads at once.
        callback: (n: number, buffer: Uint8Array) => {
          onStdout(slab.took(buffer, n));
          return true;
        },
      },
    }),
    stdin: new Socket({ fd: inFd, readable: false, writable: true }),
  };
}

/**
 * Starts the program with FIFOs in `dir` for stdin, stdout and stderr (new ones: stale bytes stay
 * behind). Its stderr is a FIFO too, not our stderr: read by us, it is seen (a failed start
 * quotes it); held by the program, it never breaks when we die — what it writes meanwhile waits
 * there for the successor, as its stdout does.
 */
function spawnInDir(
  cmd: ProgramCommand,
  dir: string,
  onStdout: OnStdout,
  onStderr?: OnStderr,
): DirProgram {
  privateDir(dir);
  const paths = ["stdin", "stdout", "stderr"].map((name) => join(dir, name));
  const statusPath = join(dir, STATUS);
  const [stdinPath, stdoutPath, stderrPath] = paths as [string, string, string];
  for (const f of [...paths, statusPath, join(dir, "program.json")]) rmSync(f, { force: true });
  execFileSync("mkfifo", ["-m", "600", ...paths]);
  // Read-write: opening does not wait for a peer, and the waiter holds both ends of stdin (its
  // write end until the program is retired: WAITER) and the program both ends of stdout and
  // stderr. With that writer there, the program's read-only open of stdin does not wait either.
  const holdIn = openSync(stdinPath, constants.O_RDWR);
  const programEnds = [
    openSync(stdinPath, constants.O_RDONLY),
    openSync(stdoutPath, constants.O_RDWR),
    openSync(stderrPath, constants.O_RDWR),
  ];
  try {
    const child = spawn("sh", ["-c", WAITER, statusPath, ...programArgv(cmd.command, cmd.args)], {
      ...spawnOptions(cmd),
      stdio: [...programEnds, holdIn],
    });
    let ends: DriverEnds;
    try {
      ends = openDriverEnds(dir, onStdout, onStderr);
    } catch (error) {
      // Started, but unreachable: it must not run on unrecorded and unread.
      if (child.pid !== undefined) signalProcess({ pid: child.pid, group: true }, "SIGKILL");
      throw error;
    }
    const recorded =
      child.pid !== undefined
        ? writeProgramRecord(dir, child.pid, { launch: commandLaunchHash(cmd) })
        : undefined;
    return {
      pid: child.pid,
      ...ends,
      adopted: false,
      exited: releasing(ends, exitOfChild(child)),
      release: () => releaseTo(dir, recorded, ends),
      isSame: () => child.exitCode === null && child.signalCode === null,
    };
  } finally {
    // Only the program keeps these: its exit is then EOF on our stdout and stderr ends.
    for (const fd of [holdIn, ...programEnds]) closeSync(fd);
  }
}

/**
 * Takes over the program recorded in `dir` when its owner is dead, it lives and it was started
 * with `cmd`'s launch; `busy` when its owner lives (another link has it); undefined when there
 * is nothing to adopt — a program started with another launch is ended first (see the top).
 */
function adopt(
  dir: string,
  cmd: ProgramCommand,
  onStdout: OnStdout,
  options: LaunchOptions,
): DirProgram | { readonly busy: number } | undefined {
  const record = readProgramRecord(dir);
  if (record === undefined) return undefined;
  // Recorded as ours: busy only while a link of ours still runs it (dir-holders.ts); a link
  // that let go of it, or went without recording so, leaves it to be adopted or replaced.
  const owner = record.owner;
  if (owner !== null && sameProcess(owner) && (owner.pid !== process.pid || heldHere(dir)))
    return { busy: owner.pid };
  if (!sameProcess(record)) return undefined;
  const planned = commandLaunchHash(cmd);
  if (!startedWith(record, planned)) {
    options.log?.(
      `${cmd.command}: the running program (pid ${record.pid}) was started with launch ${record.launch ?? "(not recorded)"}, not the planned ${planned}: ending it, starting the planned one`,
    );
    endRecordedProgram(record, options.killGraceMs);
    return undefined;
  }
  let ends: DriverEnds;
  try {
    ends = openDriverEnds(dir, onStdout, options.onStderr);
  } catch {
    return undefined;
  }
  writeProgramRecord(dir, record, { launch: planned });
  const { exited, unwatch } = exitOfAdopted(record, () => recordedStatus(dir));
  return {
    pid: record.pid,
    ...ends,
    adopted: true,
    exited: releasing(ends, exited),
    isSame: () => sameProcess(record),
    release: () => {
      unwatch();
      releaseTo(dir, record, ends);
    },
  };
}

/** The status the waiter wrote; null when it wrote none (it was killed too). */
function recordedStatus(dir: string): number | null {
  try {
    const code = Number.parseInt(readFileSync(join(dir, STATUS), "utf8"), 10);
    return Number.isInteger(code) ? code : null;
  } catch {
    return null;
  }
}

/** Leaves the program recorded (`program`, as recorded when it was started or adopted) as nobody's. */
function releaseTo(dir: string, program: ProgramRecord | undefined, ends: DriverEnds): void {
  ends.stdout.destroy();
  ends.stdin.destroy();
  ends.stderr?.destroy();
  if (program !== undefined)
    writeProgramRecord(dir, program, { released: true, launch: program.launch });
}

/** Our FIFO ends go with the program (stdout and stderr close by themselves at EOF; stdin would not). */
function releasing(ends: { stdin: Socket }, exited: Promise<ProgramExit>): Promise<ProgramExit> {
  return exited.then((exit) => {
    ends.stdin.destroy();
    return exit;
  });
}

export interface LaunchOptions {
  /** The end's state directory, if it has one: the program runs there and outlives us. */
  readonly stateDir?: string;
  /** The endpoint's first start: the program a dead driver left in the directory is adopted. */
  readonly first: boolean;
  readonly log?: (line: string) => void;
  /** How long a program started with another launch has after SIGTERM before SIGKILL. */
  readonly killGraceMs?: number;
  /**
   * Sees its stderr, chunk by chunk (a FIFO in the state directory, else a pipe), which still goes
   * on to the driver's stderr. Not for a program adopted from an earlier driver that started it
   * with the driver's stderr itself.
   */
  readonly onStderr?: OnStderr;
}

/**
 * Starts the program: in the state directory when there is one (the first start adopts the
 * program a dead driver left there), on plain pipes when there is none.
 */
export function launch(cmd: ProgramCommand, options: LaunchOptions, onStdout: OnStdout): Program {
  const { stateDir: dir, log } = options;
  if (dir === undefined) return spawnPiped(cmd, onStdout, options.onStderr);
  if (options.first) {
    const adopted = adopt(dir, cmd, onStdout, options);
    if (adopted !== undefined && "busy" in adopted) {
      // Another link runs this end's program: this one runs its own, which dies with us.
      const who =
        adopted.busy === process.pid
          ? `another link of this driver (pid ${adopted.busy}), which keeps it`
          : `a live driver (pid ${adopted.busy})`;
      log?.(`${cmd.command}: ${dir} belongs to ${who}; starting a program of its own`);
      return spawnPiped(cmd, onStdout, options.onStderr);
    }
    if (adopted !== undefined) {
      log?.(`${cmd.command}: adopted the running program (pid ${adopted.pid})`);
      return adopted;
    }
  }
  return spawnInDir(cmd, dir, onStdout, options.onStderr);
}

/** Whether `program` runs in a state directory (not on plain pipes beside it). */
export function inStateDir(program: Program): program is DirProgram {
  return "release" in program;
}

/** Forgets what `spawnInDir` left in `dir` once its program is gone. */
export function clearDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

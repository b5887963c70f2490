/**
 * What bench/control's processes share: the echo peer's service (raw bytes, no protobuf, so it
 * costs gRPC and the socket and nothing else), percentiles, and the temp workspace with a second
 * logger that bench/control and bench/soak both drive.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type * as grpc from "@grpc/grpc-js";
import { signalProcess } from "@rtt/connector-sdk";
import { isAlive } from "@rtt/fabric";
import { processTree } from "../../test/support/panel-processes.ts";
import { copyQuickstartTo } from "../../test/support/quickstart.ts";

export const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/[\\/]$/, "");
export const RTT_BIN = join(REPO, "packages", "cli", "bin", "rtt.js");

const bytes = {
  serialize: (b: Buffer) => b,
  deserialize: (b: Buffer) => b,
};

/** A method of raw bytes, no protobuf: what is left is gRPC's and the socket's cost. */
const rawMethod = (path: string, responseStream: boolean) => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: bytes.serialize,
  requestDeserialize: bytes.deserialize,
  responseSerialize: bytes.serialize,
  responseDeserialize: bytes.deserialize,
});

/** A unary echo and a server stream that answers `count` copies (the request's first byte). */
export const ECHO_SERVICE = {
  Echo: rawMethod("/bench.Echo/Echo", false),
  /**
   * The flip's peer: what a warm QuickConnect must do at the least, with no logic — one unary
   * call on to another process (the Switch), then an append and fsync of ~2 KiB to one file
   * (the WAL commit) and ~0.5 KiB to another (the audit record) — then the answer.
   */
  Relay: rawMethod("/bench.Echo/Relay", false),
  Stream: rawMethod("/bench.Echo/Stream", true),
} satisfies grpc.ServiceDefinition;

/** The q-quantile (0..1) of samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[rank] ?? Number.NaN;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rtt <args>` with the real binary and this Node, collecting its output. */
export function rtt(ws: string, args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return runProgram(process.execPath, [RTT_BIN, "-C", ws, ...args], ws, timeoutMs);
}

/** `rtt <args>` in `ws`, which must exit 0 (else it throws with its stderr); its stdout. */
export async function mustRtt(ws: string, args: readonly string[]): Promise<string> {
  const r = await rtt(ws, args);
  if (r.code !== 0) throw new Error(`rtt ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

export function runProgram(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...extraEnv };
    delete env.NODE_OPTIONS;
    const child = spawn(command, [...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/**
 * A temp copy of the quickstart with its second logger (logger2, writing logs/events2.ndjson) in
 * the events route's failover set (so the panel keeps it prebound as a warm spare), and emit.py
 * streaming forever, one event every `emitIntervalMs` (0: as fast as it can).
 */
export function quickstartWithTwoLoggers(prefix: string, emitIntervalMs: number): string {
  return copyQuickstartTo(realpathSync(mkdtempSync(join(tmpdir(), prefix))), {
    emit: { count: 0, intervalMs: emitIntervalMs },
    logger2Failover: true,
  });
}

/** The route the benches flip and the two loggers they flip it between: the quickstart's. */
export { EVENTS_ROUTE, LOGGER_REF, LOGGER2_REF } from "../../test/support/quickstart.ts";

/** The processes whose parent chain reaches `root` (not `root` itself), from /proc. */
export function descendants(root: number): number[] {
  return processTree([root]).filter((pid) => pid !== root);
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Open descriptors and resident memory (KiB) of a process, or undefined when it is gone. */
export function procUsage(pid: number): { fds: number; rss_kib: number } | undefined {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
    return { fds, rss_kib: rss };
  } catch {
    return undefined;
  }
}

/**
 * What the panel runs: its process tree, and the programs of journaled routes that a restarted
 * driver adopted (ADR 0016) with what they run — they outlived the driver that started them, so
 * they hang under init, not the panel; `.rtt/run/routes/<id>/<end>/program.json` names them.
 */
export function panelProcesses(panelPid: number, workspace: string): number[] {
  const adopted: number[] = [];
  const routes = join(workspace, ".rtt", "run", "routes");
  for (const route of readdirSafe(routes))
    for (const end of readdirSafe(join(routes, route))) {
      try {
        const { pid } = JSON.parse(
          readFileSync(join(routes, route, end, "program.json"), "utf8"),
        ) as { pid: number };
        if (isAlive(pid)) adopted.push(pid, ...descendants(pid));
      } catch {
        // Not an end's directory, or no program in it.
      }
    }
  return [...new Set([...descendants(panelPid), ...adopted])];
}

/**
 * `rtt panel stop` in `ws`, then up to 30 s for the panel `panelPid` to exit and half a second
 * more for what it started to follow. `tree` is what it started, taken before the stop: those
 * of it still running are returned (and said on stderr), with whether the panel itself exited.
 */
export async function stopPanel(
  ws: string,
  panelPid: number,
  tree: readonly number[],
): Promise<{ exited: boolean; leftover: number[] }> {
  await mustRtt(ws, ["panel", "stop"]);
  const until = Date.now() + 30_000;
  while (isAlive(panelPid) && Date.now() < until) await sleep(50);
  const exited = !isAlive(panelPid);
  await sleep(500);
  const leftover = tree.filter(isAlive);
  if (leftover.length > 0)
    process.stderr.write(`left behind after \`rtt panel stop\`: pids ${leftover.join(" ")}\n`);
  return { exited, leftover };
}

/** SIGKILLs the panel `panelPid`, if it still runs, and `started(panelPid)`: what it started. */
export function killPanel(
  panelPid: number | undefined,
  started: (panelPid: number) => readonly number[],
): void {
  if (panelPid === undefined || !isAlive(panelPid)) return;
  for (const pid of [panelPid, ...started(panelPid)]) signalProcess({ pid }, "SIGKILL");
}

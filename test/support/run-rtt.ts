/**
 * Running the real `rtt` binary (packages/cli/bin/rtt.js), or any program, as a child of the
 * Node running the tests, in throwaway folders under the OS temp dir: what every suite that runs
 * it for real (test/e2e, test/faults, test/api) and the quickstart workspace build on.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventuallyOptions } from "@rtt/core/testing";

/** The repository root (no trailing separator). */
export const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/[\\/]$/, "");
export const RTT_BIN = join(REPO, "packages", "cli", "bin", "rtt.js");

export interface RunResult {
  /** Exit code, or null when the process died of a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Added to (or, with `undefined`, removed from) the inherited environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to the child's stdin, which is then closed. Default: no input (/dev/null). */
  readonly input?: string;
  /** The Node binary to run the CLI with. Default: the one running the tests. */
  readonly node?: string;
  /** Killed (SIGKILL) after this long. Default 20 s. */
  readonly timeoutMs?: number;
}

/** The environment a child gets: ours, minus what would leak the test runner into it. */
export function childEnv(
  extra: Readonly<Record<string, string | undefined>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Set by `node --test` for its own children; a child that is not a test file must not see it.
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs any program to completion, collecting its output as UTF-8 text. */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
    if (options.input !== undefined) {
      // A child that exits without reading all its input must not crash the test with EPIPE.
      child.stdin?.on("error", () => {});
      child.stdin?.end(options.input);
    }
  });
}

/** Runs `rtt <args>` with the real binary. */
export function runRtt(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return run(options.node ?? process.execPath, [RTT_BIN, ...args], options);
}

/** What a run did, for failure messages: its exit, then its stdout and stderr in full. */
export function describeRun(r: RunResult): string {
  return `exit ${r.code} (signal ${r.signal})\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** `JSON.parse` of a command's stdout, after checking it is one JSON document and a newline. */
export function parseJson(stdout: string): unknown {
  if (!stdout.endsWith("\n")) throw new Error(`stdout does not end with a newline: ${stdout}`);
  return JSON.parse(stdout);
}

/** The end of workspace `ws`'s .rtt/panel.log under a heading, for failure messages. */
export function panelLogTail(ws: string, lines = 30): string {
  const log = join(ws, ".rtt", "panel.log");
  if (!existsSync(log)) return "--- (no .rtt/panel.log)";
  const tail = readFileSync(log, "utf8").trimEnd().split("\n").slice(-lines);
  return `--- panel.log tail\n${tail.join("\n")}`;
}

const tempDirs: string[] = [];

/** A fresh empty folder under the OS temp dir (its real path); removed by `removeTempDirs`. */
export function makeTempDir(prefix = "rtt-e2e-"): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * How long one `rtt` run may take (test/e2e, test/faults, test/api). Generous: a step may take
 * seconds on a loaded 2-core machine.
 */
export const RTT_TIMEOUT_MS = 90_000;

/**
 * How a test waits (with `eventually`) for what workspace `ws`'s panel does: up to
 * RTT_TIMEOUT_MS, every 100 ms (a check may read an NDJSON file of megabytes, or run `rtt`),
 * and on failure the tail of its panel.log — what the panel was doing instead.
 */
export function panelWait(ws: string, what: string): EventuallyOptions {
  return { what, timeoutMs: RTT_TIMEOUT_MS, intervalMs: 100, detail: () => panelLogTail(ws) };
}

/**
 * Shared helpers for the end-to-end tests: they run the real `rtt` binary (packages/cli/bin/rtt.js)
 * as a child process of the Node running the tests, in throwaway folders under the OS temp dir.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { childTarget, terminate } from "@rtt/connector-sdk";
import type { EventuallyOptions } from "@rtt/core/testing";
import { copyQuickstartTo, type QuickstartSetup } from "../support/quickstart.ts";

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

/**
 * The records of an NDJSON file a program may still be writing: whole lines only (a last line
 * without its newline is left for the next read), each parsed. A missing file has none.
 */
export function readNdjson<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
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

/** How long one `rtt` run of an e2e test may take. */
export const RTT_TIMEOUT_MS = 60_000;

/**
 * How a test waits (with `eventually`) for what workspace `ws`'s panel does: up to
 * RTT_TIMEOUT_MS, every 100 ms (a check may read an NDJSON file of megabytes, or run `rtt`),
 * and on failure the tail of its panel.log — what the panel was doing instead.
 */
export function panelWait(ws: string, what: string): EventuallyOptions {
  return { what, timeoutMs: RTT_TIMEOUT_MS, intervalMs: 100, detail: () => panelLogTail(ws) };
}

/** A temp copy of examples/quickstart (removed by `removeTempDirs`), set up for the case. */
export function copyQuickstart(setup: QuickstartSetup = {}): string {
  return copyQuickstartTo(join(makeTempDir("rtt-e2e-quickstart-"), "quickstart"), setup);
}

/** Writes `text` to `root/rel`, creating folders as needed; returns the absolute path. */
export function writeFile(root: string, rel: string, text: string): string {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return abs;
}

/** 1-based line and column of the first character of the `nth` (1-based) occurrence of `needle`. */
export function positionOf(
  text: string,
  needle: string,
  nth = 1,
): { readonly line: number; readonly column: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${nth} times`);
  }
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

/** A minimal valid manifest for `saddr`, pretty-printed like a person would write it. */
export function manifest(saddr: string, extra: Readonly<Record<string, unknown>> = {}): string {
  const type = saddr.split("/")[3] ?? "api";
  const symbol = { saddr, type, direction: "provider", ...extra };
  return `${JSON.stringify({ $schema: "https://rtt/spec/v1", symbol }, null, 2)}\n`;
}

export interface Snapshot {
  /** Relative path ('/'-separated, folders end in '/') → what identifies its state. */
  readonly [rel: string]: {
    readonly mtimeMs: number;
    readonly ino: number;
    readonly mode: number;
    readonly content?: string;
  };
}

/** Every file and folder under `root`, with content (files), mtime, inode and mode. */
export function snapshot(root: string): Snapshot {
  const out: Record<string, Snapshot[string]> = {};
  const visit = (abs: string, rel: string) => {
    const st = statSync(abs);
    if (st.isDirectory()) {
      out[`${rel}/`] = { mtimeMs: st.mtimeMs, ino: st.ino, mode: st.mode };
      for (const name of readdirSync(abs).sort()) visit(join(abs, name), `${rel}/${name}`);
    } else {
      out[rel] = {
        mtimeMs: st.mtimeMs,
        ino: st.ino,
        mode: st.mode,
        content: readFileSync(abs, "utf8"),
      };
    }
  };
  visit(root, relative(dirname(root), root));
  return out;
}

/** Is there a `.rtt/` folder at or above `dir`? (Tests of "no workspace" need there to be none.) */
export function workspaceAbove(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".rtt"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The first Node binary older than 22 among the usual system locations, if any. */
export function findOldNode(): { readonly path: string; readonly version: string } | undefined {
  for (const path of ["/usr/bin/node", "/usr/local/bin/node"]) {
    if (!existsSync(path)) continue;
    const r = spawnSync(path, ["--version"], {
      encoding: "utf8",
      env: childEnv(),
      timeout: 10_000,
    });
    const version = r.stdout.trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (r.status === 0 && Number.isInteger(major) && major < 22) return { path, version };
  }
  return undefined;
}

/** Is `command` runnable (found on PATH and exits 0 for `args`)? */
export function available(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, [...args], { stdio: "ignore", env: childEnv(), timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}

/** Sends `signal`, then SIGKILL if it has not exited within `graceMs`; resolves once it has. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
  graceMs = 3000,
): Promise<void> {
  const target = childTarget(child);
  await terminate(target, { signal, graceMs });
  await target.exited;
}

/** The start of every ANSI escape sequence (colour or cursor control): ESC and '['. */
export const ANSI_CSI = `${String.fromCharCode(27)}[`;

/** Quotes one word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

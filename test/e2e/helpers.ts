/**
 * Shared helpers for the end-to-end tests: they run the real `rtt` binary (packages/cli/bin/rtt.js)
 * as a child process of the Node running the tests, in throwaway folders under the OS temp dir.
 * Running it, the temp folders and the workspace files are test/support's (run-rtt.ts, files.ts,
 * quickstart.ts), shared with test/faults and test/api; they are re-exported here for the e2e tests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { childTarget, terminate } from "@rtt/connector-sdk";
import { childEnv, RTT_BIN, RTT_TIMEOUT_MS } from "../support/run-rtt.ts";

export { readNdjson, writeFile } from "../support/files.ts";
export { copyQuickstart } from "../support/quickstart.ts";
export {
  childEnv,
  describeRun,
  makeTempDir,
  panelLogTail,
  panelWait,
  parseJson,
  REPO,
  RTT_BIN,
  RTT_TIMEOUT_MS,
  type RunOptions,
  type RunResult,
  removeTempDirs,
  run,
  runRtt,
} from "../support/run-rtt.ts";

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

/** The first Node binary older than 22.12 among the usual system locations, if any. */
export function findOldNode(): { readonly path: string; readonly version: string } | undefined {
  for (const path of ["/usr/bin/node", "/usr/local/bin/node"]) {
    if (!existsSync(path)) continue;
    const r = spawnSync(path, ["--version"], {
      encoding: "utf8",
      env: childEnv(),
      timeout: 10_000,
    });
    const version = r.stdout.trim();
    const [major = Number.NaN, minor = Number.NaN] = version.slice(1).split(".").map(Number);
    if (r.status === 0 && (major < 22 || (major === 22 && minor < 12))) return { path, version };
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

/**
 * `rtt <args>` in `cwd` on a pseudo-TTY from util-linux's `script` (80 columns, as it gives
 * without a terminal of its own; `-e`: its exit code is rtt's). `onOutput` sees all output so
 * far after each chunk and may type into the terminal.
 */
export function rttOnTty(
  cwd: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  onOutput: (text: string, type: (keys: string) => void) => void = () => {},
): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, RTT_BIN, ...args].map(shellQuote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qefc", command, "/dev/null"], {
      cwd,
      env: childEnv({ TERM: "xterm-256color", COLUMNS: "80", LINES: "24", ...env }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), RTT_TIMEOUT_MS);
    child.stdin.on("error", () => {});
    const type = (keys: string) => child.stdin.write(keys);
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString("utf8");
      onOutput(out, type);
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

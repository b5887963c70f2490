/**
 * Whether a route end's program started (issue 16, ADR 0012 §A failed start fails the apply):
 * Open resolves only once the program was spawned, did not end within a settle window, and —
 * where its manifest declares how it shows readiness — became ready; otherwise Open fails, and
 * the panel rolls the batch back. After that the supervisor alone looks after it (respawns).
 *
 * Manifest keys (symbol level, so they are part of the launch the plan shows):
 * - `x-settle-ms`: how long the program must keep running (default 150 ms). Exiting with 0
 *   inside it is no failure: a program that did its work and finished (a one-shot hook).
 * - `x-ready`: one of `{"line": "regex"}` (a line of its stderr — stdout is the route's data,
 *   so it is not scanned), `{"socket": "path"}` (a Unix socket, relative to the program's
 *   folder, accepts a connection) or `{"port": n}` (127.0.0.1:n accepts one); with an optional
 *   `"timeout_ms"` (default 5 s). The wait is capped below the panel's Open call timeout.
 */
import { isAbsolute, join } from "node:path";
import { accepts, describeExit, MAX_START_WAIT_MS, type ProgramExit } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";

export type Readiness =
  | { readonly line: RegExp }
  | { readonly socket: string }
  | { readonly port: number };

export interface StartCheck {
  readonly settleMs: number;
  readonly ready?: Readiness;
  readonly readyTimeoutMs: number;
}

export const DEFAULT_SETTLE_MS = 150;
export const DEFAULT_READY_TIMEOUT_MS = 5000;
/** The most any wait may take (the panel's Open call timeout, less the kill grace). */
export { MAX_START_WAIT_MS };

const POLL_MS = 25;

interface StartKeys {
  readonly saddr: string;
  readonly "x-settle-ms"?: unknown;
  readonly "x-ready"?: unknown;
}

function bad(saddr: string, key: string, what: string): RttError {
  return new RttError("RTT_ERR_DOC_SCHEMA", `process driver: ${saddr}: ${key} ${what}`, {
    hint: 'e.g. "x-settle-ms": 300, "x-ready": {"line": "listening", "timeout_ms": 3000}',
  });
}

function waitMs(saddr: string, key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_START_WAIT_MS
  )
    throw bad(saddr, key, `must be an integer from 0 to ${MAX_START_WAIT_MS} (ms)`);
  return value;
}

function readinessOf(saddr: string, ready: Record<string, unknown>, cwd: string): Readiness {
  const kinds = ["line", "socket", "port"].filter((k) => ready[k] !== undefined);
  if (kinds.length !== 1) throw bad(saddr, "x-ready", "needs exactly one of line, socket, port");
  const { line, socket, port } = ready;
  if (typeof line === "string") {
    try {
      return { line: new RegExp(line) };
    } catch (error) {
      throw bad(saddr, "x-ready.line", `is not a regular expression: ${String(error)}`);
    }
  }
  if (typeof socket === "string" && socket !== "")
    return { socket: isAbsolute(socket) ? socket : join(cwd, socket) };
  if (typeof port === "number" && Number.isInteger(port) && port > 0 && port < 65536)
    return { port };
  throw bad(saddr, `x-ready.${kinds[0]}`, "is not a string regex, a socket path or a TCP port");
}

/** The start check a symbol's manifest asks for; RTT_ERR_DOC_SCHEMA naming a bad key. */
export function startCheckOf(symbol: StartKeys, cwd: string): StartCheck {
  const { saddr } = symbol;
  const settleMs = waitMs(saddr, "x-settle-ms", symbol["x-settle-ms"], DEFAULT_SETTLE_MS);
  const ready = symbol["x-ready"];
  if (ready === undefined) return { settleMs, readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS };
  if (typeof ready !== "object" || ready === null || Array.isArray(ready))
    throw bad(saddr, "x-ready", "must be an object");
  const r = ready as Record<string, unknown>;
  return {
    settleMs,
    ready: readinessOf(saddr, r, cwd),
    readyTimeoutMs: waitMs(saddr, "x-ready.timeout_ms", r.timeout_ms, DEFAULT_READY_TIMEOUT_MS),
  };
}

/** What the check watches: the program's end and its stderr (see ProcessEndpoint.started). */
export interface StartWatch {
  /** How the program ended, once it has (a failed spawn included). */
  exit(): ProgramExit | undefined;
  /** Calls `listener` when the program ends; returns how to stop. */
  onExit(listener: () => void): () => void;
  /** Calls `listener` with each line of its stderr; returns how to stop. */
  onStderrLine(listener: (line: string) => void): () => void;
}

function describeReadiness(ready: Readiness): string {
  if ("line" in ready) return `a stderr line matching /${ready.line.source}/`;
  if ("socket" in ready) return `a connection on ${ready.socket}`;
  return `a connection on 127.0.0.1:${ready.port}`;
}

/** An exit as the cause of a failed start, with what a shell's 126/127 mean. */
function exitCause(exit: ProgramExit): string {
  const said = describeExit(exit);
  if (exit.code === 127) return `${said} (the shell's "command not found")`;
  if (exit.code === 126) return `${said} (the shell's "not executable")`;
  return said;
}

/**
 * Waits until the program has settled (and is ready, where it says how): undefined then; else
 * why it did not start, in words.
 */
export function awaitStart(check: StartCheck, watch: StartWatch): Promise<string | undefined> {
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    let done = false;
    let settled = false;
    let ready = check.ready === undefined;
    const finish = (cause: string | undefined) => {
      if (done) return;
      done = true;
      for (const stop of stops) stop();
      resolve(cause);
    };
    const ended = () => {
      const exit = watch.exit();
      if (exit === undefined) return;
      if (exit.startError !== undefined) finish(`cannot start: ${exit.startError}`);
      else if (exit.code !== 0 || exit.signal !== null) finish(exitCause(exit));
      // Finished its work: no failure, unless it was still to show it was ready.
      else finish(ready ? undefined : "exited with code 0 before it was ready");
    };
    stops.push(watch.onExit(ended));
    const settle = setTimeout(() => {
      settled = true;
      if (ready) finish(undefined);
    }, check.settleMs);
    stops.push(() => clearTimeout(settle));
    const becameReady = () => {
      ready = true;
      if (settled) finish(undefined);
    };
    if (check.ready !== undefined) watchReadiness(check, watch, becameReady, finish, stops);
    ended(); // It may have ended already.
  });
}

function watchReadiness(
  check: StartCheck,
  watch: StartWatch,
  becameReady: () => void,
  finish: (cause: string) => void,
  stops: (() => void)[],
): void {
  const ready = check.ready as Readiness;
  const what = describeReadiness(ready);
  if ("line" in ready) {
    stops.push(
      watch.onStderrLine((line) => {
        if (ready.line.test(line)) becameReady();
      }),
    );
  } else {
    const where =
      "socket" in ready ? { path: ready.socket } : { port: ready.port, host: "127.0.0.1" };
    let polling = true;
    stops.push(() => {
      polling = false;
    });
    void (async () => {
      while (polling && !(await accepts(where))) await new Promise((r) => setTimeout(r, POLL_MS));
      if (polling) becameReady();
    })();
  }
  const timeout = setTimeout(
    () => finish(`not ready within ${check.readyTimeoutMs} ms (waited for ${what})`),
    check.readyTimeoutMs,
  );
  stops.push(() => clearTimeout(timeout));
}

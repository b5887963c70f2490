/**
 * How a driver's start-up ended, in words (docs/design.md §Processes and sockets: the handshake on
 * descriptor 3). Pure: what the host saw goes in, a handshake or a named failure comes out, so
 * every way a start can end is decided in one place and tested from a table
 * (start-outcome.test.ts). Each way start-up fails has its own code — the driver cannot be
 * started at all (RTT_ERR_DRIVER_SPAWN), hangs (RTT_ERR_DRIVER_TIMEOUT), exits
 * (RTT_ERR_DRIVER_EXITED), writes garbage (RTT_ERR_DRIVER_HANDSHAKE), speaks another version
 * (RTT_ERR_DRIVER_VERSION), or refuses with a code of its own — and every message names the
 * driver; the host adds the last lines it printed (DriverStartError).
 */
import { type ErrorCode, errorMessage, RttError } from "@rtt/core";
import {
  framedSocketOfLine,
  type Handshake,
  parseHandshake,
  parseRefusal,
} from "../handshake/handshake-line.ts";
import { CORE_PROTOCOL_VERSION, formatVersionList } from "../handshake/protocol.ts";
import type { ExitStatus } from "../process/program-exit.ts";
import { describeDriverExit } from "./driver-process.ts";
import { formatTail } from "./output-lines.ts";

/** How the wait for a driver's handshake line ended, with what the host saw meanwhile. */
export type StartEnd =
  /** The process could not be started at all (ENOENT, EACCES, ...). */
  | { readonly kind: "spawn-error"; readonly error: Error }
  /** Neither a line nor an exit within the start timeout. */
  | { readonly kind: "timeout" }
  /** It exited first; `fd3` is all it wrote on descriptor 3 (a refusal, perhaps). */
  | { readonly kind: "exit"; readonly exit: ExitStatus; readonly fd3: string }
  /** Descriptor 3 closed empty; `exit` when the process exited a moment later. */
  | { readonly kind: "eof"; readonly exit: ExitStatus | undefined }
  /** A line on descriptor 3 (or MAX_HANDSHAKE_LINE characters without a newline). */
  | { readonly kind: "line"; readonly line: string };

/** What a verdict depends on besides the end itself. */
export interface StartContext {
  /** How every message names the driver: `driver "name" (command args)`. */
  readonly who: string;
  readonly timeoutMs: number;
  /** The versions offered in RTT_PROTOCOL_VERSIONS. */
  readonly offered: readonly number[];
  /** The pid spawn() gave; a handshake naming another one is only noted. */
  readonly spawnedPid: number;
  /** The spawned command forks the driver (a sandbox): another pid is no surprise. */
  readonly forks?: boolean;
}

/**
 * How the host ends a driver that failed to start: `never-ran` (spawn failed; nothing to end, no
 * output to quote), `kill` (SIGKILL to its group), or `let-it-exit` (it refused on descriptor 3
 * and exits by itself: a moment for that and for its last lines, then the kill all the same).
 */
export type StartEnding = "never-ran" | "kill" | "let-it-exit";

export interface StartFailure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  /** The socket its handshake named: removed once the driver is gone. */
  readonly socket?: string;
  /** The framed socket its handshake named (field 11), removed with it. */
  readonly framed?: string;
  readonly ending: StartEnding;
}

export type StartVerdict =
  | {
      readonly ok: true;
      readonly handshake: Handshake;
      /** Worth a "host" line in the log, though the start goes on. */
      readonly note: string | undefined;
    }
  | { readonly ok: false; readonly failure: StartFailure };

const failed = (failure: StartFailure): StartVerdict => ({ ok: false, failure });

function beforeHandshake(who: string, exit: ExitStatus): StartVerdict {
  return failed({
    code: "RTT_ERR_DRIVER_EXITED",
    message: `${who} ${describeDriverExit(exit)} before its handshake`,
    ending: "kill",
  });
}

/** The verdict on how the wait for the handshake line ended. */
export function classifyStart(end: StartEnd, context: StartContext): StartVerdict {
  const { who } = context;
  switch (end.kind) {
    case "spawn-error":
      return failed({
        code: "RTT_ERR_DRIVER_SPAWN",
        message: `cannot start ${who}: ${end.error.message}`,
        hint: "check the command path and that it is executable",
        ending: "never-ran",
      });
    case "timeout":
      return failed({
        code: "RTT_ERR_DRIVER_TIMEOUT",
        message: `${who} did not write its handshake on descriptor 3 within ${context.timeoutMs} ms; killed it`,
        hint: "a driver built with @rtt/connector-sdk calls serveDriver(); others see docs/connectors.md",
        ending: "kill",
      });
    case "exit": {
      const refusal = parseRefusal(end.fd3.split("\n")[0] ?? "");
      if (refusal !== undefined)
        return failed({
          code: refusal.code,
          message: `${who} refused to start: ${refusal.message}`,
          ending: "kill",
        });
      return beforeHandshake(who, end.exit);
    }
    case "eof":
      // Descriptor 3 closed without a line: usually the process is exiting; say so if it is.
      if (end.exit !== undefined) return beforeHandshake(who, end.exit);
      return failed({
        code: "RTT_ERR_DRIVER_HANDSHAKE",
        message: `${who} closed descriptor 3 without writing a handshake line`,
        ending: "kill",
      });
    case "line":
      return classifyLine(end.line, context);
  }
}

function classifyLine(line: string, context: StartContext): StartVerdict {
  const { who, offered } = context;
  const refusal = parseRefusal(line);
  if (refusal !== undefined)
    return failed({
      code: refusal.code,
      message: `${who} refused to start: ${refusal.message}`,
      ending: "let-it-exit",
    });
  let handshake: Handshake;
  try {
    handshake = parseHandshake(line);
    framedSocketOfLine(handshake.extra);
  } catch (error) {
    return failed({
      code: "RTT_ERR_DRIVER_HANDSHAKE",
      message: `${who} wrote a malformed handshake line: ${errorMessage(error)}`,
      ending: "kill",
    });
  }
  const framed = framedSocketOfLine(handshake.extra);
  const socket = handshake.address;
  const sockets = { socket, ...(framed === undefined ? {} : { framed }) };
  if (handshake.coreVersion !== CORE_PROTOCOL_VERSION)
    return failed({
      code: "RTT_ERR_DRIVER_VERSION",
      message: `${who} writes handshake version ${handshake.coreVersion}; this host reads version ${CORE_PROTOCOL_VERSION}`,
      ...sockets,
      ending: "kill",
    });
  if (!offered.includes(handshake.appVersion))
    return failed({
      code: "RTT_ERR_DRIVER_VERSION",
      message: `${who} chose protocol version ${handshake.appVersion}, but the host offered ${formatVersionList(offered)}`,
      ...sockets,
      ending: "kill",
    });
  const note =
    handshake.pid === context.spawnedPid || context.forks === true
      ? undefined
      : `handshake pid ${handshake.pid} is not the spawned pid ${context.spawnedPid} (a wrapper that did not exec?)`;
  return { ok: true, handshake, note };
}

/** A driver whose handshake checked out, but whose service did not (see connectStarted). */
export function connectFailure(who: string, error: unknown, sockets: DriverSockets): StartFailure {
  const e = error instanceof RttError ? error : new RttError("RTT_ERR_DRIVER_CALL", String(error));
  return {
    code: e.code,
    message: `${who} wrote its handshake, but ${e.message}`,
    ...socketsOf(sockets),
    ending: "kill",
  };
}

/** A started driver's sockets, as its record names them. */
export interface DriverSockets {
  readonly socket: string;
  readonly framed?: string;
}

function socketsOf({ socket, framed }: DriverSockets): DriverSockets {
  return framed === undefined ? { socket } : { socket, framed };
}

/** stop() or detach() was called while a (re)start was under way: the new driver goes too. */
export function stoppedWhileStarting(who: string, sockets: DriverSockets): StartFailure {
  return {
    code: "RTT_ERR_DRIVER_EXITED",
    message: `${who} was stopped while it started`,
    ...socketsOf(sockets),
    ending: "kill",
  };
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

/**
 * Connecting to a driver only once it is known to be the one meant
 * (docs/design.md §Processes and sockets: re-attach). A driver the host just started must answer
 * GetInfo with the nonce of the handshake line it wrote; one that another host started is
 * re-attached only when its pid is alive, its start time (/proc/<pid>/stat field 22) is the
 * recorded one and GetInfo returns the recorded pid and nonce — anything else is
 * RTT_ERR_DRIVER_IDENTITY, so a reused pid is never trusted.
 */
import type { ChildProcess } from "node:child_process";
import { RttError } from "@rtt/core";
import { framedSocketOfLine, type Handshake } from "../handshake/handshake-line.ts";
import { hasExited } from "../process/terminate.ts";
import {
  isAlive,
  type ProcessRef,
  readProcStat,
  sameProcess,
  TRUST_UNKNOWN_START,
} from "../process-identity.ts";
import { DriverClient, type DriverClientOptions } from "./driver-client.ts";
import { describeDriverExit } from "./driver-process.ts";

/**
 * What a host needs to find a running driver again (journal it;
 * docs/design.md §Processes and sockets: re-attach).
 */
export interface DriverRecord extends ProcessRef {
  readonly name: string;
  /** The socket path, as the handshake named it. */
  readonly socket: string;
  /** The framed control channel's socket, when the handshake named one (field 11). */
  readonly framed?: string;
  readonly nonce: string;
  readonly protocolVersion: number;
}

/** The record of driver `name` as its handshake line describes it. */
export function recordOf(name: string, handshake: Handshake): DriverRecord {
  const framed = framedSocketOfLine(handshake.extra);
  return {
    name,
    socket: handshake.address,
    ...(framed === undefined ? {} : { framed }),
    pid: handshake.pid,
    startTime: handshake.startTime,
    nonce: handshake.nonce,
    protocolVersion: handshake.appVersion,
  };
}

/**
 * Connects to the driver `child` that just wrote the handshake `record` was made from, and
 * checks that its service answers with that nonce. Rejects, the connection closed, with
 * RTT_ERR_DRIVER_TIMEOUT when the socket does not answer within `timeoutMs` (at most 5 s),
 * RTT_ERR_DRIVER_IDENTITY for another nonce, RTT_ERR_DRIVER_EXITED when the child dies first, or
 * what a call threw (`connectFailure` words each for the start's error).
 */
export async function connectStarted(
  child: ChildProcess,
  record: DriverRecord,
  timeoutMs: number,
  options: DriverClientOptions,
): Promise<DriverClient> {
  const client = new DriverClient(record.name, record.socket, {
    ...options,
    ...(record.framed === undefined ? {} : { framed: record.framed }),
  });
  // A driver that dies right after its handshake must not make us wait out the connect.
  let onExit = () => {};
  const died = new Promise<never>((_, reject) => {
    onExit = () =>
      reject(
        new RttError(
          "RTT_ERR_DRIVER_EXITED",
          `it ${describeDriverExit({ code: child.exitCode, signal: child.signalCode })} before answering`,
        ),
      );
    if (hasExited(child)) onExit();
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
    throw error;
  } finally {
    child.off("exit", onExit);
  }
  return client;
}

/** Re-attach's identity check: pid alive, same start time, same pid and nonce from GetInfo. */
export async function connectRecorded(
  record: DriverRecord,
  timeoutMs: number,
): Promise<DriverClient> {
  const who = `driver "${record.name}" (pid ${record.pid})`;
  if (!isAlive(record.pid))
    throw new RttError("RTT_ERR_DRIVER_EXITED", `${who} is not running any more`, {
      hint: "launch it again",
    });
  // A driver that knows no start time of its own says 0 in its handshake (the line allows it),
  // and one whose /proc entry cannot be read now is as unknown: its live pid is taken for it,
  // and the nonce GetInfo returns settles who it is.
  if (!sameProcess(record, TRUST_UNKNOWN_START)) {
    const now = readProcStat(record.pid)?.startTime ?? "unknown";
    throw new RttError(
      "RTT_ERR_DRIVER_IDENTITY",
      `${who}: pid ${record.pid} now belongs to another process (start time ${now}, recorded ${record.startTime}); refusing to re-attach`,
      { hint: "the recorded driver is gone and its pid was reused; launch the driver again" },
    );
  }
  const client = new DriverClient(record.name, record.socket, {
    callTimeoutMs: timeoutMs,
    ...(record.framed === undefined ? {} : { framed: record.framed }),
  });
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

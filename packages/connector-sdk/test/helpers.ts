/**
 * Test-only: launching the fixture drivers as real processes, and looking at processes and
 * sockets afterwards.
 */
import { existsSync, readFileSync } from "node:fs";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type Connector,
  type DriverHost,
  type DriverHostOptions,
  type DriverLaunch,
  type DriverLogLine,
  defineConnector,
  type InProcessDriver,
  startConnectorInProcess,
} from "@rtt/connector-sdk";
import type { Contract } from "@rtt/core";
import { type Frame, FrameType, type LaneReader } from "@rtt/fabric";

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A launch of fixture `file` with this very Node binary. */
export function nodeDriver(
  name: string,
  file: string,
  env: Record<string, string> = {},
): DriverLaunch {
  return { name, command: process.execPath, args: [fixture(file)], env };
}

/** Host options for tests: quiet, fast, with the output lines collected. */
export function quietOptions(
  lines: DriverLogLine[] = [],
  extra: DriverHostOptions = {},
): DriverHostOptions {
  return {
    log: (l) => lines.push(l),
    startTimeoutMs: 5000,
    heartbeatMs: 50,
    graceMs: 2000,
    stopTimeoutMs: 2000,
    ...extra,
  };
}

/** The process state letter from /proc (Z = zombie), or undefined when the pid is gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

export function socketFileGone(address: string): boolean {
  return address.startsWith("@") || !existsSync(address);
}

/** Stops every host given, ignoring those already stopped. */
export async function stopAll(hosts: readonly (DriverHost | undefined)[]): Promise<void> {
  await Promise.all(hosts.map((h) => h?.stop().catch(() => {})));
}

/** Starts a connector in this process, like `startConnectorInProcess`. */
export type StartInProcess = <L>(
  connector: Connector<L>,
  options?: Parameters<typeof startConnectorInProcess>[1],
) => Promise<InProcessDriver<L>>;

/** `startConnectorInProcess` for one test file: every driver it starts is closed after its tests. */
export function inProcessDrivers(): StartInProcess {
  const running: InProcessDriver<unknown>[] = [];
  after(async () => {
    for (const d of running) await d.close();
  });
  return async (connector, options) => {
    const driver = await startConnectorInProcess(connector, options);
    running.push(driver as InProcessDriver<unknown>);
    return driver;
  };
}

/** The bus the fast sources of the data-path tests serve. */
export const TICKS = "rtt://demo/bus/ticks@1.0.0";

/**
 * A source as fast as the pump pulls: its rx yields `next()` until that returns undefined or
 * the link closes, so only backpressure, admission or a throttle can slow it. `refuse` hears of
 * the messages a nack route refused.
 */
export function fastSource(
  contract: Contract,
  next: () => string | undefined,
  refuse?: () => void,
): Connector<{ closed: boolean }> {
  return defineConnector<{ closed: boolean }>({
    name: "fast-source",
    version: "1.0.0",
    probe: () => [contract],
    open: () => ({ closed: false }),
    tx: () => {},
    async *rx(link) {
      while (!link.closed) {
        const item = next();
        if (item === undefined) return;
        yield Buffer.from(item);
      }
    },
    close: (link) => {
      link.closed = true;
    },
    health: () => ({ ok: true, lag_ms: 0 }),
    ...(refuse === undefined ? {} : { refuse }),
  });
}

/** What a lane reader has received so far: DATA payloads as text, heartbeats, its end, its error. */
export interface Received {
  data: string[];
  heartbeats: number;
  ended: boolean;
  error: Error | undefined;
}

/** Listens to `reader` from now on (its errors are kept, never thrown). */
export function receive(reader: LaneReader): Received {
  const r: Received = { data: [], heartbeats: 0, ended: false, error: undefined };
  reader.on("frame", (f: Frame) => {
    if (f.type === FrameType.DATA) r.data.push(Buffer.from(f.payload).toString());
    else if (f.type === FrameType.HEARTBEAT) r.heartbeats++;
  });
  reader.on("end", () => {
    r.ended = true;
  });
  reader.on("error", (e: Error) => {
    r.error = e;
  });
  return r;
}

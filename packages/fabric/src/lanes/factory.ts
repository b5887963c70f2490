/**
 * Making lanes by kind, and by preference with fallback (`routing.prefer` in panel.yaml):
 * the first kind that can be made here wins, and each reason a kind could not be made is
 * logged once per process — "shm unavailable: …; using uds" — not once per lane.
 */
import { errorMessage, RttError } from "@rtt/core";
import type { LaneAddress, LaneKind, LaneListener, LaneReader, LaneWriter } from "../lane.ts";
import {
  connectInprocReader,
  connectInprocWriter,
  listenInprocReader,
  listenInprocWriter,
} from "./inproc/inproc-lane.ts";
import {
  connectShmReader,
  connectShmWriter,
  listenShmReader,
  listenShmWriter,
  type ShmOptions,
} from "./shm/shm-lane.ts";
import {
  connectTcpReader,
  connectTcpWriter,
  listenTcpReader,
  listenTcpWriter,
} from "./tcp/tcp-lane.ts";
import {
  connectUdsReader,
  connectUdsWriter,
  listenUdsReader,
  listenUdsWriter,
} from "./uds/uds-lane.ts";

export interface LaneOptions extends ShmOptions {
  /** TCP: the loopback address to listen on (default 127.0.0.1). */
  readonly host?: string;
}

export function listenWriter(
  kind: LaneKind,
  options: LaneOptions = {},
): Promise<LaneListener<LaneWriter>> {
  switch (kind) {
    case "shm":
      return listenShmWriter(options);
    case "uds":
      return listenUdsWriter(options);
    case "tcp":
      return listenTcpWriter(options.host);
    case "inproc":
      return Promise.resolve(listenInprocWriter());
  }
}

export function listenReader(
  kind: LaneKind,
  options: LaneOptions = {},
): Promise<LaneListener<LaneReader>> {
  switch (kind) {
    case "shm":
      return listenShmReader(options);
    case "uds":
      return listenUdsReader(options);
    case "tcp":
      return listenTcpReader(options.host, options.maxPayload);
    case "inproc":
      return Promise.resolve(listenInprocReader());
  }
}

export async function connectWriter(address: LaneAddress): Promise<LaneWriter> {
  switch (address.kind) {
    case "shm":
      return connectShmWriter(address);
    case "uds":
      return connectUdsWriter(address);
    case "tcp":
      return connectTcpWriter(address);
    case "inproc":
      return connectInprocWriter(address);
  }
}

export async function connectReader(
  address: LaneAddress,
  options: LaneOptions = {},
): Promise<LaneReader> {
  switch (address.kind) {
    case "shm":
      return connectShmReader(address, options);
    case "uds":
      return connectUdsReader(address, options.maxPayload);
    case "tcp":
      return connectTcpReader(address, options.maxPayload);
    case "inproc":
      return connectInprocReader(address);
  }
}

/** Reasons already logged in this process, so each is said once. */
const said = new Set<string>();

export type FallbackLog = (line: string) => void;
const stderrLog: FallbackLog = (line) => process.stderr.write(`${line}\n`);

async function preferred<L>(
  prefer: readonly LaneKind[],
  listen: (kind: LaneKind) => Promise<L>,
  log: FallbackLog,
): Promise<L> {
  const reasons: string[] = [];
  for (const [i, kind] of prefer.entries()) {
    try {
      return await listen(kind);
    } catch (error) {
      const reason = errorMessage(error);
      reasons.push(`${kind}: ${reason}`);
      const next = prefer[i + 1];
      const line = `rtt: ${reason}; ${next === undefined ? "no kind left to try" : `using ${next}`}`;
      if (!said.has(line)) {
        said.add(line);
        log(line);
      }
    }
  }
  throw new RttError(
    "RTT_ERR_LANE_UNAVAILABLE",
    `no lane could be made (${reasons.join("; ") || "no kinds preferred"})`,
    {
      hint: "check routing.prefer in .rtt/panel.yaml",
    },
  );
}

/** A writer end of the first kind in `prefer` that can be made here. */
export function listenPreferredWriter(
  prefer: readonly LaneKind[],
  options: LaneOptions = {},
  log: FallbackLog = stderrLog,
): Promise<LaneListener<LaneWriter>> {
  return preferred(prefer, (kind) => listenWriter(kind, options), log);
}

/** A reader end of the first kind in `prefer` that can be made here. */
export function listenPreferredReader(
  prefer: readonly LaneKind[],
  options: LaneOptions = {},
  log: FallbackLog = stderrLog,
): Promise<LaneListener<LaneReader>> {
  return preferred(prefer, (kind) => listenReader(kind, options), log);
}

/**
 * Who a serving driver is, as GetInfo reports it and the handshake line carries it: fixed when
 * it starts (pid, start time, a fresh nonce), except for its link count. The nonce and start
 * time let a host that re-attaches tell this process from a later one that reuses its pid.
 */
import { randomBytes } from "node:crypto";
import type { LaneKind } from "@rtt/core";
import { loadShm } from "@rtt/fabric";
import type { DriverInfo } from "../generated/rtt/connector/v1/DriverInfo.ts";
import { localLanes } from "../handshake/lane-kinds.ts";
import { SDK_VERSION } from "../handshake/protocol.ts";
import { ownStartTime } from "../process-identity.ts";
import type { Connector } from "./define-connector.ts";

export interface DriverIdentity {
  readonly nonce: string;
  readonly startTime: string;
  /** The lane kinds this process can make (ADR 0031): GetInfo's `lanes`, the line's field 10. */
  readonly lanes: readonly LaneKind[];
  /** The DriverInfo to answer GetInfo with, now. */
  info(): DriverInfo;
}

export function driverIdentity(
  connector: Connector<unknown>,
  links: () => number,
  protocol: { readonly version: number; readonly versions: readonly number[] },
  socket: string,
): DriverIdentity {
  const nonce = randomBytes(16).toString("hex");
  const startTime = ownStartTime();
  const startedAt = Date.now();
  const here = localLanes(loadShm() !== undefined);
  const lanes =
    connector.lanes === undefined ? here : here.filter((k) => connector.lanes?.includes(k));
  return {
    nonce,
    startTime,
    lanes,
    info: () => ({
      name: connector.name,
      version: connector.version,
      protocol_version: protocol.version,
      protocol_versions: [...protocol.versions],
      pid: process.pid,
      start_time: startTime,
      nonce,
      socket,
      started_at_unix_ms: startedAt,
      links: links(),
      sdk_version: SDK_VERSION,
      lanes: [...lanes],
    }),
  };
}

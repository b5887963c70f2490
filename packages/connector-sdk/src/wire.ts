/**
 * The gRPC side of proto/rtt/v1/connector.proto and panel.proto as both ends use them: the
 * loaded services, the lane address mapping to and from @rtt/fabric's LaneAddress, and how
 * RttErrors cross the wire (their code rides in the `rtt-error-code` trailer, so the caller
 * rebuilds the same error).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { fromJSON, loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import { ERROR_CATALOG, type ErrorCode, errorMessage, RttError } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import type { ProtoGrpcType } from "./generated/connector.ts";
import type { ProtoGrpcType as PanelProtoGrpcType } from "./generated/panel.ts";
import type {
  LaneAddress__Output as WireLaneAddress,
  LaneAddress as WireLaneAddressIn,
} from "./generated/rtt/connector/v1/LaneAddress.ts";

export type { ConnectorClient, ConnectorHandlers } from "./generated/rtt/connector/v1/Connector.ts";
export type { DriverInfo__Output as DriverInfo } from "./generated/rtt/connector/v1/DriverInfo.ts";
export type { HealthSample__Output as HealthSample } from "./generated/rtt/connector/v1/HealthSample.ts";
export type { RxChunk__Output as RxChunk } from "./generated/rtt/connector/v1/RxChunk.ts";
export type { Symbol__Output as ProbedSymbol } from "./generated/rtt/connector/v1/Symbol.ts";
export type {
  ApplyResult as ApplyResultIn,
  ApplyResult__Output as ApplyResultMessage,
} from "./generated/rtt/panel/v1/ApplyResult.ts";
export type {
  AuditEvent as AuditEventIn,
  AuditEvent__Output as AuditEventMessage,
} from "./generated/rtt/panel/v1/AuditEvent.ts";
export type { AuditQuery as AuditQueryIn } from "./generated/rtt/panel/v1/AuditQuery.ts";
export type { Filter as SymbolFilterIn } from "./generated/rtt/panel/v1/Filter.ts";
export type {
  HealthSample as RouteHealthIn,
  HealthSample__Output as RouteHealthMessage,
} from "./generated/rtt/panel/v1/HealthSample.ts";
export type { LinkState as LinkStateIn } from "./generated/rtt/panel/v1/LinkState.ts";
export type { LiveRoute as LiveRouteIn } from "./generated/rtt/panel/v1/LiveRoute.ts";
export type { PanelClient, PanelHandlers } from "./generated/rtt/panel/v1/Panel.ts";
export type {
  PanelStatus as PanelStatusIn,
  PanelStatus__Output as PanelStatusMessage,
} from "./generated/rtt/panel/v1/PanelStatus.ts";
export type {
  Plan as PlanIn,
  Plan__Output as PlanMessage,
} from "./generated/rtt/panel/v1/Plan.ts";
export type { RouteList__Output as RouteListMessage } from "./generated/rtt/panel/v1/RouteList.ts";
export type {
  ScanResult as ScanResultIn,
  ScanResult__Output as ScanResultMessage,
} from "./generated/rtt/panel/v1/ScanResult.ts";
export type { Selector as HealthSelectorIn } from "./generated/rtt/panel/v1/Selector.ts";
export type {
  Symbol as PanelSymbolIn,
  Symbol__Output as PanelSymbolMessage,
} from "./generated/rtt/panel/v1/Symbol.ts";
export type { WireLaneAddress, WireLaneAddressIn };

export const PROTO_PATH = fileURLToPath(
  new URL("../../../proto/rtt/v1/connector.proto", import.meta.url),
);
export const PANEL_PROTO_PATH = fileURLToPath(
  new URL("../../../proto/rtt/v1/panel.proto", import.meta.url),
);

/** panel.proto as protobufjs JSON (scripts/generate-proto-types.ts writes it). */
const PANEL_DESCRIPTOR_PATH = fileURLToPath(
  new URL("./generated/panel.descriptor.json", import.meta.url),
);

/** Must agree with the options in scripts/generate-proto-types.ts (the types assume them). */
export const LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

type ConnectorPackage = ProtoGrpcType["rtt"]["connector"]["v1"];
let loaded: ConnectorPackage | undefined;

/** The rtt.connector.v1 package, parsed once per process. */
export function connectorPackage(): ConnectorPackage {
  loaded ??= (
    grpc.loadPackageDefinition(loadProtoDefinition(PROTO_PATH)) as unknown as ProtoGrpcType
  ).rtt.connector.v1;
  return loaded;
}

type PanelPackage = PanelProtoGrpcType["rtt"]["panel"]["v1"];
let loadedPanel: PanelPackage | undefined;
let panelDefinition: PackageDefinition | undefined;

/** A .proto file as proto-loader parses it with RTT's options (e.g. to describe by reflection). */
export function loadProtoDefinition(path: string): PackageDefinition {
  return loadSync(path, LOADER_OPTIONS);
}

/**
 * panel.proto as proto-loader parsed it, once per process: what server reflection describes
 * (it carries the file descriptors).
 */
export function panelPackageDefinition(): PackageDefinition {
  panelDefinition ??= loadProtoDefinition(PANEL_PROTO_PATH);
  return panelDefinition;
}

/**
 * The rtt.panel.v1 package (its services and messages), loaded once per process from the JSON
 * form `npm run generate` makes of panel.proto: every CLI command that talks to the panel
 * needs it at start, and reading the JSON costs a fraction of parsing the .proto text. The
 * server's reflection describes panel.proto itself (`panelPackageDefinition`).
 */
export function panelPackage(): PanelPackage {
  loadedPanel ??= (
    grpc.loadPackageDefinition(
      fromJSON(JSON.parse(readFileSync(PANEL_DESCRIPTOR_PATH, "utf8")), LOADER_OPTIONS),
    ) as unknown as PanelProtoGrpcType
  ).rtt.panel.v1;
  return loadedPanel;
}

// ---------------------------------------------------------------------------------------------
// Lane addresses

export function laneToWire(a: LaneAddress): WireLaneAddressIn {
  const where = laneLocationToWire(a);
  return a.batches === true ? { ...where, batches: true } : where;
}

function laneLocationToWire(a: LaneAddress): WireLaneAddressIn {
  switch (a.kind) {
    case "uds":
      return { uds: { path: a.path } };
    case "tcp":
      return { tcp: { host: a.host, port: a.port } };
    case "shm":
      return { shm: { segment: a.segment, path: a.path, capacity: a.capacity } };
    case "inproc":
      return { inproc: { id: a.id } };
  }
}

/** The fabric address of a received lane, or undefined when the field was absent. */
export function laneFromWire(w: WireLaneAddress | null | undefined): LaneAddress | undefined {
  if (w === null || w === undefined) return undefined;
  const where = laneLocationFromWire(w);
  return w.batches === true ? { ...where, batches: true } : where;
}

function laneLocationFromWire(w: WireLaneAddress): LaneAddress {
  const bad = (why: string) =>
    new RttError("RTT_ERR_LANE_ADDRESS", `lane address: ${why}`, {
      hint: "a LaneAddress sets exactly one of uds, tcp, shm, inproc",
    });
  switch (w.kind) {
    case "uds":
      if (!w.uds?.path) throw bad("uds without a path");
      return { kind: "uds", path: w.uds.path };
    case "tcp":
      if (!w.tcp?.host || !w.tcp.port) throw bad("tcp without host and port");
      return { kind: "tcp", host: w.tcp.host, port: w.tcp.port };
    case "shm":
      if (!w.shm?.segment || !w.shm.path || !w.shm.capacity)
        throw bad("shm without segment, path and capacity");
      return { kind: "shm", segment: w.shm.segment, path: w.shm.path, capacity: w.shm.capacity };
    case "inproc":
      if (!w.inproc?.id) throw bad("inproc without an id");
      return { kind: "inproc", id: w.inproc.id };
    default:
      throw bad("no kind set");
  }
}

// ---------------------------------------------------------------------------------------------
// Errors across the wire

export const ERROR_CODE_KEY = "rtt-error-code";
export const ERROR_HINT_KEY = "rtt-error-hint";

function isErrorCode(s: string): s is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, s);
}

/** What a handler sends back for a thrown error: the catalog's status, code and hint. */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const e =
    error instanceof RttError ? error : new RttError("RTT_ERR_DRIVER_CALL", errorMessage(error));
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_KEY, e.code);
  if (e.hint !== undefined) metadata.set(ERROR_HINT_KEY, e.hint.replace(/[\r\n]+/g, " "));
  return {
    code: grpc.status[ERROR_CATALOG[e.code].grpcStatus],
    details: e.message,
    metadata,
  };
}

/** Rebuilds the RttError a driver sent, naming the driver; transport failures get codes too. */
/**
 * The RttError a server sent (its code and hint ride in trailers), with `prefix` before the
 * message; undefined when the failure carries no RTT code (a transport error).
 */
export function sentRttError(error: grpc.ServiceError, prefix = ""): RttError | undefined {
  const sent = error.metadata?.get(ERROR_CODE_KEY)[0];
  const hint = error.metadata?.get(ERROR_HINT_KEY)[0];
  if (typeof sent !== "string" || !isErrorCode(sent)) return undefined;
  return new RttError(sent, `${prefix}${error.details}`, {
    cause: error,
    ...(typeof hint === "string" ? { hint } : {}),
  });
}

export function fromServiceError(
  driver: string,
  method: string,
  error: grpc.ServiceError,
): RttError {
  const sent = sentRttError(error, `driver "${driver}": `);
  if (sent !== undefined) return sent;
  switch (error.code) {
    case grpc.status.UNAVAILABLE:
    case grpc.status.CANCELLED:
      return new RttError(
        "RTT_ERR_DRIVER_EXITED",
        `driver "${driver}" did not answer ${method}: ${error.details || "connection lost"}`,
        { cause: error, hint: "the driver process exited or was killed" },
      );
    case grpc.status.DEADLINE_EXCEEDED:
      return new RttError(
        "RTT_ERR_DRIVER_TIMEOUT",
        `driver "${driver}" did not answer ${method} in time`,
        { cause: error },
      );
    default:
      return new RttError(
        "RTT_ERR_DRIVER_CALL",
        `driver "${driver}": ${method}: ${error.details}`,
        {
          cause: error,
        },
      );
  }
}

/**
 * Channel options of every RTT gRPC client. The peer is a local Unix socket, so grpc-js's
 * transparent retries and channelz bookkeeping buy nothing and cost on every call: without them
 * a unary round trip measured 440 → 210 µs p50 on the 2-core machines (bench/control).
 * The reconnect backoff is short: a local socket that refuses is either starting or gone.
 */
export const LOCAL_CHANNEL_OPTIONS = {
  "grpc.enable_retries": 0,
  "grpc.enable_channelz": 0,
  "grpc.initial_reconnect_backoff_ms": 50,
  "grpc.max_reconnect_backoff_ms": 500,
} as const;

/** Server options of every RTT gRPC server (see LOCAL_CHANNEL_OPTIONS). */
export const LOCAL_SERVER_OPTIONS = { "grpc.enable_channelz": 0 } as const;

/** gRPC target for a socket path (never an abstract name: the handshake refuses those). */
export function grpcTarget(address: string): string {
  return `unix:${address}`;
}

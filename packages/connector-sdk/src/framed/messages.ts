/**
 * What the framed control channel's frames carry (frame.ts has the frame itself): a service's
 * methods by id, their protobuf messages, a request's metadata and an error. Two services speak
 * it: the panel's (`service Panel`, for the CLI) and the drivers' (`service Connector`, for the
 * panel's calls on a flip's path).
 *
 * - Method ids are the methods' order in the service of its .proto (the descriptor JSON keeps
 *   it), from 0: Panel's Status 0, ApplyPlan 1, … Scan 12; Connector's GetInfo 0, Probe 1, …
 *   A new method is only ever added at the end, so an id never changes meaning.
 * - request body: [u16 metadata length][metadata: UTF-8 JSON object of strings][protobuf request]
 *   (the metadata is what a gRPC call sends in headers: `authorization`; length 0 for none).
 * - response and item bodies: the protobuf response message. end and cancel bodies: empty.
 * - error body: UTF-8 JSON `{"code": "RTT_ERR_…", "message": "…", "hint": "…"}` — what gRPC
 *   carries as the status details and the `rtt-error-code` / `rtt-error-hint` trailers. The
 *   gRPC status follows from the code (docs/errors.md); a client gets it as the error's cause.
 *
 * Messages are encoded and decoded exactly as @grpc/proto-loader does it with RTT's options
 * (wire.ts LOADER_OPTIONS), so a handler gets the same objects over either transport: by
 * protobufjs on the panel's side (protobuf-methods.ts), by a codec of the descriptor alone on a
 * client's (wire-methods.ts), which loads neither protobufjs nor a gRPC library.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERROR_CATALOG, type ErrorCode, RttError } from "@rtt/core/errors.ts";
import type { NamespaceJson } from "./wire-codec.ts";

const PANEL_DESCRIPTOR_PATH = fileURLToPath(
  new URL("../generated/panel.descriptor.json", import.meta.url),
);
const CONNECTOR_DESCRIPTOR_PATH = fileURLToPath(
  new URL("../generated/connector.descriptor.json", import.meta.url),
);
export const PANEL_SERVICE = "rtt.panel.v1.Panel";
export const CONNECTOR_SERVICE = "rtt.connector.v1.Connector";

/** panel.proto in protobufjs's JSON form, as `npm run generate` writes it. */
export function panelDescriptor(): NamespaceJson {
  return JSON.parse(readFileSync(PANEL_DESCRIPTOR_PATH, "utf8")) as NamespaceJson;
}

/** connector.proto in protobufjs's JSON form, as `npm run generate` writes it. */
export function connectorDescriptor(): NamespaceJson {
  return JSON.parse(readFileSync(CONNECTOR_DESCRIPTOR_PATH, "utf8")) as NamespaceJson;
}

export interface FramedMethod {
  readonly id: number;
  readonly name: string;
  readonly responseStream: boolean;
  encodeRequest(value: unknown): Uint8Array;
  decodeRequest(bytes: Uint8Array): unknown;
  encodeResponse(value: unknown): Uint8Array;
  decodeResponse(bytes: Uint8Array): unknown;
}

export interface MethodTable {
  readonly byId: readonly FramedMethod[];
  readonly byName: ReadonlyMap<string, FramedMethod>;
}

/** A table of `methods`, each given its id (its place in the service). */
export function methodTable(methods: readonly Omit<FramedMethod, "id">[]): MethodTable {
  const byId = methods.map((m, id): FramedMethod => ({ ...m, id }));
  return { byId, byName: new Map(byId.map((m) => [m.name, m])) };
}

/** A request's metadata: gRPC headers' counterpart (only string values). */
export type FramedMetadata = Readonly<Record<string, string>>;

const METADATA_LENGTH_BYTES = 2;
const METADATA_MAX_BYTES = 0xffff;

export function encodeRequestBody(metadata: FramedMetadata, message: Uint8Array): Buffer {
  const meta =
    Object.keys(metadata).length === 0
      ? Buffer.alloc(0)
      : Buffer.from(JSON.stringify(metadata), "utf8");
  if (meta.length > METADATA_MAX_BYTES)
    throw new RttError("RTT_ERR_FRAME_OVERSIZED", `request metadata of ${meta.length} bytes`);
  const out = Buffer.allocUnsafe(METADATA_LENGTH_BYTES + meta.length + message.length);
  out.writeUInt16BE(meta.length, 0);
  meta.copy(out, METADATA_LENGTH_BYTES);
  out.set(message, METADATA_LENGTH_BYTES + meta.length);
  return out;
}

function corrupt(what: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", `control frame: ${what}`);
}

/** A request body's metadata and message bytes; RTT_ERR_FRAME_CORRUPT when it is not one. */
export function decodeRequestBody(body: Uint8Array): {
  metadata: FramedMetadata;
  message: Uint8Array;
} {
  if (body.length < METADATA_LENGTH_BYTES) throw corrupt("a request body without its metadata");
  const length = (body[0] as number) * 256 + (body[1] as number);
  if (body.length < METADATA_LENGTH_BYTES + length)
    throw corrupt(`request metadata of ${length} bytes in a body of ${body.length}`);
  const message = body.subarray(METADATA_LENGTH_BYTES + length);
  if (length === 0) return { metadata: {}, message };
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(body.buffer, body.byteOffset + METADATA_LENGTH_BYTES, length).toString("utf8"),
    );
  } catch {
    throw corrupt("request metadata is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw corrupt("request metadata is not a JSON object");
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== "string") throw corrupt(`request metadata ${JSON.stringify(k)} is not text`);
    // Defined, not assigned: a key named `__proto__` stays a key, never the object's prototype.
    Object.defineProperty(metadata, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { metadata, message };
}

export function encodeErrorBody(error: RttError): Buffer {
  return Buffer.from(
    JSON.stringify({
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    }),
    "utf8",
  );
}

/** The numbers of the gRPC status names (grpc/doc/statuscodes.md), without loading grpc-js. */
const GRPC_STATUS_NUMBERS: Readonly<Record<string, number>> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/**
 * The RttError an error frame carries, its cause the status gRPC would have ended the call with
 * (`{code, details}`, as a grpc-js ServiceError has them); RTT_ERR_FRAME_CORRUPT when the body
 * is not one.
 */
export function decodeErrorBody(body: Uint8Array): RttError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString("utf8"));
  } catch {
    return corrupt("an error body that is not JSON");
  }
  const { code, message, hint } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof code !== "string" || !Object.hasOwn(ERROR_CATALOG, code))
    return corrupt(`an error body with no known code: ${JSON.stringify(code)}`);
  const details = typeof message === "string" ? message : "";
  const status = GRPC_STATUS_NUMBERS[ERROR_CATALOG[code as ErrorCode].grpcStatus];
  return new RttError(code as ErrorCode, details, {
    cause: { code: status, details },
    ...(typeof hint === "string" ? { hint } : {}),
  });
}

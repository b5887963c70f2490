/**
 * The Panel and Connector services' methods as their servers (and the panel calling its
 * drivers) encode and decode them: by protobufjs, exactly as
 * @grpc/proto-loader does with RTT's options (wire.ts LOADER_OPTIONS), so a handler gets the
 * same objects over the framed channel as over gRPC.
 */
import { RttError } from "@rtt/core/errors.ts";
import protobuf from "protobufjs/light.js";
import {
  CONNECTOR_SERVICE,
  connectorDescriptor,
  type MethodTable,
  methodTable,
  PANEL_SERVICE,
  panelDescriptor,
} from "./messages.ts";

/** proto-loader's conversion options as wire.ts's LOADER_OPTIONS set them. */
export const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

function codec(type: protobuf.Type) {
  return {
    encode: (value: unknown) => {
      if (Array.isArray(value) || typeof value !== "object" || value === null)
        throw new RttError("RTT_ERR_INTERNAL", `a ${type.name} must be an object`);
      return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
    },
    decode: (bytes: Uint8Array) => type.toObject(type.decode(bytes), TO_OBJECT),
  };
}

/** `serviceName`'s methods in `root`, each encoded and decoded by protobufjs. */
function serviceMethods(root: protobuf.Root, serviceName: string): MethodTable {
  const service = root.lookupService(serviceName);
  return methodTable(
    Object.values(service.methods).map((m) => {
      const req = codec(root.lookupType(m.resolvedRequestType?.fullName ?? m.requestType));
      const res = codec(root.lookupType(m.resolvedResponseType?.fullName ?? m.responseType));
      return {
        name: m.name,
        responseStream: m.responseStream === true,
        encodeRequest: req.encode,
        decodeRequest: req.decode,
        encodeResponse: res.encode,
        decodeResponse: res.decode,
      };
    }),
  );
}

/** A descriptor JSON's root in protobufjs. */
function rootOf(descriptor: protobuf.INamespace): protobuf.Root {
  const root = protobuf.Root.fromJSON(descriptor);
  root.resolveAll();
  return root;
}

let panelMethods: MethodTable | undefined;
let connectorMethods: MethodTable | undefined;

/** panel.proto's root in protobufjs, from the generated descriptor JSON. */
export function panelRoot(): protobuf.Root {
  return rootOf(panelDescriptor());
}

/** The Panel service's methods, loaded once per process. */
export function panelMethodTable(): MethodTable {
  panelMethods ??= serviceMethods(panelRoot(), PANEL_SERVICE);
  return panelMethods;
}

/** The Connector service's methods (a driver's), loaded once per process. */
export function connectorMethodTable(): MethodTable {
  connectorMethods ??= serviceMethods(rootOf(connectorDescriptor()), CONNECTOR_SERVICE);
  return connectorMethods;
}

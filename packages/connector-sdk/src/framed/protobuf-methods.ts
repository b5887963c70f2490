/**
 * The Panel service's methods as the panel encodes and decodes them: by protobufjs, exactly as
 * @grpc/proto-loader does with RTT's options (wire.ts LOADER_OPTIONS), so a handler gets the
 * same objects over the framed channel as over gRPC.
 */
import { RttError } from "@rtt/core/errors.ts";
import protobuf from "protobufjs/light.js";
import { type MethodTable, methodTable, PANEL_SERVICE, panelDescriptor } from "./messages.ts";

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

let panelMethods: MethodTable | undefined;

/** panel.proto's root in protobufjs, from the generated descriptor JSON. */
export function panelRoot(): protobuf.Root {
  const root = protobuf.Root.fromJSON(panelDescriptor());
  root.resolveAll();
  return root;
}

/** The Panel service's methods, loaded once per process. */
export function panelMethodTable(): MethodTable {
  if (panelMethods !== undefined) return panelMethods;
  const root = panelRoot();
  const service = root.lookupService(PANEL_SERVICE);
  panelMethods = methodTable(
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
  return panelMethods;
}

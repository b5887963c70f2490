/**
 * The Panel service's methods as a client encodes and decodes them: by the descriptor's own
 * codec (wire-codec.ts), the same objects protobufjs gives, without loading protobufjs.
 */
import { RttError } from "@rtt/core/errors.ts";
import { type MethodTable, methodTable, PANEL_SERVICE, panelDescriptor } from "./messages.ts";
import { type MessageCodec, messageCodecs, type NamespaceJson } from "./wire-codec.ts";

interface ServiceJson {
  readonly methods: Readonly<
    Record<string, { requestType: string; responseType: string; responseStream?: boolean }>
  >;
}

let clientMethods: MethodTable | undefined;

/** The service at `fullName` of `root`. */
function serviceOf(root: NamespaceJson, fullName: string): ServiceJson {
  let at: unknown = root;
  for (const part of fullName.split("."))
    at = (at as NamespaceJson | undefined)?.nested?.[part as keyof NamespaceJson["nested"]];
  if (typeof at !== "object" || at === null || !("methods" in at))
    throw new RttError("RTT_ERR_INTERNAL", `no service ${fullName} in the descriptor`);
  return at as ServiceJson;
}

/** The Panel service's methods, built once per process. */
export function clientMethodTable(): MethodTable {
  if (clientMethods !== undefined) return clientMethods;
  const root = panelDescriptor();
  const codecs = messageCodecs(root);
  const pkg = PANEL_SERVICE.slice(0, PANEL_SERVICE.lastIndexOf("."));
  // panel.proto names its messages within its package.
  const codec = (type: string): MessageCodec => {
    const found = codecs.get(type.startsWith(".") ? type.slice(1) : `${pkg}.${type}`);
    if (found === undefined) throw new RttError("RTT_ERR_INTERNAL", `no message ${type}`);
    return found;
  };
  clientMethods = methodTable(
    Object.entries(serviceOf(root, PANEL_SERVICE).methods).map(([name, m]) => {
      const req = codec(m.requestType);
      const res = codec(m.responseType);
      return {
        name,
        responseStream: m.responseStream === true,
        encodeRequest: req.encode,
        decodeRequest: req.decode,
        encodeResponse: res.encode,
        decodeResponse: res.decode,
      };
    }),
  );
  return clientMethods;
}

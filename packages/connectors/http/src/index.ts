/**
 * @rtt/connector-http — the reference driver for `api` symbols on loopback: frames become HTTP
 * requests (and responses come back with the frame's correlation id), and a loopback listener
 * turns requests into frames. The endpoints are here; the driver lands with the connector SDK.
 */
export {
  type HttpEndpointAddress,
  HttpSource,
  HttpTarget,
  type IncomingExchange,
} from "./http-endpoints.ts";
export {
  encodeMessage,
  type HttpRequestMessage,
  type HttpResponseMessage,
  parseRequest,
  parseResponse,
} from "./messages.ts";

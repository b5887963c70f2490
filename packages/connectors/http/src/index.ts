/**
 * @rtt/connector-http — the reference driver for `api` symbols on loopback: frames become HTTP
 * requests (and responses come back with the frame's correlation id), and a loopback listener
 * turns requests into frames; an api with an `x-run` is started by the driver on a private
 * Unix socket. The executable is src/driver.ts.
 */
export { ApiProcess, type ApiProcessSpec, LISTEN_ENV } from "./api-process.ts";
export { httpConnector } from "./driver.ts";
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

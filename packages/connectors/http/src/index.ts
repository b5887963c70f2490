/**
 * @rtt/connector-http — the reference driver for `api` symbols on loopback: frames become HTTP
 * requests (and responses come back with the frame's correlation id), and a loopback listener
 * turns requests into frames. The executable is src/driver.ts.
 */
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

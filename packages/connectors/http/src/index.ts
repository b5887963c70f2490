/**
 * @rtt/connector-http — the reference driver for `api` symbols on loopback: frames become HTTP
 * requests (and responses come back with the frame's correlation id), and a loopback listener
 * turns requests into frames. Lands with the connector SDK (issue 4).
 */
export {};

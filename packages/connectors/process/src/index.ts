/**
 * @rtt/connector-process — the reference driver for `proc`, `hook` and `plugin` symbols: spawns
 * the manifest's command, `tx` → stdin, `rx` ← stdout with `lines`, `length-prefixed` or `raw`
 * framing. The executable is src/driver.ts.
 */
export { processConnector } from "./driver.ts";
export { Deframer, encodeMessage, FRAMINGS, type Framing, MAX_MESSAGE } from "./framing.ts";
export { ProcessEndpoint, type ProcessSpec } from "./process-endpoint.ts";

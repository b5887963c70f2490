/**
 * @rtt/connector-process — the reference driver for `proc`, `hook` and `plugin` symbols: spawns
 * the manifest's command, `tx` → stdin, `rx` ← stdout with `lines`, `length-prefixed` or `raw`
 * framing. The driver itself lands with the connector SDK (issue 4); its building blocks are here.
 */
export { Deframer, encodeMessage, FRAMINGS, type Framing, MAX_MESSAGE } from "./framing.ts";
export {
  ProcessEndpoint,
  type ProcessHealth,
  type ProcessSpec,
  RESPAWN_POLICIES,
  type RespawnPolicy,
} from "./process-endpoint.ts";

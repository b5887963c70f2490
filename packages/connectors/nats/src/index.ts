/**
 * @rtt/connector-nats — routes across machines through a NATS server (docs/adr/0032-nats-bus.md):
 * a `bus`/`queue` symbol's route target publishes to its subject, its route source subscribes;
 * JetStream (`x-stream`) for routes that must lose nothing. The executable is src/driver.ts.
 */
export { NATS_DRIVER, natsConnector } from "./driver.ts";
export { decodeRecords, encodeRecord } from "./journaled-source.ts";
export { describe, type NatsSettings, natsSettings } from "./settings.ts";
export { consumerName } from "./subscriber.ts";

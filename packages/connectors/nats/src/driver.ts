/**
 * The nats driver (docs/adr/0032-nats-bus.md): routes across machines through a NATS server. A
 * `bus` or `queue` symbol names a server (`x-url`) and a subject (`x-subject`); as a route's
 * target the driver publishes each frame there, as its source it subscribes and emits what
 * arrives. With `x-stream` both go through JetStream, so a `drop: buffer` route loses nothing
 * while the receiving panel or the server is down. Health: the connection's state, messages
 * queued in the client, and disconnects and slow-consumer events as the link's errors. Run as a
 * program, this file is the driver executable.
 */
import { defineConnector, findManifests, serveDriver } from "@rtt/connector-sdk";
import { NatsClient } from "./connection.ts";
import { Publisher } from "./publisher.ts";
import { describe, natsSettings } from "./settings.ts";
import { Subscriber } from "./subscriber.ts";

export const NATS_DRIVER = "nats";
const BUS_TYPES = new Set(["bus", "queue"]);

export interface NatsLink {
  readonly client: NatsClient;
  /** At a route's source end. */
  readonly subscriber?: Subscriber;
  /** At a route's target end. */
  readonly publisher?: Publisher;
}

const log = (saddr: string) => (line: string) =>
  process.stderr.write(`nats driver: ${saddr}: ${line}\n`);

export const natsConnector = defineConnector<NatsLink>({
  name: NATS_DRIVER,
  version: "0.1.0",
  // It reads no route parameter (its settings are the manifest's).
  params: [],
  probe: (root) =>
    findManifests(root)
      .map(({ contract }) => contract)
      .filter(
        (c) => BUS_TYPES.has(c.type) && (c as { "x-driver"?: unknown })["x-driver"] === NATS_DRIVER,
      ),
  async open(symbol, _params, context) {
    const settings = natsSettings(symbol);
    const say = log(symbol.saddr);
    const client = await NatsClient.open(settings, say);
    try {
      if (context.source === true) {
        const subscriber = new Subscriber(client, context, say);
        await subscriber.prepare();
        say(`subscribed to ${describe(settings)}`);
        return { client, subscriber };
      }
      const publisher = await Publisher.open(client, context.stateDir);
      say(`publishing to ${describe(settings)}`);
      return { client, publisher };
    } catch (error) {
      await client.close();
      throw error;
    }
  },
  async tx(link, bytes, { correlation }) {
    if (link.publisher === undefined) return;
    await link.publisher.publish(bytes, correlation);
  },
  async *rx(link) {
    if (link.subscriber !== undefined) yield* link.subscriber.messages();
  },
  async close(link) {
    link.subscriber?.close();
    link.publisher?.close();
    await link.client.close();
    const say = log(link.client.settings.saddr);
    if (link.subscriber !== undefined) say(`closed: ${link.subscriber.received} message(s) taken`);
    if (link.publisher !== undefined)
      say(
        `closed: ${link.publisher.published} message(s) published, ${link.publisher.duplicates} of them replays the stream had already`,
      );
  },
  health(link) {
    const pending = link.subscriber?.pending ?? 0;
    const connected = link.client.connected;
    const why = connected ? undefined : (link.client.lastError ?? "not connected");
    return {
      ok: connected,
      lag_ms: 0,
      errors: link.client.errors,
      ...(why === undefined ? {} : { err: `${why} (${pending} message(s) pending)` }),
    };
  },
});

if (import.meta.main) await serveDriver(natsConnector);

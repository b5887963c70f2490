/**
 * The JetStream stream a bus symbol names (`x-stream`): made on first use with the symbol's
 * subject, stored on disk with the server's default duplicate window (two minutes, what the
 * publisher's msgIDs rely on); one that exists already is used as the operator made it.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { RttError } from "@rtt/core";
import type { NatsClient } from "./connection.ts";

export async function ensureStream(client: NatsClient, stream: string): Promise<void> {
  const { subject } = client.settings;
  try {
    const jsm = await jetstreamManager(client.nc);
    const found = await jsm.streams.info(stream).catch(() => undefined);
    if (found === undefined) await jsm.streams.add({ name: stream, subjects: [subject] });
  } catch (error) {
    throw new RttError(
      "RTT_ERR_DRIVER_LINK",
      `nats driver: JetStream stream ${stream} for ${subject}: ${(error as Error).message}`,
      { hint: "does the server run with JetStream (nats-server -js), and may this user use it?" },
    );
  }
}

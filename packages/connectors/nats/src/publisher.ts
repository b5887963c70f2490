/**
 * A route's target end on a bus symbol: each frame becomes one NATS message on the subject
 * (docs/adr/0032-nats-bus.md). Without a stream it is core NATS, at most once: the client
 * buffers while it reconnects. With `x-stream` it is a JetStream publish that resolves only once
 * the stream stored the message, retried until it does — so the route's delivered mark never
 * passes a message the stream lacks, and a server restart only pauses the route. At a journaled
 * route's end each message carries a msgID made of the route (its state folder) and the frame's
 * correlation id, the source journal's offset: a replay after a panel restart is then dropped by
 * the stream's duplicate window instead of stored twice.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsClient } from "./connection.ts";
import { ensureStream } from "./stream.ts";

/** The pause before publishing again after JetStream did not ack. */
const RETRY_MS = 200;

export class Publisher {
  readonly #client: NatsClient;
  readonly #js: JetStreamClient | undefined;
  /** The msgID prefix of a journaled route's messages; undefined: no msgID. */
  readonly #route: string | undefined;
  #closed = false;
  /** Messages published (acked by the stream, when there is one). */
  published = 0;
  /** Of those, the ones the stream said it had already (replays). */
  duplicates = 0;

  private constructor(client: NatsClient, js: JetStreamClient | undefined, route?: string) {
    this.#client = client;
    this.#js = js;
    this.#route = route;
  }

  /** `stateDir`: the route end's state folder on a journaled route (its identity). */
  static async open(client: NatsClient, stateDir: string | undefined): Promise<Publisher> {
    const { stream } = client.settings;
    if (stream === undefined) return new Publisher(client, undefined);
    await ensureStream(client, stream);
    const route =
      stateDir === undefined
        ? undefined
        : createHash("sha256").update(stateDir).digest("hex").slice(0, 16);
    return new Publisher(client, jetstream(client.nc), route);
  }

  async publish(bytes: Uint8Array, correlation: number): Promise<void> {
    const { subject } = this.#client.settings;
    if (this.#js === undefined) {
      this.#client.nc.publish(subject, bytes);
      this.published++;
      return;
    }
    const msgID =
      this.#route === undefined || correlation === 0 ? undefined : `${this.#route}-${correlation}`;
    // One error per stall, not per attempt: the breaker counts outages, not retries.
    let stalled = false;
    for (;;) {
      try {
        const ack = await this.#js.publish(subject, bytes, msgID === undefined ? {} : { msgID });
        this.published++;
        if (ack.duplicate) this.duplicates++;
        return;
      } catch (error) {
        if (this.#closed) throw error;
        if (!stalled)
          this.#client.failed(
            `JetStream did not store a message on ${subject} (${(error as Error).message}); retrying until it does`,
          );
        stalled = true;
        await sleep(RETRY_MS);
      }
    }
  }

  /** Ends the retries of a publish in progress (it throws). */
  close(): void {
    this.#closed = true;
  }
}

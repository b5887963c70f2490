/**
 * One link's NATS connection (docs/adr/0032-nats-bus.md) and what its health is made of: the
 * client reconnects forever on its own (a server restart is a pause, not an end), and this
 * watches its status stream — disconnects and slow-consumer events are counted as the link's
 * errors (the route's breaker counts their rise), the connection state makes a sample ok or not.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { RttError } from "@rtt/core";
import { describe, type NatsSettings } from "./settings.ts";

/** How long to wait between two attempts to reach a server that went away. */
const RECONNECT_WAIT_MS = 250;
/** How long closing a link may wait for the client to send what it buffered. */
const CLOSE_WAIT_MS = 2000;
/** Messages a subscription may hold unread before the client reports a slow consumer. */
export const SLOW_CONSUMER_PENDING = 65_536;

export class NatsClient {
  readonly nc: NatsConnection;
  readonly settings: NatsSettings;
  #connected = true;
  #errors = 0;
  #lastError: string | undefined;
  readonly #log: (line: string) => void;

  private constructor(nc: NatsConnection, settings: NatsSettings, log: (line: string) => void) {
    this.nc = nc;
    this.settings = settings;
    this.#log = log;
    void this.#watch();
  }

  /** Connects, or fails at once with the server named (an unreachable server is no link). */
  static async open(settings: NatsSettings, log: (line: string) => void): Promise<NatsClient> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: [...settings.servers],
        name: `rtt ${settings.saddr}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: RECONNECT_WAIT_MS,
        ...(settings.credsFile === undefined
          ? {}
          : { authenticator: credsAuthenticator(readFileSync(settings.credsFile)) }),
        ...(settings.tls === undefined ? {} : { tls: { ...settings.tls } }),
      });
    } catch (error) {
      // The client's message names the server and the cause, never the credentials.
      throw new RttError(
        "RTT_ERR_DRIVER_LINK",
        `nats driver: cannot connect to ${describe(settings)}: ${(error as Error).message}`,
        { hint: "is nats-server running there, and are x-url, x-creds and x-tls right?" },
      );
    }
    return new NatsClient(nc, settings, log);
  }

  async #watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case "disconnect":
          this.#connected = false;
          this.#fail(`disconnected from ${status.server}; reconnecting`);
          break;
        case "reconnect":
          this.#connected = true;
          this.#log(`reconnected to ${status.server}`);
          break;
        case "slowConsumer":
          this.#fail(
            `slow consumer: ${status.pending} messages pending on ${this.settings.subject}`,
          );
          break;
        case "error":
          this.#fail(status.error.message);
          break;
        default:
          break;
      }
    }
  }

  #fail(why: string): void {
    this.#errors++;
    this.#lastError = why;
    this.#log(why);
  }

  /** Counts a failure seen outside the status stream (a publish JetStream did not ack). */
  failed(why: string): void {
    this.#fail(why);
  }

  get connected(): boolean {
    return this.#connected && !this.nc.isClosed();
  }

  /** Disconnects and slow-consumer events so far: the link's `errors`. */
  get errors(): number {
    return this.#errors;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /**
   * Sends what is buffered, then closes; at once while disconnected, and after CLOSE_WAIT_MS at
   * most otherwise (a close must not wait for a server that went away meanwhile).
   */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    if (this.#connected) {
      const drained = this.nc.drain().catch(() => {});
      await Promise.race([drained, sleep(CLOSE_WAIT_MS)]);
    }
    await this.nc.close().catch(() => {});
  }
}

/**
 * A route's source end on a bus symbol: what arrives on the subject becomes the route's frames
 * (docs/adr/0032-nats-bus.md). Without a stream it is a core NATS subscription: what is sent
 * while the route is down is gone. With `x-stream` it is a durable JetStream consumer (one per
 * symbol), acked message by message, so what the stream holds waits while the receiving panel
 * is down. On a journaled (`drop: buffer`) route a message is journaled before it is acked
 * (journaled-source.ts), so from the stream to the route's target each message arrives once.
 */
import { createHash } from "node:crypto";
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { Subscription } from "@nats-io/transport-node";
import type { OpenContext, RxMessage } from "@rtt/connector-sdk";
import { type NatsClient, SLOW_CONSUMER_PENDING } from "./connection.ts";
import { JournaledSource } from "./journaled-source.ts";
import { ensureStream } from "./stream.ts";

/** Messages JetStream hands over per pull. */
const PULL_BATCH = 64;
/**
 * How long a message handed to this client may go unacked before JetStream sends it again: within
 * a link, what waited that long for room in a full route. What a closed link left unacked comes
 * to its successor at once (`prepare` starts the consumer again at its ack floor).
 */
const ACK_WAIT_NS = 5_000_000_000;
/** Sequences a journaled end keeps above the ack floor before it asks JetStream for the floor. */
const ASK_FLOOR_AT = 4096;

/**
 * Asks JetStream for the consumer's ack floor (what the journaled end may forget) once it keeps
 * ASK_FLOOR_AT more sequences than after the last answer, one question at a time: a floor that
 * does not move costs one question per ASK_FLOOR_AT messages, not one per message.
 */
function floorAsker(consumer: Consumer, journaled: JournaledSource): () => void {
  let askAt = ASK_FLOOR_AT;
  let asking = false;
  return () => {
    if (asking || journaled.kept < askAt) return;
    asking = true;
    consumer
      .info()
      .then((info) => journaled.ackFloor(info.ack_floor.stream_seq))
      // Not answered (the server is away): asked again after as many more messages.
      .catch(() => {})
      .finally(() => {
        asking = false;
        askAt = journaled.kept + ASK_FLOOR_AT;
      });
  };
}

/** The durable consumer of a symbol: the same after a restart, so the stream resumes there. */
export function consumerName(saddr: string, subject: string): string {
  return `rtt-${createHash("sha256").update(`${saddr}\n${subject}`).digest("hex").slice(0, 16)}`;
}

export class Subscriber {
  readonly #client: NatsClient;
  readonly #context: OpenContext;
  readonly #log: (line: string) => void;
  #sub: Subscription | undefined;
  #consumed: ConsumerMessages | undefined;
  #closed = false;
  /** The consumer's ack floor as `prepare` found it (0 for a new consumer). */
  #startFloor = 0;
  /** Messages handed to the route. */
  received = 0;

  constructor(client: NatsClient, context: OpenContext, log: (line: string) => void) {
    this.#client = client;
    this.#context = context;
    this.#log = log;
  }

  /** Made before the first frame is asked for, so a stream exists as soon as the link does. */
  async prepare(): Promise<void> {
    const { stream, subject } = this.#client.settings;
    if (stream === undefined) {
      // Subscribed at once: messages published from here on wait for the pump.
      this.#sub = this.#client.nc.subscribe(subject, { slow: SLOW_CONSUMER_PENDING });
      return;
    }
    await ensureStream(this.#client, stream);
    const jsm = await jetstreamManager(this.#client.nc);
    const { saddr } = this.#client.settings;
    const name = consumerName(saddr, subject);
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_NS,
      filter_subject: subject,
    };
    const found = await jsm.consumers.info(stream, name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
        return undefined;
      throw error;
    });
    if (found === undefined) {
      await jsm.consumers.add(stream, { ...config, deliver_policy: DeliverPolicy.All });
      return;
    }
    this.#startFloor = found.ack_floor.stream_seq;
    if (found.num_ack_pending === 0) return;
    // The last link pulled messages it never acked (it closed, or died): JetStream would send
    // them again only after ack_wait, behind newer ones. Started again just after its ack floor,
    // the consumer sends them first, in stream order; a journaled end drops what it journaled.
    const from = this.#startFloor + 1;
    this.#log(
      `${saddr}: ${found.num_ack_pending} message(s) the last link had not acked go first: its consumer starts again at sequence ${from}`,
    );
    await jsm.consumers.delete(stream, name);
    await jsm.consumers.add(stream, {
      ...config,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
    });
  }

  /** Messages still queued in the client for this route (not yet taken by the pump). */
  get pending(): number {
    return this.#sub?.getPending() ?? 0;
  }

  async *messages(): AsyncGenerator<Uint8Array | RxMessage> {
    if (this.#sub !== undefined) {
      for await (const m of this.#sub) {
        this.received++;
        yield m.data;
      }
      return;
    }
    const { stream, saddr, subject } = this.#client.settings;
    if (stream === undefined || this.#closed) return;
    const { journal, stateDir } = this.#context;
    const journaled =
      journal === undefined || stateDir === undefined
        ? undefined
        : new JournaledSource(journal, stateDir, this.#log);
    try {
      if (journaled !== undefined)
        for (const m of journaled.replay()) {
          this.received++;
          yield m;
        }
      const consumer = await jetstream(this.#client.nc).consumers.get(
        stream,
        consumerName(saddr, subject),
      );
      if (this.#closed) return;
      // What JetStream has seen acked was journaled: the end forgets those sequences. Nothing
      // was consumed since `prepare` read the floor, so it still holds.
      journaled?.ackFloor(this.#startFloor);
      const askFloor = journaled === undefined ? undefined : floorAsker(consumer, journaled);
      this.#consumed = await consumer.consume({ max_messages: PULL_BATCH });
      // Unjournaled: what JetStream sent again (its ack_wait passed while the pump was slow)
      // is dropped by sequence; across links, the one in flight may come twice.
      let lastSeq = 0;
      for await (const m of this.#consumed) {
        if (journaled === undefined) {
          if (m.seq <= lastSeq) {
            m.ack();
            continue;
          }
          lastSeq = m.seq;
          this.received++;
          yield m.data;
          // Acked once the pump asked for the next one: the lane took this one.
          m.ack();
          continue;
        }
        await journaled.room(() => this.#closed);
        if (this.#closed) return;
        const out = journaled.take(m.seq, m.data);
        // Journaled (and its sequence noted) first: a crash before this ack redelivers it, and
        // the record of its sequence drops the second copy; a sequence never journaled is taken
        // whenever it comes.
        m.ack();
        askFloor?.();
        if (out === undefined) continue;
        this.received++;
        yield out;
      }
    } finally {
      journaled?.close();
    }
  }

  close(): void {
    this.#closed = true;
    this.#sub?.unsubscribe();
    this.#consumed?.stop();
  }
}

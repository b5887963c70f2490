/**
 * Senders: one shape for the six contenders, each connected to the address its peer printed.
 */
import type { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { connect as natsConnect } from "@nats-io/transport-node";
import { connectWriter, type LaneWriter } from "@rtt/fabric";
import type { PeerAddress } from "./common.ts";

export interface Sender {
  /** Hands one message to the transport: undefined if more may follow now, else a promise to
   *  await first (backpressure). The message must not change until it has been delivered. */
  send(message: Uint8Array): Promise<void> | undefined;
  /** Ends the stream (EOS, FIN, or an empty message) once everything before it is sent. */
  end(): Promise<void>;
  destroy(): void;
}

export type Zmq = typeof import("zeromq");

/** Connects the sender that speaks to `address`; `zmq` is the loaded module, if it loaded. */
export async function connectSender(address: PeerAddress, zmq: Zmq | undefined): Promise<Sender> {
  if (address.kind === "lane") return await laneSender(address);
  if (address.kind === "node-uds") return await nodeUdsSender(address.path);
  if (address.kind === "nats") return await natsSender(address.url, address.subject);
  if (zmq !== undefined) return await zeromqSender(zmq, address.endpoint);
  throw new Error("zeromq is not loaded");
}

function once(emitter: EventEmitter, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      emitter.off("error", onError);
      emitter.off("close", onClose);
      resolve();
    };
    const onError = (error: Error) => {
      emitter.off(event, onEvent);
      emitter.off("close", onClose);
      reject(error);
    };
    const onClose = () => {
      emitter.off(event, onEvent);
      emitter.off("error", onError);
      reject(new Error(`closed while waiting for ${event}`));
    };
    emitter.once(event, onEvent);
    emitter.once("error", onError);
    emitter.once("close", onClose);
  });
}

async function laneSender(address: PeerAddress & { kind: "lane" }): Promise<Sender> {
  const writer: LaneWriter = await connectWriter(address.address);
  writer.on("error", () => {}); // surfaced through once() and the peer
  return {
    send: (message) => (writer.write(message) ? undefined : once(writer, "drain")),
    end: () => writer.end(),
    destroy: () => writer.destroy(),
  };
}

async function nodeUdsSender(path: string): Promise<Sender> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
  socket.on("error", () => {});
  return {
    send: (message) => (socket.write(message) ? undefined : once(socket, "drain")),
    end: () =>
      new Promise((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
      }),
    destroy: () => socket.destroy(),
  };
}

async function zeromqSender(zmq: Zmq, endpoint: string): Promise<Sender> {
  const push = new zmq.Push({ linger: 2000 });
  push.connect(endpoint);
  return {
    send: (message) => push.send(message),
    end: async () => {
      await push.send(new Uint8Array(0));
    },
    destroy: () => push.close(),
  };
}

/**
 * Core NATS publish (what the nats connector does at a route's target without a stream). NATS
 * has no per-message backpressure: a flush (a round trip to the server) every FLUSH_BYTES or
 * FLUSH_MESSAGES is, so the peer is not dropped as a slow consumer.
 */
const FLUSH_BYTES = 4 * 1024 * 1024;
const FLUSH_MESSAGES = 256;

async function natsSender(url: string, subject: string): Promise<Sender> {
  const nc = await natsConnect({ servers: url });
  let bytes = 0;
  let messages = 0;
  return {
    send: (message) => {
      nc.publish(subject, message);
      bytes += message.length;
      if (++messages < FLUSH_MESSAGES && bytes < FLUSH_BYTES) return undefined;
      bytes = messages = 0;
      return nc.flush();
    },
    end: async () => {
      nc.publish(subject, new Uint8Array(0));
      await nc.flush();
    },
    destroy: () => {
      void nc.close();
    },
  };
}

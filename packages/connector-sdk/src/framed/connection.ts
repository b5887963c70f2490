/**
 * One client's connection to a framed control channel server (docs/adr/0029-framed-control-channel.md):
 * its frames read, its calls started on the service's handlers (calls.ts dresses each as grpc-js
 * would) and answered as frames. The panel's server (panel/src/daemon/framed-server.ts) and a
 * driver's (driver/framed-service.ts) each accept connections and hand them here; what differs
 * between them is the policy: how many calls a connection may have, and what a stopping server
 * answers.
 *
 * A connection sends request and cancel frames; the server answers each call with a response
 * frame, or item frames and one end, or one error. A frame it cannot read ends the connection
 * (an error frame with call id 0 first), since nothing after it can be trusted.
 */
import type { Socket } from "node:net";
import { RttError } from "@rtt/core";
import { type CallSink, FramedCall, metadataOf } from "./calls.ts";
import { encodeFrame, type Frame, FrameDecoder, type FrameKind } from "./frame.ts";
import {
  decodeRequestBody,
  encodeErrorBody,
  type FramedMethod,
  type MethodTable,
} from "./messages.ts";

/** A service's handler as grpc-js calls it: a stream's with the call, a unary's with a callback too. */
export type FramedHandler = (call: FramedCall, callback?: FramedCall["callback"]) => void;

/** What differs between servers of the framed channel. */
export interface ConnectionPolicy {
  /**
   * A call's slot: a release to run when the call is over, nothing to release, or the refusal.
   * `inFlight` counts the connection's calls in flight.
   */
  slot(method: FramedMethod, peer: string, inFlight: number): (() => void) | undefined | RttError;
  /** The answer to a call that arrives while the server stops. */
  stopping(): RttError;
}

/** The handlers of `table`'s methods, by method id, from a service's handlers by name. */
export function handlersById(
  table: MethodTable,
  handlers: object,
): readonly (FramedHandler | undefined)[] {
  return table.byId.map((m) => (handlers as Record<string, FramedHandler | undefined>)[m.name]);
}

/** One client's connection: its calls in flight, by call id. */
export class FramedConnection {
  readonly #socket: Socket;
  readonly #table: MethodTable;
  readonly #handlers: readonly (FramedHandler | undefined)[];
  readonly #policy: ConnectionPolicy;
  readonly #calls = new Map<number, FramedCall>();
  readonly #decoder = new FrameDecoder();
  #closing = false;

  constructor(
    socket: Socket,
    table: MethodTable,
    handlers: readonly (FramedHandler | undefined)[],
    policy: ConnectionPolicy,
  ) {
    this.#socket = socket;
    this.#table = table;
    this.#handlers = handlers;
    this.#policy = policy;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("drain", () => {
      socket.resume();
      for (const call of this.#calls.values()) call.emit("drain");
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      for (const call of [...this.#calls.values()]) call.cancel();
    });
  }

  /** Takes no more calls; ends the connection once those in flight are answered. */
  close(graceMs: number): void {
    this.#closing = true;
    this.#endIfIdle();
    setTimeout(() => this.#socket.destroy(), graceMs).unref();
  }

  #endIfIdle(): void {
    if (this.#closing && this.#calls.size === 0) this.#socket.end();
  }

  #read(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#violated(error instanceof RttError ? error : corrupt(String(error)));
      return;
    }
    for (const frame of frames) if (!this.#socket.writableEnded) this.#frame(frame);
  }

  /**
   * The client broke the protocol: nothing it sends after can be trusted to mean what it says,
   * so it is told why (an error frame of call id 0) and the connection ends.
   */
  #violated(why: RttError): void {
    this.#send("error", 0, 0, () => encodeErrorBody(why));
    this.#socket.end();
  }

  #frame(frame: Frame): void {
    if (frame.kind === "cancel") {
      this.#calls.get(frame.callId)?.cancel();
      return;
    }
    if (frame.kind !== "request") {
      this.#violated(corrupt(`a client sends no ${frame.kind} frames`));
      return;
    }
    const method = this.#table.byId[frame.methodId];
    const handler = this.#handlers[frame.methodId];
    if (method === undefined || handler === undefined) {
      this.#fail(frame.callId, frame.methodId, invalid(`no method has id ${frame.methodId}`));
      return;
    }
    if (this.#closing) {
      this.#fail(frame.callId, frame.methodId, this.#policy.stopping());
      return;
    }
    if (this.#calls.has(frame.callId)) {
      this.#violated(corrupt(`call id ${frame.callId} is already in flight`));
      return;
    }
    this.#start(frame, method, handler);
  }

  #start(frame: Frame, method: FramedMethod, handler: FramedHandler): void {
    const { callId } = frame;
    let request: unknown;
    let metadata: Readonly<Record<string, string>>;
    try {
      const body = decodeRequestBody(frame.body);
      metadata = body.metadata;
      request = method.decodeRequest(body.message);
    } catch (error) {
      const why = error instanceof RttError ? error.message : String(error);
      this.#fail(callId, method.id, invalid(`${method.name}: the request is not one: ${why}`));
      return;
    }
    const peer = this.#socket.remoteAddress ?? "";
    const release = this.#policy.slot(method, peer, this.#calls.size);
    if (release instanceof RttError) {
      this.#fail(callId, method.id, release);
      return;
    }
    const settle = () => {
      release?.();
      this.#calls.delete(callId);
      this.#endIfIdle();
    };
    const call = new FramedCall(
      request,
      metadataOf(metadata),
      peer,
      this.#sink(callId, method, settle),
    );
    this.#calls.set(callId, call);
    if (method.responseStream) handler(call);
    else handler(call, call.callback);
  }

  #sink(callId: number, method: FramedMethod, done: () => void): CallSink {
    const id = method.id;
    const message = (value: unknown) => () => method.encodeResponse(value);
    return {
      item: (value) => this.#send("item", callId, id, message(value)),
      response: (value) => {
        this.#send("response", callId, id, message(value));
      },
      end: () => {
        this.#send("end", callId, id, () => new Uint8Array(0));
      },
      error: (error) => {
        this.#send("error", callId, id, () => encodeErrorBody(error));
      },
      done,
    };
  }

  #fail(callId: number, methodId: number, error: RttError): void {
    this.#send("error", callId, methodId, () => encodeErrorBody(error));
  }

  /**
   * Writes a frame of the body `encode` makes; false (and the socket paused) when the client is
   * not reading. A body that cannot be encoded (a handler's answer the proto does not fit, or
   * past the frame limit) is the call's error instead: a bug's detail goes to no client.
   */
  #send(kind: FrameKind, callId: number, methodId: number, encode: () => Uint8Array): boolean {
    if (this.#socket.destroyed || this.#socket.writableEnded) return false;
    let bytes: Buffer;
    try {
      bytes = encodeFrame({ kind, callId, methodId, body: encode() });
    } catch (error) {
      const e =
        error instanceof RttError
          ? error
          : new RttError("RTT_ERR_INTERNAL", "the panel could not encode its answer");
      bytes = encodeFrame({ kind: "error", callId, methodId, body: encodeErrorBody(e) });
    }
    if (this.#socket.write(bytes)) return true;
    // Reads wait while the client does not read what it asked for (bounded memory).
    this.#socket.pause();
    return false;
  }
}

function corrupt(message: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", `control channel: ${message}`, {
    hint: "the client breaks the framed control channel's protocol (docs/connectors.md §11)",
  });
}

function invalid(message: string): RttError {
  return new RttError("RTT_ERR_REQUEST_INVALID", message);
}

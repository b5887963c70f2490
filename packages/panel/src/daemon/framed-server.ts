/**
 * The panel's framed control channel (docs/adr/0029-framed-control-channel.md): the Panel
 * service, on a second Unix socket beside the gRPC one, as length-prefixed frames
 * (@rtt/connector-sdk framed/: the codec and the message table). The same handlers answer
 * (framed-calls.ts dresses each call as grpc-js would), the socket is made the same way
 * (private folder, 0600, SO_PEERCRED checked, each connection's caller recorded: ADR 0019,
 * ADR 0020), and the same stream caps apply (stream-gate.ts).
 *
 * A connection sends request and cancel frames; the panel answers each call with response
 * frames, or item frames and one end, or one error. A frame the panel cannot read ends the
 * connection (an error frame with call id 0 first), since nothing after it can be trusted.
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  type FrameKind,
} from "@rtt/connector-sdk/framed/frame.ts";
import {
  decodeRequestBody,
  encodeErrorBody,
  type FramedMethod,
  type MethodTable,
} from "@rtt/connector-sdk/framed/messages.ts";
import { panelMethodTable } from "@rtt/connector-sdk/framed/protobuf-methods.ts";
import type { PanelHandlers } from "@rtt/connector-sdk/wire.ts";
import { RttError } from "@rtt/core";
import { admitPeer, listenPrivate, removeOwnSocket, removeStaleSocket } from "@rtt/fabric";
import type { Callers } from "./callers.ts";
import { type CallSink, FramedCall, metadataOf } from "./framed-calls.ts";
import type { StreamGate } from "./stream-gate.ts";

/** Unary calls one connection may have in flight beside its streams (as gRPC's headroom). */
const UNARY_HEADROOM = 32;

export interface FramedServerOptions {
  readonly callers: Callers;
  readonly streams: StreamGate;
  readonly allowUids: readonly number[];
  readonly log: (line: string) => void;
}

type Handler = (call: FramedCall, callback?: FramedCall["callback"]) => void;

export class FramedServer {
  readonly #path: string;
  readonly #options: FramedServerOptions;
  #listener: Server | undefined;
  readonly #connections = new Set<FramedConnection>();

  constructor(path: string, options: FramedServerOptions) {
    this.#path = path;
    this.#options = options;
  }

  /** Serves `handlers`; rejects as listenPrivate does (the caller decides what that means). */
  async serve(handlers: PanelHandlers): Promise<void> {
    removeStaleSocket(this.#path);
    const table = panelMethodTable();
    const byId = table.byId.map((m) => (handlers as unknown as Record<string, Handler>)[m.name]);
    const listener = createServer((socket) => {
      const { allowUids, log, callers } = this.#options;
      if (!admitPeer(socket, { what: "panel control", allowUids, log })) return;
      callers.admit(socket);
      const connection = new FramedConnection(socket, table, byId, this.#options.streams);
      this.#connections.add(connection);
      socket.once("close", () => this.#connections.delete(connection));
    });
    this.#listener = listener;
    await listenPrivate(listener, this.#path);
  }

  /**
   * No new connections or calls; each open connection ends once its calls have (a stream ends
   * when the panel's closing signal fires, as on gRPC), or is cut after `graceMs`.
   */
  close(graceMs: number): void {
    this.#listener?.close();
    for (const c of this.#connections) c.close(graceMs);
  }

  removeSocket(): void {
    if (this.#listener !== undefined) removeOwnSocket(this.#path);
  }
}

/** One client's connection: its calls in flight, by call id. */
class FramedConnection {
  readonly #socket: Socket;
  readonly #table: MethodTable;
  readonly #handlers: readonly (Handler | undefined)[];
  readonly #streams: StreamGate;
  readonly #calls = new Map<number, FramedCall>();
  readonly #decoder = new FrameDecoder();
  #closing = false;

  constructor(
    socket: Socket,
    table: MethodTable,
    handlers: readonly (Handler | undefined)[],
    streams: StreamGate,
  ) {
    this.#socket = socket;
    this.#table = table;
    this.#handlers = handlers;
    this.#streams = streams;
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
      this.#fail(
        frame.callId,
        frame.methodId,
        new RttError("RTT_ERR_PANEL_UNREACHABLE", "the panel is stopping"),
      );
      return;
    }
    if (this.#calls.has(frame.callId)) {
      this.#violated(corrupt(`call id ${frame.callId} is already in flight`));
      return;
    }
    this.#start(frame, method, handler);
  }

  #start(frame: Frame, method: FramedMethod, handler: Handler): void {
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
    const release = this.#slot(method, peer);
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

  /**
   * A stream's slot (stream-gate.ts: the same caps as gRPC streams), nothing for a unary call
   * within the connection's headroom, or the refusal.
   */
  #slot(method: FramedMethod, peer: string): (() => void) | undefined | RttError {
    if (method.responseStream) return this.#streams.take(peer);
    if (this.#calls.size < this.#streams.caps.perConnection + UNARY_HEADROOM) return undefined;
    return new RttError("RTT_ERR_API_BUSY", "too many calls in flight on this connection", {
      hint: "wait for answers before sending more calls",
    });
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
    hint: "the client breaks the framed control channel's protocol (docs/connectors.md §7)",
  });
}

function invalid(message: string): RttError {
  return new RttError("RTT_ERR_REQUEST_INVALID", message);
}

/**
 * The panel's framed control channel (docs/adr/0029-framed-control-channel.md): the Panel
 * service, on a second Unix socket beside the gRPC one, as length-prefixed frames
 * (@rtt/connector-sdk framed/: the codec, the message table, and the connection, which
 * dresses each call as grpc-js would). The same handlers answer, the socket is made the same way
 * (private folder, 0600, SO_PEERCRED checked, each connection's caller recorded: ADR 0019,
 * ADR 0020), and the same stream caps apply (stream-gate.ts).
 *
 * A connection sends request and cancel frames; the panel answers each call with response
 * frames, or item frames and one end, or one error. A frame the panel cannot read ends the
 * connection (an error frame with call id 0 first), since nothing after it can be trusted.
 */
import { createServer, type Server } from "node:net";
import {
  type ConnectionPolicy,
  FramedConnection,
  handlersById,
} from "@rtt/connector-sdk/framed/connection.ts";
import { panelMethodTable } from "@rtt/connector-sdk/framed/protobuf-methods.ts";
import type { PanelHandlers } from "@rtt/connector-sdk/wire.ts";
import { RttError } from "@rtt/core";
import { admitPeer, listenPrivate, removeOwnSocket, removeStaleSocket } from "@rtt/fabric";
import type { Callers } from "./callers.ts";
import type { StreamGate } from "./stream-gate.ts";

/** Unary calls one connection may have in flight beside its streams (as gRPC's headroom). */
const UNARY_HEADROOM = 32;

export interface FramedServerOptions {
  readonly callers: Callers;
  readonly streams: StreamGate;
  readonly allowUids: readonly number[];
  readonly log: (line: string) => void;
}

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
    const byId = handlersById(table, handlers);
    const policy = panelPolicy(this.#options.streams);
    const listener = createServer((socket) => {
      const { allowUids, log, callers } = this.#options;
      if (!admitPeer(socket, { what: "panel control", allowUids, log })) return;
      callers.admit(socket);
      const connection = new FramedConnection(socket, table, byId, policy);
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

/**
 * A stream takes a slot of the stream gate (stream-gate.ts: the same caps as gRPC streams); a
 * unary call goes within the connection's headroom.
 */
function panelPolicy(streams: StreamGate): ConnectionPolicy {
  return {
    slot(method, peer, inFlight) {
      if (method.responseStream) return streams.take(peer);
      if (inFlight < streams.caps.perConnection + UNARY_HEADROOM) return undefined;
      return new RttError("RTT_ERR_API_BUSY", "too many calls in flight on this connection", {
        hint: "wait for answers before sending more calls",
      });
    },
    stopping: () => new RttError("RTT_ERR_PANEL_UNREACHABLE", "the panel is stopping"),
  };
}

/**
 * The Connector service on the framed control channel (docs/adr/0029-framed-control-channel.md,
 * docs/connectors.md §11): the driver's handlers, the very ones its gRPC server runs, on a
 * second Unix socket as length-prefixed protobuf frames. The panel calls a flip's Switch (and
 * Bind, Offer, Health) here when the handshake line advertises it: one round trip over a plain
 * socket instead of grpc-js's HTTP/2, which is most of a warm flip's time. The socket is made
 * and gated as the gRPC one is (private folder, 0600, peer uid checked: ADR 0020).
 */
import { createServer, type Socket } from "node:net";
import { RttError } from "@rtt/core";
import { admitPeer, listenPrivate, removeOwnSocket } from "@rtt/fabric";
import { type ConnectionPolicy, FramedConnection, handlersById } from "../framed/connection.ts";
import { connectorMethodTable } from "../framed/protobuf-methods.ts";
import type { ConnectorHandlers } from "../wire.ts";

/**
 * Calls one connection may have in flight: a host makes a handful (a flip's Switch, a Health
 * stream, the calls of a plan's batch); the bound keeps a runaway client's memory finite.
 */
const CALLS_PER_CONNECTION = 256;

const POLICY: ConnectionPolicy = {
  slot(_method, _peer, inFlight) {
    if (inFlight < CALLS_PER_CONNECTION) return undefined;
    return new RttError("RTT_ERR_API_BUSY", "too many calls in flight on this connection", {
      hint: "wait for answers before sending more calls",
    });
  },
  stopping: () => new RttError("RTT_ERR_DRIVER_EXITED", "the driver is stopping"),
};

export interface FramedConnectorServer {
  /** Stops serving at once, ends every connection and removes the socket file. */
  close(): void;
}

/** Serves `handlers` on the Unix socket `path`, taking only connections admitPeer allows. */
export async function startFramedConnectorServer(
  handlers: ConnectorHandlers,
  path: string,
  what: string,
): Promise<FramedConnectorServer> {
  const table = connectorMethodTable();
  const byId = handlersById(table, handlers);
  const sockets = new Set<Socket>();
  const listener = createServer((socket) => {
    if (!admitPeer(socket, { what: `${what} (framed)` })) return;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    new FramedConnection(socket, table, byId, POLICY);
  });
  await listenPrivate(listener, path);
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      listener.close();
      for (const s of sockets) s.destroy();
      removeOwnSocket(path);
    },
  };
}

/**
 * The panel's gRPC server (docs/design.md §Processes and sockets: the panel daemon):
 * rtt.panel.v1.Panel on the workspace's Unix socket, and beside it on the same socket the
 * standard services — gRPC health checking (grpc.health.v1) and server reflection (v1 and
 * v1alpha) — so grpcurl or a client in any language can find and call the panel without RTT's
 * .proto files at hand.
 *
 * The panel accepts the socket's connections itself (a net.Server) and hands each to gRPC
 * through a connection injector, after reading who connected (`callers.ts`): the audit records
 * the connecting process, not the client's word (docs/adr/0019-audit-identity.md), and a peer
 * whose uid is neither the panel's nor in `security.allow_uids` is cut off before gRPC sees a
 * byte (docs/adr/0020-local-sockets.md). The same handlers are served a second time, as
 * length-prefixed frames on a socket beside this one (framed-server.ts, docs/adr/0029).
 */
import { createServer, type Server } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import {
  LOCAL_SERVER_OPTIONS,
  loadProtoDefinition,
  type PanelHandlers,
  panelPackage,
  panelPackageDefinition,
} from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { admitPeer, listenPrivate, removeOwnSocket, removeStaleSocket } from "@rtt/fabric";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { whoOf } from "../audit/identity.ts";
import { Callers } from "./callers.ts";
import { FramedServer } from "./framed-server.ts";
import { withProtocMapEntries } from "./protoc-map-entries.ts";
import { framedSocketPathOf, socketPathOf } from "./socket-path.ts";
import { type StreamCaps, StreamGate } from "./stream-gate.ts";

// Kept importable from here; a client takes it from socket-path.ts without the server.
export { socketPathOf };

/** The fully qualified name health checks and reflection know the panel's service by. */
const PANEL_SERVICE = "rtt.panel.v1.Panel";

/** How long a stop lets open streams (a health Watch) finish before it cuts them. */
const FORCE_SHUTDOWN_MS = 2000;
/**
 * The largest request the panel reads (gRPC's own default, said out loud): a plan of thousands of
 * routes fits; past it gRPC refuses the message (RESOURCE_EXHAUSTED) before it is decoded.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/**
 * HTTP/2 streams one connection may have open beyond its cap of gRPC streams: the unary calls
 * (a Status) a client makes beside its streams. Past the sum the client's HTTP/2 layer queues.
 */
const UNARY_HEADROOM = 32;

/** The gRPC server options of the panel (docs/adr/0012 §API limits). */
function serverOptions(gate: StreamGate): grpc.ServerOptions {
  return {
    ...LOCAL_SERVER_OPTIONS,
    "grpc.max_receive_message_length": MAX_REQUEST_BYTES,
    "grpc.max_concurrent_streams": gate.caps.perConnection + UNARY_HEADROOM,
    interceptors: [gate.interceptor],
  };
}

/**
 * Adds grpc.health.v1.Health (SERVING for "" and the panel's service) and server reflection
 * (v1 and v1alpha, describing panel.proto and the health service) to `server`.
 */
function addStandardServices(server: grpc.Server): HealthImplementation {
  const health = new HealthImplementation({ "": "SERVING", [PANEL_SERVICE]: "SERVING" });
  health.addToServer(server);
  const described = { ...panelPackageDefinition(), ...loadProtoDefinition(healthProtoPath) };
  new ReflectionService(withProtocMapEntries(described)).addToServer(server);
  return health;
}

export class PanelServer {
  /** The `api.listen` value served. */
  readonly listen: string;
  readonly #socket: string;
  /** Counts the open streams and refuses those past panel.yaml's caps. */
  readonly streams: StreamGate;
  readonly #server: grpc.Server;
  /** Who made each call: filled as connections are accepted. */
  readonly callers = new Callers();
  /** The listener on the Unix socket, once serving. */
  #listener: Server | undefined;
  /** The same service on the framed control channel's socket (framed-server.ts). */
  readonly #framed: FramedServer;
  /** The health service's state, once serving: flipped when the panel stops. */
  #health: HealthImplementation | undefined;

  /** Uids besides ours that may connect (panel.yaml's `security.allow_uids`). */
  readonly #allowUids: readonly number[];
  /** Where refused connections and streams are reported (a client causes them at will). */
  readonly #log: (line: string) => void;

  /**
   * RTT_ERR_DOC_SCHEMA when `listen` is not `unix://PATH`. `log`: give it a limited one, as a
   * client can make it write at will.
   */
  constructor(
    listen: string,
    options: {
      readonly caps: StreamCaps;
      readonly allowUids?: readonly number[];
      readonly log?: (line: string) => void;
    },
  ) {
    this.listen = listen;
    this.#socket = socketPathOf(listen);
    this.#allowUids = options.allowUids ?? [];
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    this.#log = log;
    this.streams = new StreamGate(options.caps, {
      onRefused: (peer, why) =>
        log(
          `refused a stream from ${whoOf(this.callers.of({ getPeer: () => peer }))}: ${why.message}`,
        ),
    });
    this.#server = new grpc.Server(serverOptions(this.streams));
    this.#framed = new FramedServer(framedSocketPathOf(listen), {
      callers: this.callers,
      streams: this.streams,
      allowUids: this.#allowUids,
      log,
    });
  }

  /**
   * Serves `panel` and the standard services; RTT_ERR_SOCKET_UNSAFE when something other than
   * a stale socket of ours is at the path (left untouched), RTT_ERR_LANE_ADDRESS when it cannot
   * listen.
   */
  async serve(panel: PanelHandlers): Promise<void> {
    // The caller holds the WAL lock, so a socket of ours here is a dead panel's.
    removeStaleSocket(this.#socket);
    this.#server.addService(panelPackage().Panel.service, panel);
    this.#health = addStandardServices(this.#server);
    const injector = this.#server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const listener = createServer((socket) => {
      if (!admitPeer(socket, { what: "panel API", allowUids: this.#allowUids, log: this.#log }))
        return;
      this.callers.admit(socket);
      injector.injectConnection(socket);
    });
    this.#listener = listener;
    try {
      await listenPrivate(listener, this.#socket);
    } catch (e) {
      if (e instanceof RttError) throw e;
      throw new RttError(
        "RTT_ERR_LANE_ADDRESS",
        `cannot listen on ${this.listen}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    await this.#serveFramed(panel);
  }

  /**
   * The framed control channel beside gRPC. A panel that cannot serve it still serves gRPC:
   * clients fall back to it when the framed socket is absent (docs/adr/0029).
   */
  async #serveFramed(panel: PanelHandlers): Promise<void> {
    try {
      await this.#framed.serve(panel);
    } catch (e) {
      this.#log(`the framed control channel is off (clients use gRPC): ${(e as Error).message}`);
    }
  }

  /** Health checks answer NOT_SERVING from now on: the panel is stopping. */
  notServing(): void {
    this.#health?.setStatus("", "NOT_SERVING");
  }

  /** Takes no more calls; resolves once the calls under way ended. */
  shutdown(): Promise<void> {
    // No new connections; gRPC closes the sessions of those it has.
    this.#listener?.close();
    this.#framed.close(FORCE_SHUTDOWN_MS);
    return new Promise<void>((resolve) => {
      // A stream still open (a health Watch) must not keep the panel up.
      const force = setTimeout(() => this.#server.forceShutdown(), FORCE_SHUTDOWN_MS);
      this.#server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  removeSocket(): void {
    removeOwnSocket(this.#socket);
    this.#framed.removeSocket();
  }
}

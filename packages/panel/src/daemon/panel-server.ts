/**
 * The panel's gRPC server (docs/design.md §Processes and sockets: the panel daemon):
 * rtt.panel.v1.Panel on the workspace's Unix socket, and beside it on the same socket the
 * standard services — gRPC health checking (grpc.health.v1) and server reflection (v1 and
 * v1alpha) — so grpcurl or a client in any language can find and call the panel without RTT's
 * .proto files at hand.
 *
 * The panel accepts the socket's connections itself (a net.Server) and hands each to gRPC
 * through a connection injector, after reading who connected (`callers.ts`): the audit records
 * the connecting process, not the client's word (docs/adr/0019-audit-identity.md).
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname } from "node:path";
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
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { whoOf } from "../audit/identity.ts";
import { Callers } from "./callers.ts";
import { withProtocMapEntries } from "./protoc-map-entries.ts";
import { type StreamCaps, StreamGate } from "./stream-gate.ts";

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
 * The Unix socket path of an `api.listen` value (only `unix://` is served:
 * docs/design.md §Processes and sockets: the panel daemon).
 */
export function socketPathOf(listen: string): string {
  if (!listen.startsWith("unix://") || listen.length <= "unix://".length)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `api.listen ${JSON.stringify(listen)} is not unix://PATH`,
      {
        hint: "the panel listens on a Unix socket only, e.g. unix:///tmp/rtt-panel.sock",
      },
    );
  return listen.slice("unix://".length);
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
  /** The health service's state, once serving: flipped when the panel stops. */
  #health: HealthImplementation | undefined;

  /**
   * RTT_ERR_DOC_SCHEMA when `listen` is not `unix://PATH`. `log` is told of refused streams (a
   * client can cause them at will: give it a limited log).
   */
  constructor(listen: string, caps: StreamCaps, log?: (line: string) => void) {
    this.listen = listen;
    this.#socket = socketPathOf(listen);
    this.streams = new StreamGate(caps, {
      onRefused: (peer, why) =>
        log?.(
          `refused a stream from ${whoOf(this.callers.of({ getPeer: () => peer }))}: ${why.message}`,
        ),
    });
    this.#server = new grpc.Server(serverOptions(this.streams));
  }

  /** Serves `panel` and the standard services; RTT_ERR_LANE_ADDRESS when it cannot listen. */
  async serve(panel: PanelHandlers): Promise<void> {
    // The caller holds the WAL lock, so a socket file here is a dead panel's.
    if (existsSync(this.#socket)) rmSync(this.#socket, { force: true });
    mkdirSync(dirname(this.#socket), { recursive: true, mode: 0o700 });
    this.#server.addService(panelPackage().Panel.service, panel);
    this.#health = addStandardServices(this.#server);
    const injector = this.#server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const listener = createServer((socket) => {
      this.callers.admit(socket);
      injector.injectConnection(socket);
    });
    this.#listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once("error", (e) =>
        reject(
          new RttError("RTT_ERR_LANE_ADDRESS", `cannot listen on ${this.listen}: ${e.message}`, {
            cause: e,
          }),
        ),
      );
      listener.listen(this.#socket, () => resolve());
    });
  }

  /** Health checks answer NOT_SERVING from now on: the panel is stopping. */
  notServing(): void {
    this.#health?.setStatus("", "NOT_SERVING");
  }

  /** Takes no more calls; resolves once the calls under way ended. */
  shutdown(): Promise<void> {
    // No new connections; gRPC closes the sessions of those it has.
    this.#listener?.close();
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
    rmSync(this.#socket, { force: true });
  }
}

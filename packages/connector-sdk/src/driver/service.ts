/**
 * The rtt.connector.v1.Connector service in front of a DriverRuntime, and the gRPC server
 * that serves it on a Unix socket (mode 0600, in a private folder). The driver accepts the
 * socket's connections itself and hands gRPC only those whose peer uid is allowed
 * (docs/adr/0020-local-sockets.md). Errors leave as the catalog's gRPC status with the RTT code
 * in a trailer (wire.ts), so the host rethrows the very same RttError.
 */
import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { errorMessage, isLaneKind, type LaneKind, publicKeyFromRaw, RttError } from "@rtt/core";
import { admitPeer, listenPrivate, removeOwnSocket } from "@rtt/fabric";
import type { DriverInfo } from "../generated/rtt/connector/v1/DriverInfo.ts";
import type { HandshakeRequest__Output } from "../generated/rtt/connector/v1/HandshakeRequest.ts";
import type { HandshakeResponse } from "../generated/rtt/connector/v1/HandshakeResponse.ts";
import type { LaneSide__Output } from "../generated/rtt/connector/v1/LaneSide.ts";
import type { OfferRequest__Output } from "../generated/rtt/connector/v1/OfferRequest.ts";
import type { OfferResponse } from "../generated/rtt/connector/v1/OfferResponse.ts";
import { unaryHandler } from "../unary.ts";
import {
  type ConnectorHandlers,
  connectorPackage,
  LOCAL_SERVER_OPTIONS,
  laneFromWire,
  laneToWire,
} from "../wire.ts";
import { startFramedConnectorServer } from "./framed-service.ts";
import { serveHealth } from "./health-stream.ts";
import type { LaneSide } from "./lane-slots.ts";
import type { RouteGrant } from "./route-admission.ts";
import type { HandshakeAsk } from "./route-handshake.ts";
import type { DriverRuntime } from "./runtime.ts";
import { serveRx } from "./rx-stream.ts";

export interface ServiceHooks {
  /** The DriverInfo to answer GetInfo with (pid, nonce, ... are the process's business). */
  info(): DriverInfo;
  /** Any call arrived: someone is using the driver. */
  onActivity?(): void;
  /** A Health stream opened / closed: an attached host holds one as its liveness watch. */
  onWatch?(delta: 1 | -1): void;
  /** Shutdown was answered; the process should exit now. */
  onShutdown?(reason: string): void;
}

/** A unary handler that first tells the hooks someone is using the driver. */
function unary<Req, Res>(
  hooks: ServiceHooks,
  run: (request: Req) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  const handle = unaryHandler(run);
  return (call, callback) => {
    hooks.onActivity?.();
    handle(call, callback);
  };
}

/** The Connector service over `runtime`; every call tells the hooks someone is using the driver. */
export function connectorHandlers<L>(
  runtime: DriverRuntime<L>,
  hooks: ServiceHooks,
): ConnectorHandlers {
  return {
    GetInfo: unary(hooks, () => hooks.info()),

    Probe: unary(hooks, async (req) => ({ symbols: await runtime.probe(req.root) })),

    Open: unary(hooks, async (req) => ({
      link_id: await runtime.open(req.saddr, req.contract_json, req.params),
    })),

    Bind: unary(hooks, (req) =>
      runtime.bind(req.link_id, laneFromWire(req.inbound), laneFromWire(req.outbound)),
    ),

    Offer: unary(hooks, (req) => offer(runtime, req)),

    Handshake: unary(hooks, (req) => handshake(runtime, req)),

    // No outbound lane parks the link's outbound (a held route).
    Switch: unary(hooks, (req) => runtime.switchOutbound(req.link_id, laneFromWire(req.outbound))),

    Throttle: unary(hooks, (req) => {
      runtime.throttle(req.link_id, req.per_window, req.window_ms);
      return {};
    }),

    Close: unary(hooks, async (req) => {
      const { closed, report } = await runtime.closeLink(req.link_id, req.detach === true);
      if (report === undefined) return { closed };
      const { ended, code, signal, frames, unaccounted, drainMs } = report;
      const drain = { ended, code: code ?? -1, signal: signal ?? "", frames, unaccounted };
      return { closed, drain: { ...drain, drain_ms: drainMs } };
    }),

    ListLinks: unary(hooks, () => ({
      links: runtime.listLinks().map(({ outbound, inbound, ...link }) => ({
        ...link,
        ...(outbound === undefined ? {} : { outbound: laneToWire(outbound) }),
        ...(inbound === undefined ? {} : { inbound: laneToWire(inbound) }),
      })),
    })),

    Tx: unary(hooks, async (req) => {
      await runtime.tx(req.link_id, req.bytes, req.correlation);
      return {};
    }),

    Shutdown: unary(hooks, async (req) => {
      const closed = await runtime.dispose();
      // Let the answer reach the host before the process goes.
      setTimeout(() => hooks.onShutdown?.(req.reason), 20);
      return { closed_links: closed };
    }),

    Health: (call) => {
      hooks.onActivity?.();
      serveHealth(runtime, call, (delta) => hooks.onWatch?.(delta));
    },

    Rx: (call) => {
      hooks.onActivity?.();
      serveRx(runtime, call);
    },
  };
}

/**
 * Listens for one side of a link; with `handshake`, the inbound side together with the
 * control lanes its route's handshake is answered on.
 */
async function offer<L>(
  runtime: DriverRuntime<L>,
  req: OfferRequest__Output,
): Promise<OfferResponse> {
  const side = offeredSide(req.side);
  const kind = offeredKind(req.kind);
  const capacity = req.capacity === 0 ? undefined : req.capacity;
  if (!req.handshake) {
    const address = await runtime.offer(req.link_id, side, kind, capacity);
    return { address: laneToWire(address) };
  }
  if (side !== "inbound")
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      "Offer with handshake is for the INBOUND side: the target end of a route answers it",
    );
  const offered = await runtime.offerWithHandshake(req.link_id, kind, capacity, routeGrant(req));
  return {
    address: laneToWire(offered.address),
    control: {
      requests: laneToWire(offered.control.requests),
      answers: laneToWire(offered.control.answers),
    },
  };
}

/** The route and panel key an Offer names (both or neither), for a route token check. */
function routeGrant(req: OfferRequest__Output): RouteGrant | undefined {
  const hasKey = req.panel_key.length > 0;
  if (req.route_id === "" && !hasKey) return undefined;
  if (req.route_id === "" || !hasKey)
    throw new RttError("RTT_ERR_TOKEN", "Offer: route_id and panel_key go together", {
      hint: "name the route and the panel's raw 32-byte Ed25519 public key, or neither",
    });
  return { routeId: req.route_id, panelKey: publicKeyFromRaw(req.panel_key) };
}

function offeredSide(side: LaneSide__Output): LaneSide {
  if (side === "INBOUND") return "inbound";
  if (side === "OUTBOUND") return "outbound";
  throw new RttError("RTT_ERR_LANE_ADDRESS", "Offer needs a side: INBOUND or OUTBOUND");
}

function offeredKind(kind: string): LaneKind {
  if (!isLaneKind(kind))
    throw new RttError("RTT_ERR_LANE_ADDRESS", `Offer: unknown lane kind ${JSON.stringify(kind)}`, {
      hint: "use shm, uds or tcp",
    });
  return kind;
}

/** Runs the route's handshake as its initiator, against the lanes the target's Offer returned. */
async function handshake<L>(
  runtime: DriverRuntime<L>,
  req: HandshakeRequest__Output,
): Promise<HandshakeResponse> {
  const agreed = await runtime.handshake(req.link_id, handshakeAsk(req));
  return {
    nonce: agreed.nonce,
    caps: [...agreed.caps],
    lane: agreed.lane,
    capacity: agreed.capacity,
    max_frame: agreed.maxFrame,
    heartbeat_ms: agreed.heartbeatMs,
  };
}

/** The initiator's ask; the target's two control lanes and its data lane are required. */
function handshakeAsk(req: HandshakeRequest__Output): HandshakeAsk {
  const requests = laneFromWire(req.control?.requests);
  const answers = laneFromWire(req.control?.answers);
  const data = laneFromWire(req.data);
  if (requests === undefined || answers === undefined || data === undefined)
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      "Handshake needs the target's control lanes (requests, answers) and its data lane",
      { hint: "pass what the target's Offer with handshake returned" },
    );
  return {
    control: { requests, answers },
    data,
    expectSaddr: req.expect_saddr,
    expectContractHash: req.expect_contract_hash,
    caps: req.caps,
    require: req.require,
    nonce: req.nonce,
    timeoutMs: req.timeout_ms,
    ...(req.route_token === "" ? {} : { token: req.route_token }),
  };
}

export interface ConnectorServer {
  /** The socket path. */
  readonly path: string;
  /** The framed control channel's socket path, when one is served. */
  readonly framedPath?: string;
  /** Stops serving at once and removes the socket file. */
  close(): void;
}

/**
 * Serves the Connector service of `runtime` on the Unix socket `path` (newSocketPath), taking
 * only connections from this uid or RTT_ALLOW_UIDS; `what` names it in a refusal's log line.
 * With `framed`, the same handlers also answer on the framed control channel at its path
 * (framed-service.ts); a driver that cannot listen there says so in `framed.log` and serves
 * gRPC alone (the result has no `framedPath`, so the handshake names none).
 */
export async function startConnectorServer<L>(
  runtime: DriverRuntime<L>,
  hooks: ServiceHooks,
  path: string,
  what = "driver",
  framed?: { readonly path: string; readonly log: (line: string) => void },
): Promise<ConnectorServer> {
  const handlers = connectorHandlers(runtime, hooks);
  const server = new grpc.Server(LOCAL_SERVER_OPTIONS);
  server.addService(connectorPackage().Connector.service, handlers);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = createServer((socket) => {
    if (admitPeer(socket, { what })) injector.injectConnection(socket);
  });
  await listenPrivate(listener, path);
  let framedServer: { close(): void } | undefined;
  if (framed !== undefined) {
    try {
      framedServer = await startFramedConnectorServer(handlers, framed.path, what);
    } catch (error) {
      framed.log(`no framed control channel (${errorMessage(error)}); serving gRPC alone`);
    }
  }
  let closed = false;
  return {
    path,
    ...(framedServer === undefined || framed === undefined ? {} : { framedPath: framed.path }),
    close() {
      if (closed) return;
      closed = true;
      listener.close();
      server.forceShutdown();
      removeOwnSocket(path);
      framedServer?.close();
    },
  };
}

/**
 * The rtt.connector.v1.Connector service in front of a DriverRuntime, and the gRPC server
 * that serves it on a Unix socket (mode 0600). Errors leave as the catalog's gRPC status with
 * the RTT code in a trailer (wire.ts), so the host rethrows the very same RttError.
 */
import { chmodSync, rmSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { isLaneKind, RttError } from "@rtt/core";
import type { DriverInfo } from "../generated/rtt/connector/v1/DriverInfo.ts";
import { unaryHandler } from "../unary.ts";
import {
  type ConnectorHandlers,
  connectorPackage,
  LOCAL_SERVER_OPTIONS,
  laneFromWire,
  laneToWire,
  toServiceError,
} from "../wire.ts";
import type { RxTap } from "./outbound-pump.ts";
import type { DriverRuntime } from "./runtime.ts";

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

    Offer: unary(hooks, async (req) => {
      const side =
        req.side === "INBOUND" ? "inbound" : req.side === "OUTBOUND" ? "outbound" : undefined;
      if (side === undefined)
        throw new RttError("RTT_ERR_LANE_ADDRESS", "Offer needs a side: INBOUND or OUTBOUND");
      const kind = req.kind;
      if (!isLaneKind(kind))
        throw new RttError(
          "RTT_ERR_LANE_ADDRESS",
          `Offer: unknown lane kind ${JSON.stringify(kind)}`,
          { hint: "use shm, uds or tcp" },
        );
      const capacity = req.capacity === 0 ? undefined : req.capacity;
      if (req.handshake) {
        if (side !== "inbound")
          throw new RttError(
            "RTT_ERR_LANE_ADDRESS",
            "Offer with handshake is for the INBOUND side: the target end of a route answers it",
          );
        const offered = await runtime.offerWithHandshake(req.link_id, kind, capacity);
        return {
          address: laneToWire(offered.address),
          control: {
            requests: laneToWire(offered.control.requests),
            answers: laneToWire(offered.control.answers),
          },
        };
      }
      const address = await runtime.offer(req.link_id, side, kind, capacity);
      return { address: laneToWire(address) };
    }),

    Handshake: unary(hooks, async (req) => {
      const requests = laneFromWire(req.control?.requests);
      const answers = laneFromWire(req.control?.answers);
      const data = laneFromWire(req.data);
      if (requests === undefined || answers === undefined || data === undefined)
        throw new RttError(
          "RTT_ERR_LANE_ADDRESS",
          "Handshake needs the target's control lanes (requests, answers) and its data lane",
          { hint: "pass what the target's Offer with handshake returned" },
        );
      const agreed = await runtime.handshake(req.link_id, {
        control: { requests, answers },
        data,
        expectSaddr: req.expect_saddr,
        expectContractHash: req.expect_contract_hash,
        caps: req.caps,
        require: req.require,
        nonce: req.nonce,
        timeoutMs: req.timeout_ms,
      });
      return {
        nonce: agreed.nonce,
        caps: [...agreed.caps],
        lane: agreed.lane,
        capacity: agreed.capacity,
        max_frame: agreed.maxFrame,
        heartbeat_ms: agreed.heartbeatMs,
      };
    }),

    // No outbound lane parks the link's outbound (a held route).
    Switch: unary(hooks, (req) => runtime.switchOutbound(req.link_id, laneFromWire(req.outbound))),

    Throttle: unary(hooks, (req) => {
      runtime.throttle(req.link_id, req.per_window, req.window_ms);
      return {};
    }),

    Close: unary(hooks, async (req) => ({
      closed: await runtime.close(req.link_id, req.detach === true),
    })),

    ListLinks: unary(hooks, () => ({ links: runtime.listLinks() })),

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
      const { link_id: linkId, interval_ms } = call.request;
      if (linkId !== "" && !runtime.hasLink(linkId)) {
        call.emit(
          "error",
          toServiceError(
            new RttError("RTT_ERR_DRIVER_LINK", `no open link ${JSON.stringify(linkId)}`),
          ),
        );
        return;
      }
      hooks.onWatch?.(1);
      let stopped = false;
      let busy = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        hooks.onWatch?.(-1);
      };
      const send = () => {
        if (stopped || busy) return;
        busy = true;
        runtime.samples(linkId, linkId === "").then(
          (samples) => {
            busy = false;
            if (stopped) return;
            for (const s of samples) call.write(s);
          },
          () => {
            // The one link watched was closed: the stream is over.
            busy = false;
            stop();
            call.end();
          },
        );
      };
      const timer = setInterval(send, interval_ms > 0 ? interval_ms : runtime.heartbeatMs);
      call.on("cancelled", stop);
      call.on("close", stop);
      send();
    },

    Rx: (call) => {
      hooks.onActivity?.();
      const { link_id: linkId, max } = call.request;
      let last = 0;
      let sent = 0;
      let full = false;
      let ended = false;
      const waiters: (() => void)[] = [];
      const wake = () => {
        full = false;
        for (const w of waiters.splice(0)) w();
      };
      call.on("drain", wake);
      let detach = () => {};
      const finish = (endCall: boolean) => {
        if (ended) return;
        ended = true;
        detach();
        wake();
        if (endCall) call.end();
      };
      const tap: RxTap = {
        get last() {
          return last;
        },
        push(chunk, index, correlation) {
          if (ended) return true;
          last = index;
          sent++;
          const room = call.write({
            bytes: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
            index,
            correlation,
          });
          if (!room) full = true;
          if (max > 0 && sent >= max) finish(true);
          return room;
        },
        drained() {
          if (ended || !full) return Promise.resolve();
          return new Promise((resolve) => waiters.push(resolve));
        },
        end: () => finish(true),
      };
      call.on("cancelled", () => finish(false));
      try {
        detach = runtime.tap(linkId, tap);
      } catch (error) {
        ended = true;
        call.emit("error", toServiceError(error));
      }
    },
  };
}

export interface ConnectorServer {
  /** The socket path, "\0name" for an abstract socket. */
  readonly path: string;
  /** Stops serving at once and removes the socket file. */
  close(): void;
}

/** Serves the Connector service of `runtime` on a Unix socket that only this user can reach. */
export async function startConnectorServer<L>(
  runtime: DriverRuntime<L>,
  hooks: ServiceHooks,
  socket: { readonly path: string; readonly abstract: boolean },
): Promise<ConnectorServer> {
  const server = new grpc.Server(LOCAL_SERVER_OPTIONS);
  server.addService(connectorPackage().Connector.service, connectorHandlers(runtime, hooks));
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix:${socket.path}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error === null ? resolve() : reject(error),
    );
  });
  // The folder is the user's own (0700); 0600 on the socket too, for folders that are not.
  if (!socket.abstract) chmodSync(socket.path, 0o600);
  let closed = false;
  return {
    path: socket.path,
    close() {
      if (closed) return;
      closed = true;
      server.forceShutdown();
      if (!socket.abstract) rmSync(socket.path, { force: true });
    },
  };
}

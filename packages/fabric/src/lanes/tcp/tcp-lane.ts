/**
 * The loopback TCP lane, for legacy peers and those of a uid in `security.allow_uids`
 * (docs/design.md §Data plane: lanes).
 * Loopback only: RTT is offline and single-host, so any other address is refused before a socket is
 * opened. On Linux each accepted peer must be our uid or an allowed one, read from /proc/net/tcp
 * (docs/adr/0020-local-sockets.md).
 */
import { connect, createServer, isIPv4, isIPv6, type Socket } from "node:net";
import { RttError } from "@rtt/core";
import type { LaneAddress, LaneListener, LaneReader, LaneWriter } from "../../lane.ts";
import { admitTcpPeer } from "../../local-socket/peer-gate.ts";
import { StreamLaneReader, StreamLaneWriter } from "../stream/stream-lane.ts";

/** 127.0.0.0/8, ::1 (also written out in full) and "localhost". */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (isIPv6(host))
    return /^(0{0,4}:){2,7}0{0,3}1$|^::1$/i.test(host) || host === "::ffff:127.0.0.1";
  return false;
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) {
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `tcp lane refused ${JSON.stringify(host)}: only loopback addresses are allowed`,
      {
        hint: "use 127.0.0.1, ::1 or localhost; RTT never carries data off this host",
      },
    );
  }
}

type TcpAddress = Extract<LaneAddress, { kind: "tcp" }>;

async function listenOnce(
  host: string,
): Promise<{ address: TcpAddress; socket: Promise<Socket>; close(): void }> {
  assertLoopback(host);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === "string")
    throw new RttError("RTT_ERR_LANE_ADDRESS", "tcp lane did not bind");
  // What the kernel bound, not only what was asked ("localhost" resolves at bind time).
  if (!isLoopback(bound.address)) {
    server.close();
    assertLoopback(bound.address);
  }
  // Like the uds lane: a peer of another uid (admitTcpPeer) is cut off and the lane keeps waiting
  // for the right one. A peer admitted after a retry may find the lane already taken.
  const socket = new Promise<Socket>((resolve, reject) => {
    server.on("connection", (s: Socket) => {
      admitTcpPeer(s, { what: "tcp lane" }, () => {
        if (!server.listening) {
          s.destroy();
          return;
        }
        server.close();
        resolve(s);
      });
    });
    server.once("close", () =>
      reject(new RttError("RTT_ERR_LANE_CLOSED", "lane listener closed before a peer connected")),
    );
  });
  socket.catch(() => {});
  return { address: { kind: "tcp", host, port: bound.port }, socket, close: () => server.close() };
}

function connectTcp(address: TcpAddress): Promise<Socket> {
  assertLoopback(address.host);
  return new Promise((resolve, reject) => {
    const s = connect({ host: address.host, port: address.port });
    s.once("connect", () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new RttError(
          "RTT_ERR_LANE_PEER_GONE",
          `cannot connect to tcp lane ${address.host}:${address.port}: ${error.code ?? error.message}`,
        ),
      ),
    );
  });
}

export async function listenTcpWriter(host = "127.0.0.1"): Promise<LaneListener<LaneWriter>> {
  const l = await listenOnce(host);
  return {
    address: l.address,
    accepted: l.socket.then((s) => new StreamLaneWriter("tcp", s)),
    close: l.close,
  };
}

export async function listenTcpReader(
  host = "127.0.0.1",
  maxPayload?: number,
): Promise<LaneListener<LaneReader>> {
  const l = await listenOnce(host);
  return {
    address: l.address,
    accepted: l.socket.then((s) => new StreamLaneReader("tcp", s, maxPayload)),
    close: l.close,
  };
}

export async function connectTcpWriter(address: TcpAddress): Promise<LaneWriter> {
  return new StreamLaneWriter("tcp", await connectTcp(address));
}

export async function connectTcpReader(
  address: TcpAddress,
  maxPayload?: number,
): Promise<LaneReader> {
  return new StreamLaneReader("tcp", await connectTcp(address), maxPayload);
}

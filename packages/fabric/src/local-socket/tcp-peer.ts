/**
 * Who owns the other end of an accepted loopback TCP connection, on Linux. TCP has no
 * SO_PEERCRED; but on loopback the peer's socket is in this host's `/proc/net/tcp` (or `tcp6`)
 * with its local address:port equal to our remote one and its remote address:port equal to our
 * local one, and the table names its uid (docs/adr/0020-local-sockets.md).
 */
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { normalizeIp, parseProcNetTcp, type TcpTableEntry } from "./proc-net-tcp.ts";

const TABLES = ["/proc/net/tcp", "/proc/net/tcp6"];

function readTable(path: string): TcpTableEntry[] {
  try {
    return parseProcNetTcp(readFileSync(path, "utf8"));
  } catch {
    return []; // no IPv6 on this kernel, or no /proc: the entry is simply not found
  }
}

/**
 * The uid of the process that opened the peer end of `socket`, or undefined when the kernel's
 * table does not show it. Synchronous, so a listener can take the peer in the very callback that
 * accepted it (test/accept-order.test.ts): the tables are small on a single-user host.
 */
export function tcpPeerUid(socket: Socket): number | undefined {
  const peer = normalizeIp(socket.remoteAddress ?? "");
  const ours = normalizeIp(socket.localAddress ?? "");
  if (peer === undefined || ours === undefined) return undefined;
  for (const path of TABLES) {
    const hit = readTable(path).find(
      (e) =>
        e.localAddress === peer &&
        e.localPort === socket.remotePort &&
        e.remoteAddress === ours &&
        e.remotePort === socket.localPort,
    );
    if (hit !== undefined) return hit.uid;
  }
  return undefined;
}

/** The kernel's TCP state number of a listening socket. */
const TCP_LISTEN = 10;

/**
 * The listening sockets on `port` (any address, IPv4 and IPv6), as the kernel's tables show
 * them: where a program listens, whatever it was told. Empty off Linux.
 */
export function tcpListeners(port: number): TcpTableEntry[] {
  return TABLES.flatMap(readTable).filter((e) => e.state === TCP_LISTEN && e.localPort === port);
}

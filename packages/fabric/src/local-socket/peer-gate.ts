/**
 * Who may talk to an RTT socket (docs/adr/0020-local-sockets.md): the process's own uid and the
 * uids panel.yaml's `security.allow_uids` lists, as the kernel reports the peer (SO_PEERCRED,
 * peer-cred.ts). Every listener RTT makes — the panel's API, a driver's control socket, a lane's
 * socket — passes each accepted connection through `admitPeer` before reading a byte of it.
 * Loopback TCP lanes use `admitTcpPeer`, which finds the peer's uid in /proc/net/tcp instead.
 * Drivers learn the list from the panel in RTT_ALLOW_UIDS.
 */
import type { Socket } from "node:net";
import { peerCredentials } from "../peer-cred.ts";
import { ownUid } from "./private-dir.ts";
import { tcpPeerUid } from "./tcp-peer.ts";

/** The environment variable a host passes `security.allow_uids` to its drivers in: "1000,1001". */
export const ALLOW_UIDS_ENV = "RTT_ALLOW_UIDS";

/** The uids in `text` ("1000,1001"); entries that are not whole numbers are ignored. */
export function parseAllowUids(text: string | undefined): number[] {
  if (text === undefined) return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^\d{1,10}$/.test(s))
    .map(Number);
}

/** `uids` as ALLOW_UIDS_ENV carries them. */
export function formatAllowUids(uids: readonly number[]): string {
  return uids.join(",");
}

export interface PeerGateOptions {
  /** What the socket is, for the log line: "panel API", "driver file", "lane". */
  readonly what: string;
  /** Uids let in besides our own (default: ALLOW_UIDS_ENV). */
  readonly allowUids?: readonly number[];
  /** Where a refusal is reported (default: stderr, which a driver's host mirrors). */
  readonly log?: (line: string) => void;
}

const stderrLine = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * True when the peer of `socket` may use it. A refused peer's connection is destroyed at once
 * and one line says who it was. Where the peer's uid cannot be read at all (no native addon),
 * the connection is let in — the socket's private folder and mode 0600 still keep others out;
 * a read that fails on a real socket refuses.
 */
export function admitPeer(socket: Socket, options: PeerGateOptions): boolean {
  const uid = ownUid();
  if (uid === undefined) return true;
  const found = peerCredentials(socket);
  if (!found.ok) {
    if (!found.noAddon) {
      (options.log ?? stderrLine)(
        `rtt: refused a connection to the ${options.what} socket: ${found.reason}`,
      );
      socket.destroy();
      return false;
    }
    // Without the addon (RTT_NO_NATIVE=1, no compiler) the private folder is the gate; the shm
    // lane's fallback notice already says the addon is missing.
    return true;
  }
  return judge(socket, uid, found.peer.uid, found.peer.pid, options);
}

/** How long to wait before the one second look, should the peer's entry not be there yet. */
const TCP_RETRY_MS = 25;

/**
 * `admitPeer` for an accepted loopback TCP connection: calls `admitted` once the peer may use
 * `socket` — at once when the kernel's TCP table (tcp-peer.ts) shows it, as TCP has no
 * SO_PEERCRED, so a refusal's line says "pid unknown". The peer's entry exists before accept()
 * returns, but a table read can race it, so a miss is looked up once more after a moment and
 * then refused. Off Linux there is no such table and the peer is let in as before: the lane
 * listens on loopback only.
 */
export function admitTcpPeer(socket: Socket, options: PeerGateOptions, admitted: () => void): void {
  const uid = ownUid();
  if (uid === undefined || process.platform !== "linux") {
    admitted();
    return;
  }
  const decide = (peerUid: number): void => {
    if (judge(socket, uid, peerUid, undefined, options)) admitted();
  };
  const now = tcpPeerUid(socket);
  if (now !== undefined) {
    decide(now);
    return;
  }
  setTimeout(() => {
    if (socket.destroyed) return;
    const later = tcpPeerUid(socket);
    if (later !== undefined) {
      decide(later);
      return;
    }
    (options.log ?? stderrLine)(
      `rtt: refused a connection to the ${options.what} socket from ${socket.remoteAddress}:${socket.remotePort}: its owner is not in /proc/net/tcp`,
    );
    socket.destroy();
  }, TCP_RETRY_MS);
}

/** Lets `peerUid` in when it is `uid` or allowed; else destroys `socket` and logs one line. */
function judge(
  socket: Socket,
  uid: number,
  peerUid: number,
  peerPid: number | undefined,
  options: PeerGateOptions,
): boolean {
  const allowed = options.allowUids ?? parseAllowUids(process.env[ALLOW_UIDS_ENV]);
  if (peerUid === uid || allowed.includes(peerUid)) return true;
  (options.log ?? stderrLine)(
    `rtt: refused a connection to the ${options.what} socket from uid ${peerUid}` +
      ` (pid ${peerPid ?? "unknown"}): only uid ${uid}${allowed.length > 0 ? ` and ${formatAllowUids(allowed)}` : ""} may connect`,
  );
  socket.destroy();
  return false;
}

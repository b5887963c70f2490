/**
 * Who may talk to an RTT socket (docs/adr/0020-local-sockets.md): the process's own uid and the
 * uids panel.yaml's `security.allow_uids` lists, as the kernel reports the peer (SO_PEERCRED,
 * peer-cred.ts). Every listener RTT makes — the panel's API, a driver's control socket, a lane's
 * socket — passes each accepted connection through `admitPeer` before reading a byte of it.
 * Drivers learn the list from the panel in RTT_ALLOW_UIDS.
 */
import type { Socket } from "node:net";
import { peerCredentials } from "../peer-cred.ts";
import { ownUid } from "./private-dir.ts";

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
  const log = options.log ?? stderrLine;
  const found = peerCredentials(socket);
  if (!found.ok) {
    if (!found.noAddon) {
      log(`rtt: refused a connection to the ${options.what} socket: ${found.reason}`);
      socket.destroy();
      return false;
    }
    // Without the addon (RTT_NO_NATIVE=1, no compiler) the private folder is the gate; the shm
    // lane's fallback notice already says the addon is missing.
    return true;
  }
  const allowed = options.allowUids ?? parseAllowUids(process.env[ALLOW_UIDS_ENV]);
  if (found.peer.uid === uid || allowed.includes(found.peer.uid)) return true;
  log(
    `rtt: refused a connection to the ${options.what} socket from uid ${found.peer.uid}` +
      ` (pid ${found.peer.pid ?? "unknown"}): only uid ${uid}${allowed.length > 0 ? ` and ${formatAllowUids(allowed)}` : ""} may connect`,
  );
  socket.destroy();
  return false;
}

/**
 * Who is at the other end of an accepted Unix socket, as the kernel says (SO_PEERCRED on Linux,
 * getpeereid on macOS): the native addon's `peerCred` (native/src/peer.cc), typed, with a
 * reason instead of an answer when it cannot be known — the addon is not built or disabled, the
 * socket has no descriptor (not a Unix socket), or the call failed. Callers record "unknown"
 * then; they never fall back to what the client says about itself.
 */
import type { Socket } from "node:net";
import { errorMessage } from "@rtt/core";
import { loadNativeAddon } from "./native.ts";

export interface PeerCredentials {
  /** The connecting process (as of connect()); undefined where the OS does not say (BSD). */
  readonly pid: number | undefined;
  readonly uid: number;
  readonly gid: number;
}

export type PeerLookup =
  | { readonly ok: true; readonly peer: PeerCredentials }
  | {
      readonly ok: false;
      readonly reason: string;
      /** True when the addon that asks the kernel is missing, as opposed to the asking failing. */
      readonly noAddon: boolean;
    };

type RawPeerCred = (fd: number) => { pid: number; uid: number; gid: number };

function rawPeerCred(): RawPeerCred | string {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return loaded.reason;
  const fn = (loaded.raw as { peerCred?: unknown } | null)?.peerCred;
  return typeof fn === "function"
    ? (fn as RawPeerCred)
    : "the native addon has no peerCred (an older build: run `npm run build -w @rtt/fabric`)";
}

/** The descriptor of a connected net.Socket; undefined when it has none (closed, not a pipe). */
function fdOf(socket: Socket): number | undefined {
  // libuv's handle of a Unix socket carries its descriptor; Node has no public accessor for it.
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : undefined;
}

/** The credentials of the process that connected `socket`, or why they cannot be had. */
export function peerCredentials(socket: Socket): PeerLookup {
  const peerCred = rawPeerCred();
  if (typeof peerCred === "string") return { ok: false, reason: peerCred, noAddon: true };
  const fd = fdOf(socket);
  if (fd === undefined)
    return { ok: false, reason: "the socket has no file descriptor", noAddon: false };
  try {
    const { pid, uid, gid } = peerCred(fd);
    return { ok: true, peer: { pid: pid >= 0 ? pid : undefined, uid, gid } };
  } catch (error) {
    return {
      ok: false,
      reason: `reading the peer's credentials failed: ${errorMessage(error)}`,
      noAddon: false,
    };
  }
}

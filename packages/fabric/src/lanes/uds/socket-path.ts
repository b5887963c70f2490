/**
 * Where lane sockets live, and what to do when a path is too long for the OS
 * (docs/design.md §Processes and sockets: sockets and the resource ledger):
 * `sockaddr_un.sun_path` holds 108 bytes on Linux and 104 on macOS, NUL included, and a deep
 * workspace path overflows it. Then Linux gets an abstract-namespace name (no file at all,
 * gone with the socket) and other systems a short path in a per-user temp folder.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The longest path (bytes, without the NUL) `listen` accepts on this OS. */
export const MAX_SOCKET_PATH = process.platform === "linux" ? 107 : 103;

export interface SocketPath {
  /** What to pass to listen/connect. On Linux an abstract name starts with "\0". */
  readonly path: string;
  /** True when no file backs it (nothing to unlink, nothing left behind on a crash). */
  readonly abstract: boolean;
}

/** A per-user folder for lane sockets, mode 0700, so other users cannot connect. */
export function laneSocketDir(): string {
  const uid = process.getuid?.() ?? "user";
  const dir = join(tmpdir(), `rtt-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** An unguessable socket path in `dir`, or a short fallback when that would be too long. */
export function newSocketPath(dir: string = laneSocketDir(), prefix = "lane"): SocketPath {
  const name = `${prefix}-${process.pid}-${randomBytes(6).toString("hex")}.sock`;
  // Windows: a named pipe, which Node's net module listens on and connects to like a socket.
  if (process.platform === "win32") return { path: `\\\\.\\pipe\\rtt-${name}`, abstract: true };
  const wanted = join(dir, name);
  if (Buffer.byteLength(wanted) <= MAX_SOCKET_PATH) return { path: wanted, abstract: false };
  if (process.platform === "linux") return { path: `\0rtt-${name}`, abstract: true };
  return { path: join(laneSocketDir(), name), abstract: false };
}

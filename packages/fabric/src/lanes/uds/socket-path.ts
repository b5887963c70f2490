/**
 * Where lane and driver sockets live (docs/design.md §Processes and sockets: sockets and the
 * resource ledger; docs/adr/0020-local-sockets.md): an unguessable name in a private 0700
 * folder, by default `$TMPDIR/rtt-<uid>`. `sockaddr_un.sun_path` holds 108 bytes on Linux and
 * 104 on macOS, and a deep folder overflows it; the socket then goes to the short per-user
 * folder (local-socket/private-dir.ts) — never to the abstract namespace, which any local user
 * can connect to.
 */
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePrivateDir, ownUid } from "../../local-socket/private-dir.ts";
import { privateSocketPath } from "../../local-socket/socket-file.ts";

export { MAX_SOCKET_PATH } from "../../local-socket/socket-file.ts";

const defaultDir = (): string => join(tmpdir(), `rtt-${ownUid() ?? "user"}`);

/** The default per-user folder for lane sockets, made 0700 and checked to be ours. */
export function laneSocketDir(): string {
  return ensurePrivateDir(defaultDir());
}

/**
 * An unguessable socket path in `dir` (default `laneSocketDir()`), or in the short per-user
 * folder when that would be too long. Windows: a named pipe.
 */
export function newSocketPath(dir?: string, prefix = "lane"): string {
  const name = `${prefix}-${process.pid}-${randomBytes(6).toString("hex")}.sock`;
  // Node's net module listens on and connects to a named pipe like a socket.
  if (process.platform === "win32") return `\\\\.\\pipe\\rtt-${name}`;
  return privateSocketPath(dir ?? defaultDir(), name);
}

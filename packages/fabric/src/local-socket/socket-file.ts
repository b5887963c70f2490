/**
 * Making, replacing and removing the socket files RTT listens on (docs/adr/0020-local-sockets.md):
 * a path that fits `sun_path` (a short private folder when the wanted one would not — never the
 * abstract namespace, which has no permissions), bound under a restrictive umask so the file is
 * never open to others even for a moment, chmod 0600 after, and only ever unlinked when lstat
 * says it is a socket this user owns: anything else at the path is someone's file, left intact.
 */
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import type { Server } from "node:net";
import { dirname, join } from "node:path";
import { RttError } from "@rtt/core/errors.ts";
import { ensurePrivateDir, ownUid, shortSocketDir } from "./private-dir.ts";

/** The longest path (bytes, without the NUL) `listen` accepts on this OS. */
export const MAX_SOCKET_PATH = process.platform === "linux" ? 107 : 103;

/** True when `path` fits in `sockaddr_un.sun_path`. */
export function fitsSunPath(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH;
}

/**
 * `name` in `dir` when that fits `sun_path`, else in the short per-user folder; the folder is
 * made 0700 and checked (RTT_ERR_SOCKET_UNSAFE), and a name that fits nowhere is refused.
 */
export function privateSocketPath(dir: string, name: string): string {
  const wanted = join(dir, name);
  if (fitsSunPath(wanted)) {
    ensurePrivateDir(dir);
    return wanted;
  }
  const short = join(shortSocketDir(), name);
  if (!fitsSunPath(short))
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `socket path ${JSON.stringify(wanted)} is longer than ${MAX_SOCKET_PATH} bytes, and so is ${JSON.stringify(short)}`,
      { hint: "use a shorter workspace path or XDG_RUNTIME_DIR" },
    );
  ensurePrivateDir(dirname(short));
  return short;
}

/** What is at `path` when it is not a socket of ours; undefined when absent or ours. */
function foreignFile(path: string): string | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (!st.isSocket()) return st.isSymbolicLink() ? "a symbolic link" : "not a socket";
  const uid = ownUid();
  if (uid !== undefined && st.uid !== uid) return `a socket of uid ${st.uid}`;
  return undefined;
}

/**
 * Removes a stale socket of ours at `path` (a dead process's); RTT_ERR_SOCKET_UNSAFE, the file
 * untouched, when something else is there.
 */
export function removeStaleSocket(path: string): void {
  const foreign = foreignFile(path);
  if (foreign !== undefined)
    throw new RttError(
      "RTT_ERR_SOCKET_UNSAFE",
      `${JSON.stringify(path)} is ${foreign}; RTT removes only its own sockets and left it untouched`,
      { hint: "move that file away or choose another socket path" },
    );
  unlinkQuietly(path);
}

/** Removes our socket at `path` on close; whatever else may be there now is left alone. */
export function removeOwnSocket(path: string): void {
  try {
    if (foreignFile(path) === undefined) unlinkQuietly(path);
  } catch {
    // Gone or unreadable: nothing of ours to remove.
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * `server.listen(path)` with the socket file born 0600 (umask 0177 around the synchronous bind)
 * and chmod 0600 after, in a folder checked private. Rejects with the listen error.
 */
export async function listenPrivate(server: Server, path: string): Promise<void> {
  if (process.platform !== "win32") ensurePrivateDir(dirname(path));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // A worker thread cannot set the umask; there the folder's 0700 covers the moment to chmod.
    // node:worker_threads is asked here, not imported: a client only connects (issue 20).
    const previous =
      process.platform === "win32" || !process.getBuiltinModule("node:worker_threads").isMainThread
        ? undefined
        : process.umask(0o177);
    try {
      server.listen({ path, readableAll: false, writableAll: false }, () => {
        server.off("error", reject);
        resolve();
      });
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  if (process.platform !== "win32") chmodSync(path, 0o600);
}

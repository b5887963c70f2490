/**
 * Where the panel's API socket may be (docs/adr/0020-local-sockets.md): in the workspace's
 * `.rtt/sockets/` (0700), or — when that path is too long for `sun_path` — in the short
 * per-user socket folder under a name derived from the workspace, so the CLI finds it the same
 * way. `api.listen` anywhere else is a panel.yaml error: RTT never binds (or removes a file to
 * bind) outside the folders it checks.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { RttError } from "@rtt/core/errors.ts";
import { privateDirProblem, shortSocketDir } from "@rtt/fabric/local-socket/private-dir.ts";
import { fitsSunPath, MAX_SOCKET_PATH } from "@rtt/fabric/local-socket/socket-file.ts";
import type { WorkspacePaths } from "./workspace.ts";

const UNIX = "unix://";
// node:crypto is not in Node's start-up snapshot, and only a workspace too deep for sun_path
// needs it: required then (a client's start is mostly its imports).
const requireLazily = createRequire(import.meta.url);

/** The default `api.listen`: `.rtt/sockets/panel.sock`, or a short per-user path when too long. */
export function defaultListen(paths: WorkspacePaths): string {
  const wanted = join(paths.sockets, "panel.sock");
  if (fitsSunPath(wanted)) return `${UNIX}${wanted}`;
  const { createHash } = requireLazily("node:crypto") as typeof import("node:crypto");
  const id = createHash("sha256").update(paths.rttDir).digest("hex").slice(0, 16);
  return `${UNIX}${join(shortSocketDir(), `panel-${id}.sock`)}`;
}

/** Why `listen` cannot be this workspace's `api.listen`; undefined when it can. */
export function listenProblem(paths: WorkspacePaths, listen: string): string | undefined {
  if (!listen.startsWith(UNIX)) return `${JSON.stringify(listen)} is not unix:///PATH`;
  const path = listen.slice(UNIX.length);
  if (!isAbsolute(path) || normalize(path) !== path)
    return `${JSON.stringify(path)} must be an absolute path without "." or ".." parts`;
  const folders = [paths.sockets, shortSocketDir()];
  if (!folders.some((dir) => path.startsWith(`${dir}${sep}`)))
    return `${JSON.stringify(path)} is outside ${folders.map((f) => JSON.stringify(f)).join(" and ")}, the only folders the panel's socket may be in`;
  if (!fitsSunPath(path)) return `${JSON.stringify(path)} is longer than ${MAX_SOCKET_PATH} bytes`;
  return undefined;
}

/**
 * For a client, before it connects to `listen`: RTT_ERR_SOCKET_UNSAFE when the socket's folder
 * exists and is not private to this user — a socket there could be another user's fake panel,
 * which would get the client's token and requests.
 */
export function checkPanelSocketFolder(listen: string): void {
  const folder = dirname(listen.slice(UNIX.length));
  const problem = existsSync(folder) ? privateDirProblem(folder) : undefined;
  if (problem !== undefined)
    throw new RttError(
      "RTT_ERR_SOCKET_UNSAFE",
      `the panel's socket folder ${JSON.stringify(folder)} is not private to this user: ${problem}`,
      { hint: "remove that folder (or fix its owner and mode 0700); a panel makes it again" },
    );
}

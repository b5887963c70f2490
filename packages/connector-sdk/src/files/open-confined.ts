/**
 * The one way a driver opens a file symbol's path (ADR 0022): checked to lead inside an
 * allowed prefix, then opened so that a symbolic link swapped in after the check is refused,
 * not followed. The path is resolved first (`locatePath`: a link inside the workspace that
 * stays inside is fine), and the resolved path is opened below the prefix that allows it:
 *
 * - by the native addon's `openBeneath` (@rtt/fabric) where it is built: the kernel refuses a
 *   link on the way (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or a per-folder
 *   openat(O_NOFOLLOW) walk);
 * - else in JavaScript: every folder below the prefix `lstat`-checked, the file opened with
 *   O_NOFOLLOW, then the folders checked again and the opened descriptor's dev/ino compared
 *   with a fresh `lstat` of the path. This detects a swap that is still in place after the
 *   open; a link swapped in and out again between two checks is not seen — hence the addon.
 *
 * A Unix socket cannot be opened, only connected to, and connect(2) has no no-follow form:
 * `connectConfined` opens it O_PATH (Linux) through the same open and connects to
 * /proc/self/fd/N, the inode that descriptor holds.
 */
import { once } from "node:events";
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  type Stats,
} from "node:fs";
import { connect, type Socket } from "node:net";
import { join, relative, resolve, sep } from "node:path";
import { PATH_OUTSIDE_HINT, pathOutsideMessage, RttError } from "@rtt/core";
import { nativeOPath, nativeOpenBeneath } from "@rtt/fabric";
import { locatePath } from "./real-location.ts";

/** How the open was confined: by the kernel (openat2, walk) or by checks around it. */
export type ConfinedHow = "openat2" | "walk" | "checked";

export interface ConfinedFd {
  readonly fd: number;
  /** Where the path led when opened (links resolved). */
  readonly real: string;
  readonly how: ConfinedHow;
}

export interface ConfinedOptions {
  /** For O_CREAT; the umask applies. Default 0o666, as Node's own opens. */
  readonly mode?: number;
  /** Tests: "js" forces the JavaScript fallback, "walk" the addon's walk. */
  readonly via?: "js" | "walk";
  /** Tests: runs between the check and the open, to swap a link in there. */
  readonly afterCheck?: () => void;
}

/** Errno names by which the kernel says "a link on the way" (Linux, BSD, macOS). */
const LINK_REFUSED = new Set(["ELOOP", "EMLINK", "EXDEV", "EFTYPE"]);

/**
 * Opens `path` for `saddr` with `flags` (fs.constants O_*; O_NOFOLLOW and close-on-exec are
 * added) when it leads inside one of `prefixes` (the workspace first). A path outside, or a
 * link met on the way below the allowed prefix, throws RTT_ERR_PATH_OUTSIDE; other failures
 * are the open's own errno errors (ENOENT, ENXIO…), for callers that wait or retry.
 */
export function openConfined(
  saddr: string,
  path: string,
  prefixes: readonly string[],
  flags: number,
  options: ConfinedOptions = {},
): ConfinedFd {
  const { real, allowedBy } = locatePath(path, prefixes);
  if (allowedBy === undefined)
    throw new RttError("RTT_ERR_PATH_OUTSIDE", pathOutsideMessage(saddr, path, real, prefixes), {
      hint: PATH_OUTSIDE_HINT,
    });
  const rel = relative(allowedBy, real);
  if (rel === "")
    throw new RttError(
      "RTT_ERR_PATH_OUTSIDE",
      `${saddr}: path ${JSON.stringify(path)} is the allowed folder ${allowedBy} itself, not a file in it`,
    );
  const mode = options.mode ?? 0o666;
  const linked = () =>
    new RttError(
      "RTT_ERR_PATH_OUTSIDE",
      `${saddr}: path ${JSON.stringify(path)}: a symbolic link appeared on the way to ${real} (below ${allowedBy}) after it was checked; refusing to follow it`,
      { hint: "whatever swaps links in the workspace is redirecting a file symbol: find it" },
    );
  refuseOutsidePermission(saddr, resolve(path), flags);
  options.afterCheck?.();
  const native = options.via === "js" ? undefined : nativeOpenBeneath();
  if (typeof native === "function") {
    try {
      const { fd, how } = native(allowedBy, rel, flags, mode, options.via === "walk");
      return { fd, real, how };
    } catch (error) {
      if (LINK_REFUSED.has((error as NodeJS.ErrnoException).code ?? "")) throw linked();
      throw error;
    }
  }
  return { fd: openChecked(allowedBy, rel, flags, mode, linked), real, how: "checked" };
}

/**
 * Under Node's permission model (the `node` sandbox level, ADR 0023) a driver may touch only
 * the paths it was given. The addon is not subject to it (native code), so the model's verdict
 * on the path — as given, which is what Node checks when it opens one — is asked here first.
 */
function refuseOutsidePermission(saddr: string, absolute: string, flags: number): void {
  const permission = (
    process as { permission?: { has(scope: string, reference?: string): boolean } }
  ).permission;
  if (permission === undefined) return;
  const access = flags & (constants.O_WRONLY | constants.O_RDWR);
  const writes = access !== 0 || (flags & (constants.O_CREAT | constants.O_TRUNC)) !== 0;
  const reads = access !== constants.O_WRONLY;
  for (const scope of [...(reads ? ["fs.read"] : []), ...(writes ? ["fs.write"] : [])]) {
    if (!permission.has(scope, absolute))
      throw new RttError(
        "RTT_ERR_PATH_OUTSIDE",
        `${saddr}: ${absolute}: the driver's sandbox (Node's permission model) does not allow ${scope} there`,
        {
          hint: "the panel gives a sandboxed driver the paths of its symbols: run `rtt apply` again",
        },
      );
  }
}

/** The JavaScript fallback: lstat the folders, open with O_NOFOLLOW, check nothing moved. */
function openChecked(
  root: string,
  rel: string,
  flags: number,
  mode: number,
  linked: () => RttError,
): number {
  const parts = rel.split(sep);
  const folders = parts.slice(0, -1).map((_, i) => join(root, ...parts.slice(0, i + 1)));
  const checkFolders = () => {
    for (const folder of folders) if (lstatOrUndefined(folder)?.isSymbolicLink()) throw linked();
  };
  checkFolders();
  const full = join(root, rel);
  let fd: number;
  try {
    fd = openSync(full, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if (LINK_REFUSED.has((error as NodeJS.ErrnoException).code ?? "")) throw linked();
    throw error;
  }
  try {
    checkFolders();
    const opened = fstatSync(fd);
    const now = lstatOrUndefined(full);
    if (now === undefined || now.dev !== opened.dev || now.ino !== opened.ino) throw linked();
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Connects to the Unix socket at `path` for `saddr` when it leads inside one of `prefixes`. On
 * Linux with the addon: through an O_PATH descriptor from `openConfined` (a link on the way is
 * refused as for files) and /proc/self/fd/N. Elsewhere: the checked path itself, connected by
 * path — a link swapped in between the check and the connect is not refused there.
 */
export async function connectConfined(
  saddr: string,
  path: string,
  prefixes: readonly string[],
  options: Pick<ConfinedOptions, "afterCheck"> = {},
): Promise<Socket> {
  const oPath = nativeOPath();
  if (oPath === undefined || !existsSync("/proc/self/fd")) {
    const { real, allowedBy } = locatePath(path, prefixes);
    if (allowedBy === undefined)
      throw new RttError("RTT_ERR_PATH_OUTSIDE", pathOutsideMessage(saddr, path, real, prefixes), {
        hint: PATH_OUTSIDE_HINT,
      });
    return connected(real);
  }
  const { fd } = openConfined(saddr, path, prefixes, oPath | constants.O_NOFOLLOW, options);
  try {
    if (!fstatSync(fd).isSocket())
      throw new RttError("RTT_ERR_IO", `${saddr}: path ${JSON.stringify(path)} is not a socket`, {
        hint: "give the route a kind parameter that matches what is there (file, fifo or socket)",
      });
    return await connected(`/proc/self/fd/${fd}`);
  } finally {
    closeSync(fd);
  }
}

async function connected(path: string): Promise<Socket> {
  const socket = connect(path);
  try {
    await once(socket, "connect");
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

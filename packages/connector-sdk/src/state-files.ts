/**
 * RTT's own state under `.rtt/` (the scan cache, the audit ledger and head, the WAL, keys,
 * trust, panel.log, route journals) lives in real files and folders: a symbolic link there,
 * whether committed to a repository or planted by someone else, would make RTT write its
 * catalog, log lines or ledger wherever the link points (issue 15, finding 3). Every reader and
 * writer of that state, the panel's and the drivers', goes through here (hence in the SDK, which
 * both use); a link is refused with RTT_ERR_STATE_LINK, nothing is read or written through it
 * (ADR 0021).
 */
import { closeSync, constants, lstatSync, openSync, readFileSync } from "node:fs";
import { resolve, sep } from "node:path";
import { RttError } from "@rtt/core/errors.ts";

/** The folder a workspace keeps RTT's files in (the panel's workspace.ts names it too). */
export const RTT_DIR = ".rtt";

function linkRefused(abs: string, shown: string): RttError {
  return new RttError(
    "RTT_ERR_STATE_LINK",
    `${shown} is a symbolic link; RTT keeps its state under .rtt/ in real files and folders and does not follow links there`,
    {
      hint: `replace ${abs} with the folder or file it points at (or remove it: RTT makes a new one)`,
    },
  );
}

/**
 * Refuses `path` when it, or any folder between the workspace's `.rtt` and it, is a symbolic
 * link (lstat, component by component). What does not exist yet is fine: RTT makes it. A path
 * outside any `.rtt` folder (a file the user named, e.g. `plan --out`) is not checked.
 */
export function refuseLinks(path: string): void {
  const parts = resolve(path).split(sep);
  const at = parts.lastIndexOf(RTT_DIR);
  if (at < 0) return;
  for (let i = at; i < parts.length; i++) {
    const abs = parts.slice(0, i + 1).join(sep);
    let isLink: boolean;
    try {
      isLink = lstatSync(abs).isSymbolicLink();
    } catch {
      // Absent (or unreadable): nothing below it can be a link yet; the open will say why.
      return;
    }
    if (isLink) throw linkRefused(abs, parts.slice(at, i + 1).join("/"));
  }
}

/**
 * openSync for a state file: the folders on its way checked by refuseLinks, the file itself
 * opened with O_NOFOLLOW so a link swapped in after the check is refused by the kernel. Other
 * failures (ENOENT…) are thrown as Node's, for callers that handle them.
 */
export function openStateFile(path: string, flags: number, mode?: number): number {
  refuseLinks(path);
  try {
    return openSync(path, flags | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOOP") throw error;
    const abs = resolve(path);
    const parts = abs.split(sep);
    throw linkRefused(abs, parts.slice(parts.lastIndexOf(RTT_DIR)).join("/"));
  }
}

/** A state file's bytes, read as openStateFile opens it. */
export function readStateBytes(path: string): Buffer {
  const fd = openStateFile(path, constants.O_RDONLY);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A state file's text (UTF-8), read as openStateFile opens it. */
export function readStateFile(path: string): string {
  return readStateBytes(path).toString("utf8");
}

/**
 * Where a path really leads, for the confinement of file symbols (ADR 0022): the realpath of
 * its deepest existing ancestor with the rest appended — and a dangling symlink on the way
 * followed to where it points, since opening the path to create the file would follow it too.
 * So neither a link in the workspace nor one yet to be created through can lead a file
 * symbol out of the workspace unseen.
 */
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { allowingPrefix, PATH_OUTSIDE_HINT, pathOutsideMessage, RttError } from "@rtt/core";

/** As the kernel's SYMLOOP_MAX: more links than this in one path is a loop. */
const MAX_LINKS = 40;

export function realLocation(path: string): string {
  return locate(resolve(path), { links: 0 });
}

function locate(abs: string, seen: { links: number }): string {
  try {
    return realpathSync.native(abs);
  } catch {
    // Some part of it does not exist (yet): resolve the parent, then this name.
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  const realParent = locate(parent, seen);
  let target: string | undefined;
  try {
    if (lstatSync(join(realParent, basename(abs))).isSymbolicLink())
      target = readlinkSync(join(realParent, basename(abs)));
  } catch {
    // Not there at all: the name stays as it is.
  }
  if (target === undefined) return join(realParent, basename(abs));
  if (++seen.links > MAX_LINKS)
    throw new RttError("RTT_ERR_PATH_OUTSIDE", `${abs}: too many symbolic links (a loop?)`);
  return locate(resolve(realParent, target), seen);
}

/** Where `path` leads and the first allowed prefix (itself resolved) that contains it. */
export function locatePath(
  path: string,
  prefixes: readonly string[],
): { readonly real: string; readonly allowedBy?: string } {
  const real = realLocation(path);
  const allowedBy = allowingPrefix(
    real,
    prefixes.map((p) => realLocation(p)),
  );
  return allowedBy === undefined ? { real } : { real, allowedBy };
}

/**
 * Why `path` (absolute, or against the working folder) may not be opened for `saddr`: it leads
 * outside every one of `prefixes` (the workspace first). Undefined when it may. `given`: the
 * path as its manifest wrote it, for the message.
 */
export function pathOutside(
  saddr: string,
  path: string,
  prefixes: readonly string[],
  given = path,
): string | undefined {
  const { real, allowedBy } = locatePath(path, prefixes);
  return allowedBy === undefined ? pathOutsideMessage(saddr, given, real, prefixes) : undefined;
}

/** `path` when it leads inside one of `prefixes` (the workspace first); else PATH_OUTSIDE. */
export function assertPathAllowed(
  saddr: string,
  path: string,
  prefixes: readonly string[],
): string {
  const problem = pathOutside(saddr, path, prefixes);
  if (problem !== undefined)
    throw new RttError("RTT_ERR_PATH_OUTSIDE", problem, { hint: PATH_OUTSIDE_HINT });
  return path;
}

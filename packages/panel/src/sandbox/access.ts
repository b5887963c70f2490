/**
 * What a driver may touch (docs/adr/0023-driver-sandbox.md): the folders it may write, in the
 * order a sandbox opens them, and whether it keeps the host's network. One driver process serves
 * every route of its connector, and the programs it runs (x-run) write where they please inside
 * the workspace, so the unit is the workspace, not a file: its tree is writable except `.rtt/`,
 * where only the route state (`run/`), the sockets and a Node driver's own compile cache are.
 * The socket folders outside it (the per-user one in TMPDIR, the short one under /tmp or
 * $XDG_RUNTIME_DIR) and POSIX shared memory are where lanes live, so they are writable too.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { type CatalogSymbol, driverFor, type LaneKind, RttError } from "@rtt/core";
import { ensurePrivateDir, laneSocketDir, shortSocketDir } from "@rtt/fabric";
import type { WorkspacePaths } from "../workspace/workspace.ts";

/** A folder a sandbox opens for writing (`rw`) or closes again inside one that is (`ro`). */
export interface Mount {
  readonly path: string;
  readonly mode: "rw" | "ro";
  /** May not exist (a `security.allow_paths` prefix): skipped then, not an error. */
  readonly optional?: boolean;
}

export interface DriverAccess {
  /** Applied in order over a read-only filesystem: a later mount wins below its path. */
  readonly mounts: readonly Mount[];
  /** "host": the driver shares the host's network (loopback); "none": it has none at all. */
  readonly network: "host" | "none";
}

/** A directory itself (not a link to one) that this user owns: safe to open for writing. */
function ownDirectory(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && stat.uid === process.getuid?.();
  } catch {
    return false;
  }
}

/**
 * Whether driver `name` needs the host's network: `http` serves and calls loopback URLs, so
 * does any driver that opens a symbol with an `x-url`, and every driver does when TCP is the
 * first lane kind asked for (a lane between two drivers is a loopback connection, which two
 * network namespaces would not share).
 */
export function needsNetwork(
  name: string,
  prefer: readonly LaneKind[],
  symbols: readonly CatalogSymbol[],
): boolean {
  if (name === "http") return true;
  if (symbols.some((s) => s.extensions?.["x-url"] !== undefined && driverFor(s) === name))
    return true;
  const first = prefer.find((kind) => kind === "shm" || kind === "uds" || kind === "tcp");
  return first === "tcp";
}

/**
 * What driver `name` of the workspace at `paths` may touch, `allowPaths` being panel.yaml's
 * `security.allow_paths` and `compileCache` its own compile cache (compile-cache.ts); makes the
 * folders it binds.
 */
export function driverAccess(
  paths: WorkspacePaths,
  name: string,
  prefer: readonly LaneKind[],
  symbols: readonly CatalogSymbol[],
  allowPaths: readonly string[] = [],
  compileCache?: string,
): DriverAccess {
  const own = compileCache === undefined ? [] : [compileCache];
  for (const dir of [paths.run, paths.sockets, ...own]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A link would open its target, wherever it points, to the driver.
    if (!ownDirectory(dir))
      throw new RttError(
        "RTT_ERR_DRIVER_SPAWN",
        `driver "${name}" not started: ${dir} is not a folder of this user's (a symbolic link?)`,
        { hint: `remove ${dir}; the panel makes it again` },
      );
  }
  // Made here: a sandboxed driver cannot make them itself in a read-only /tmp.
  const sockets = [...new Set([laneSocketDir(), shortSocketDir()])].map(ensurePrivateDir);
  const network = needsNetwork(name, prefer, symbols);
  return {
    mounts: [
      { path: paths.root, mode: "rw" },
      // File symbols may write under these (ADR 0022). Before `.rtt/` closes again, so that a
      // prefix holding the workspace cannot open it.
      ...allowPaths.map((path): Mount => ({ path, mode: "rw", optional: true })),
      { path: paths.rttDir, mode: "ro" },
      { path: paths.run, mode: "rw" },
      { path: paths.sockets, mode: "rw" },
      ...own.map((path): Mount => ({ path, mode: "rw" })),
      ...sockets.map((path): Mount => ({ path, mode: "rw" })),
    ],
    network: network ? "host" : "none",
  };
}

/**
 * A workspace is the folder holding `.rtt/`; everything RTT reads or writes lives under it
 * (docs/design.md §The model: the workspace). Commands find it the way git finds `.git`: from the
 * working folder upward. Apart from panel.yaml's loader (workspace.ts), so that a client that
 * only needs the paths loads no YAML parser or schema validator.
 */
import { statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { RTT_DIR } from "@rtt/connector-sdk/state-files.ts";
import { RttError } from "@rtt/core/errors.ts";

export { RTT_DIR };

export interface WorkspacePaths {
  /** The folder holding `.rtt/`. */
  readonly root: string;
  readonly rttDir: string;
  readonly panelConfig: string;
  readonly policy: string;
  readonly routes: string;
  readonly manifests: string;
  readonly drivers: string;
  readonly cache: string;
  readonly wal: string;
  readonly sockets: string;
  readonly catalog: string;
  readonly scanState: string;
  /** The hash-chained audit ledger (NDJSON, append-only). */
  readonly audit: string;
  /** Route journals and the state folders of programs that outlive their driver. */
  readonly run: string;
  /** The background panel's output. */
  readonly panelLog: string;
  /**
   * What scans and panels write here as they run (gitignored, never committed): what a clean
   * copy of the workspace leaves out.
   */
  readonly runtimeState: readonly string[];
}

export function workspacePaths(root: string): WorkspacePaths {
  const abs = resolve(root);
  const rttDir = join(abs, RTT_DIR);
  const cache = join(rttDir, "cache");
  const wal = join(rttDir, "wal");
  const sockets = join(rttDir, "sockets");
  const run = join(rttDir, "run");
  const panelLog = join(rttDir, "panel.log");
  return {
    root: abs,
    rttDir,
    panelConfig: join(rttDir, "panel.yaml"),
    policy: join(rttDir, "policy.json"),
    routes: join(rttDir, "routes.json"),
    manifests: join(rttDir, "manifests"),
    drivers: join(rttDir, "drivers"),
    cache,
    wal,
    sockets,
    catalog: join(cache, "catalog.json"),
    scanState: join(cache, "scan-state.json"),
    audit: join(rttDir, "audit", "ledger.ndjson"),
    run,
    panelLog,
    runtimeState: [cache, wal, sockets, join(rttDir, "audit"), run, panelLog],
  };
}

/**
 * A `cpSync` filter for copying the workspace at `root` clean: its runtime state and the
 * quickstart's `logs/` (what its programs write) left out, so a copy starts like a fresh clone.
 */
export function notRuntimeState(root: string): (source: string) => boolean {
  const skipped = [...workspacePaths(root).runtimeState, join(resolve(root), "logs")];
  return (source) => {
    const abs = resolve(source);
    return !skipped.some((s) => abs === s || abs.startsWith(`${s}${sep}`));
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder at or above `start` that holds a `.rtt/` folder. */
export function findWorkspace(start: string): WorkspacePaths {
  let dir = resolve(start);
  for (;;) {
    if (isDirectory(join(dir, RTT_DIR))) return workspacePaths(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new RttError(
    "RTT_ERR_WORKSPACE_NOT_FOUND",
    `no ${RTT_DIR}/ folder in ${resolve(start)} or any parent`,
    {
      hint: "run `rtt init` to create one, or pass -C <folder>",
    },
  );
}

/** Paths in reports are relative to the workspace root with '/' separators, on every OS. */
export function relativeToRoot(paths: WorkspacePaths, abs: string): string {
  const rel = abs.startsWith(paths.root) ? abs.slice(paths.root.length + 1) : abs;
  return rel.split("\\").join("/");
}

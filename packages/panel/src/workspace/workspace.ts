/**
 * A workspace is the folder holding `.rtt/`; everything RTT reads or writes lives under it
 * (docs/design.md §The model: the workspace). Commands find it the way git finds `.git`: from the
 * working folder upward.
 */
import { statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { RTT_DIR } from "@rtt/connector-sdk/state-files.ts";
import { type Diagnostic, type FollowSymlinks, type PanelConfig, RttError } from "@rtt/core";
import { loadDocument } from "./documents.ts";
import { defaultListen, listenProblem } from "./panel-socket.ts";

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

/** panel.yaml with every default filled in. */
export interface ResolvedConfig {
  readonly listen: string;
  /** How many streams the panel's API keeps open at once (docs/adr/0012 §API limits). */
  readonly streams: { readonly max: number; readonly perConnection: number };
  readonly scan: {
    readonly roots: readonly string[];
    readonly ignore: readonly string[];
    readonly followSymlinks: FollowSymlinks;
    readonly maxManifestBytes: number;
    /** A running panel watches the roots (scan.watch, default true). */
    readonly watch: boolean;
  };
  readonly raw: PanelConfig;
}

export const DEFAULT_IGNORE = [".git", "node_modules"] as const;
export const DEFAULT_MAX_MANIFEST_BYTES = 1024 * 1024;
export const DEFAULT_MAX_STREAMS = 1024;
export const DEFAULT_MAX_STREAMS_PER_CONNECTION = 256;

export function resolveConfig(paths: WorkspacePaths, raw: PanelConfig): ResolvedConfig {
  return {
    listen: raw.api?.listen ?? defaultListen(paths),
    streams: {
      max: raw.api?.max_streams ?? DEFAULT_MAX_STREAMS,
      perConnection: raw.api?.max_streams_per_connection ?? DEFAULT_MAX_STREAMS_PER_CONNECTION,
    },
    scan: {
      roots: raw.scan?.roots ?? ["./"],
      ignore: raw.scan?.ignore ?? DEFAULT_IGNORE,
      followSymlinks: followSymlinksOf(raw.scan?.follow_symlinks),
      maxManifestBytes: raw.scan?.max_manifest_bytes ?? DEFAULT_MAX_MANIFEST_BYTES,
      watch: raw.scan?.watch ?? true,
    },
    raw,
  };
}

/**
 * scan.follow_symlinks as the walk takes it. The booleans are the old form: `true` (what
 * `rtt init` wrote) now means "within" — following links out of the roots is opt-in (ADR 0021).
 */
function followSymlinksOf(value: FollowSymlinks | boolean | undefined): FollowSymlinks {
  if (value === undefined || value === true) return "within";
  return value === false ? "never" : value;
}

/** Reads `.rtt/panel.yaml` (absent = all defaults). Problems come back as diagnostics. */
export function loadPanelConfig(paths: WorkspacePaths): {
  config: ResolvedConfig;
  diagnostics: readonly Diagnostic[];
} {
  const file = relativeToRoot(paths, paths.panelConfig);
  const { value, diagnostics, document } = loadDocument("panel-config", paths.panelConfig, file, {
    value: {},
  });
  const listen = value?.api?.listen;
  const problem = listen === undefined ? undefined : listenProblem(paths, listen);
  if (problem === undefined) return { config: resolveConfig(paths, value ?? {}), diagnostics };
  const where = document?.locate(["api", "listen"]) ?? { line: 1, column: 1 };
  const diagnostic: Diagnostic = {
    severity: "error",
    code: "RTT_ERR_DOC_SCHEMA",
    message: `api.listen: ${problem}`,
    file,
    ...where,
    hint: "leave api.listen out (the default is .rtt/sockets/panel.sock) or name a socket in .rtt/sockets/",
  };
  // The rest of panel.yaml still applies (a scan reads it); no panel serves on a refused path.
  const config = resolveConfig(paths, { ...value, api: {} });
  return { config, diagnostics: [...diagnostics, diagnostic] };
}

/** Paths in reports are relative to the workspace root with '/' separators, on every OS. */
export function relativeToRoot(paths: WorkspacePaths, abs: string): string {
  const rel = abs.startsWith(paths.root) ? abs.slice(paths.root.length + 1) : abs;
  return rel.split("\\").join("/");
}

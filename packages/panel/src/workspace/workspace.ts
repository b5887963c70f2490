/**
 * A workspace is the folder holding `.rtt/`; everything RTT reads or writes lives under it
 * (docs/design.md §The model: the workspace). Its paths and how a command finds it are
 * workspace-paths.ts's; this is panel.yaml, read with every default filled in.
 */

import { type Diagnostic, RttError } from "@rtt/core/errors.ts";
import type { FollowSymlinks, PanelConfig } from "@rtt/core/schemas/panel-config.ts";
import { loadDocument } from "./documents.ts";
import { defaultListen, listenProblem } from "./panel-socket.ts";
import { relativeToRoot, type WorkspacePaths } from "./workspace-paths.ts";

export {
  findWorkspace,
  notRuntimeState,
  RTT_DIR,
  relativeToRoot,
  type WorkspacePaths,
  workspacePaths,
} from "./workspace-paths.ts";

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

/**
 * panel.yaml resolved, for what must not run on a file with a problem (a panel starting, a
 * client finding its socket): RTT_ERR_DOC_SCHEMA naming the first problem's place otherwise.
 */
export function loadValidPanelConfig(paths: WorkspacePaths): ResolvedConfig {
  const { config, diagnostics } = loadPanelConfig(paths);
  const first = diagnostics[0];
  if (first !== undefined)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `${first.file} is invalid: ${first.line}:${first.column}: ${first.message}`,
      { hint: first.hint ?? "run `rtt scan` to see each problem with its line and column" },
    );
  return config;
}

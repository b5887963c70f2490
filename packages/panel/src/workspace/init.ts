/**
 * `rtt init`: lays out `.rtt/` (docs/design.md §The model: the workspace) with a commented
 * panel.yaml, a policy, an empty routes.json and a sample manifest. It only ever creates: a file or
 * folder that exists is kept as it is, so running it twice changes nothing.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_SCHEMA_ID, SAMPLE_CONTRACT } from "@rtt/core";
import { writeFileAtomic } from "./atomic-write.ts";
import { relativeToRoot, type WorkspacePaths, workspacePaths } from "./workspace.ts";

const PANEL_YAML = `# RTT panel configuration. Every key is optional; the values below are the defaults
# unless marked otherwise. Paths are relative to the folder holding .rtt/.

# api:
#   # Where the panel daemon serves its gRPC API: a Unix socket in this folder's .rtt/sockets/
#   # (or, when that path is too long, the short per-user folder). Default: .rtt/sockets/panel.sock.
#   listen: "unix:///abs/path/.rtt/sockets/panel.sock"

scan:
  # Folders to walk for rtt.manifest.json files and .rtttags sidecars.
  roots: ["./"]
  # gitignore-style patterns, applied on top of every .gitignore found while walking.
  ignore: [".git", "node_modules", "target", "venv", ".venv", "dist"]
  # Which symbolic links the walk follows: "within" (only those whose target is inside a
  # root; a link leading out is reported and skipped), "always", or "never". Loops are
  # reported, never walked; pseudo file systems (/proc, /sys) are never entered.
  follow_symlinks: within
  # Manifests larger than this are reported and skipped.
  max_manifest_bytes: 1048576
  # A running panel watches the roots, rescans on change, and re-plans when a wired symbol
  # changes or vanishes (see routing.reroute).
  watch: true

routing:
  # Lane kinds in order of preference; a lane that cannot be made falls back to the next.
  prefer: ["shm", "uds", "tcp"]
  # Rewire with two-phase commit: all routes of a batch switch, or none do.
  rewire_atomic: true
  # When a wired symbol changes or vanishes under a watching panel: "plan-only" logs
  # "reroute pending" and leaves it to "rtt plan" / "rtt apply"; "auto" applies the new plan
  # (audited as "reroute") when it only touches the routes whose ends changed.
  reroute: plan-only

security:
  # When true, the router never chooses a symbol whose manifest is unsigned or signed by a key
  # outside .rtt/trust/, unless its address matches one of these SADDR patterns (as in
  # policy.json), e.g. every symbol of the "dev" namespace.
  strict_manifests: false
  allow_unsigned: ["rtt://dev/*/*"]
  # When true, every call that changes the panel (apply, qc, trip, heal, rollback, shutdown)
  # needs a capability token covering it: \`rtt token mint\`, passed as RTT_TOKEN.
  require_tokens: false
  # How drivers are confined (docs/adr/0023-driver-sandbox.md): bwrap (a mount namespace with the
  # filesystem read-only but the workspace), node (Node's permission model), none, or auto (bwrap
  # when it works here, else node). \`rtt panel status\` says which one runs.
  sandbox: auto
  # Uids besides this user's that may connect to the panel's, drivers' and lanes' sockets.
  allow_uids: []
  # A file symbol's path (x-path, against its manifest's folder; symlinks followed) must lie in
  # this workspace, or under one of these absolute prefixes, e.g. ["/var/log/myapp"].
  allow_paths: []

health:
  heartbeat_ms: 250
  # Open a route's breaker after this many errors within the window.
  trip_threshold: { errors: 5, window_ms: 5000 }
`;

const POLICY_JSON = `${JSON.stringify(
  {
    allow: [{ from: "rtt://*/*/*", to: "rtt://*/api/*", scopes: ["*"] }],
    pin: [],
    qos: [{ match: "rtt://*/api/*", latency_ms: 2, prio: 1 }],
    failover: [],
  },
  null,
  2,
)}\n`;

const ROUTES_JSON = `${JSON.stringify({ routes: [] }, null, 2)}\n`;

const SAMPLE_MANIFEST = `${JSON.stringify(
  { $schema: MANIFEST_SCHEMA_ID, symbol: SAMPLE_CONTRACT },
  null,
  2,
)}\n`;

/** What of `.rtt/` stays on this machine: private keys above all, and the panel's own state. */
const RTT_GITIGNORE = `# Written by rtt init. Private signing keys (rtt keys generate, the panel's) never leave
# this machine; the rest is what scans and the panel write.
keys/
cache/
wal/
sockets/
audit/
run/
*.log
`;

export interface InitReport {
  readonly root: string;
  /** Paths relative to the workspace root, in creation order. */
  readonly created: readonly string[];
  readonly kept: readonly string[];
}

export function initWorkspace(dir: string): InitReport {
  const paths: WorkspacePaths = workspacePaths(dir);
  const created: string[] = [];
  const kept: string[] = [];
  const rel = (p: string) => relativeToRoot(paths, p);

  for (const folder of [
    paths.rttDir,
    paths.drivers,
    paths.manifests,
    paths.cache,
    paths.wal,
    paths.sockets,
  ]) {
    if (existsSync(folder)) kept.push(`${rel(folder)}/`);
    else {
      mkdirSync(folder, { recursive: true, mode: folder === paths.sockets ? 0o700 : 0o755 });
      created.push(`${rel(folder)}/`);
    }
  }
  const files: [string, string][] = [
    [paths.panelConfig, PANEL_YAML],
    [paths.policy, POLICY_JSON],
    [paths.routes, ROUTES_JSON],
    [join(paths.manifests, "metrics.api.json"), SAMPLE_MANIFEST],
    [join(paths.rttDir, ".gitignore"), RTT_GITIGNORE],
  ];
  for (const [path, content] of files) {
    if (existsSync(path)) kept.push(rel(path));
    else {
      writeFileAtomic(path, content);
      created.push(rel(path));
    }
  }
  return { root: paths.root, created, kept };
}

/**
 * What a plan is computed from, read from the workspace: the catalog (`rtt scan`'s output), the
 * routes, the policy and panel.yaml's lane preferences and security, plus the observed graph — the last
 * topology committed to the WAL, read without taking the panel's lock (a running panel keeps
 * exactly that topology alive; docs/design.md §The life of a route: recover).
 */
import { pathOutside } from "@rtt/connector-sdk";
import {
  type CatalogSymbol,
  type Diagnostic,
  type LaneKind,
  launchOf,
  type PanelConfig,
  type Policy,
  resolveLaunchPath,
} from "@rtt/core";
import { readCatalog } from "../catalog.ts";
import { type ManifestTrust, manifestTrust } from "../router/router.ts";
import { loadRoutes } from "../routes.ts";
import { replayRecords } from "../wal/replay.ts";
import { readWal } from "../wal/segments.ts";
import { loadDocument } from "../workspace/documents.ts";
import { loadPanelConfig, relativeToRoot, type WorkspacePaths } from "../workspace/workspace.ts";
import { NOT_STRICT, type PlanInputs, type PlanSecurity } from "./plan.ts";
import { asTopology, type Topology } from "./topology.ts";

/** Where lanes go when panel.yaml says nothing (the fastest kind first). */
export const DEFAULT_PREFER: readonly LaneKind[] = ["shm", "uds", "tcp"];

export function loadPolicy(paths: WorkspacePaths): {
  policy: Policy;
  diagnostics: readonly Diagnostic[];
} {
  const { value, diagnostics } = loadDocument(
    "policy",
    paths.policy,
    relativeToRoot(paths, paths.policy),
    {
      value: {},
    },
  );
  return { policy: value ?? {}, diagnostics };
}

/**
 * panel.yaml's `security` with its defaults: not strict, nothing allowed unsigned, no path
 * outside the workspace.
 */
export function planSecurity(security: PanelConfig["security"]): PlanSecurity {
  return {
    strict_manifests: security?.strict_manifests ?? NOT_STRICT.strict_manifests,
    allow_unsigned: security?.allow_unsigned ?? NOT_STRICT.allow_unsigned,
    allow_paths: security?.allow_paths ?? NOT_STRICT.allow_paths,
  };
}

/**
 * The catalog's symbols whose path (`x-path`, against its manifest's folder) leads — symlinks
 * followed — outside the workspace and every `allowPaths` prefix, with why (ADR 0022).
 */
export function pathsOutside(
  catalog: readonly CatalogSymbol[],
  root: string,
  allowPaths: readonly string[],
): Record<string, string> {
  const prefixes = [root, ...allowPaths];
  const out: Record<string, string> = {};
  for (const symbol of catalog) {
    const { path } = launchOf(symbol);
    if (path === undefined) continue;
    const given = symbol.extensions?.["x-path"];
    const problem = pathOutside(
      symbol.saddr,
      resolveLaunchPath(root, path),
      prefixes,
      typeof given === "string" ? given : path,
    );
    if (problem !== undefined) out[symbol.saddr] = problem;
  }
  return out;
}

/**
 * Strict mode for the daemon's live operations (qc, failover), read from panel.yaml now. A
 * panel.yaml that does not validate is strict with nothing allowed unsigned: a half-edited file
 * must not open the router to manifests nobody trusts (a plan refuses to run on it anyway).
 */
export function loadTrust(paths: WorkspacePaths): ManifestTrust {
  const { config, diagnostics } = loadPanelConfig(paths);
  return diagnostics.length > 0
    ? { strict: true, allowUnsigned: [] }
    : manifestTrust(config.raw.security);
}

/**
 * `security.allow_paths` for the daemon's drivers, read from panel.yaml now. A panel.yaml that
 * does not validate allows nothing outside the workspace.
 */
export function loadAllowPaths(paths: WorkspacePaths): readonly string[] {
  const { config, diagnostics } = loadPanelConfig(paths);
  return diagnostics.length > 0 ? [] : planSecurity(config.raw.security).allow_paths;
}

/**
 * The plan's inputs, or the diagnostics of every file that is wrong (all of them, not the first).
 * The catalog's own errors count: a manifest the last scan could not read is missing from the
 * catalog, and a plan made without it would unwire its routes as if the symbol had gone.
 */
export function loadPlanInputs(
  paths: WorkspacePaths,
): { ok: true; inputs: PlanInputs } | { ok: false; diagnostics: readonly Diagnostic[] } {
  const { config, diagnostics: configProblems } = loadPanelConfig(paths);
  const { routes, diagnostics: routeProblems } = loadRoutes(paths);
  const { policy, diagnostics: policyProblems } = loadPolicy(paths);
  const diagnostics = [...configProblems, ...routeProblems, ...policyProblems];
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const catalog = readCatalog(paths.catalog);
  const scanErrors = (catalog.diagnostics ?? []).filter((d) => d.severity === "error");
  if (scanErrors.length > 0) return { ok: false, diagnostics: scanErrors };
  const security = planSecurity(config.raw.security);
  const outside = pathsOutside(catalog.symbols, paths.root, security.allow_paths);
  return {
    ok: true,
    inputs: {
      catalog: catalog.symbols,
      routes,
      policy,
      prefer: config.raw.routing?.prefer ?? DEFAULT_PREFER,
      security,
      ...(Object.keys(outside).length === 0 ? {} : { pathsOutside: outside }),
    },
  };
}

/** The last committed topology and its WAL seq (0 and the empty graph before any apply). */
export function committedTopology(paths: WorkspacePaths): { seq: number; topology: Topology } {
  const replay = replayRecords(readWal(paths.wal).records);
  return {
    seq: replay.committed?.seq ?? 0,
    topology: asTopology(replay.committed?.post),
  };
}

/**
 * What a plan is computed from, read from the workspace: the catalog (`rtt scan`'s output), the
 * routes, the policy and panel.yaml's lane preferences, plus the observed graph — the last
 * topology committed to the WAL, read without taking the panel's lock (a running panel keeps
 * exactly that topology alive; docs/design.md §The life of a route: recover).
 */
import type { Diagnostic, LaneKind, Policy } from "@rtt/core";
import { readCatalog } from "../catalog.ts";
import { loadRoutes } from "../routes.ts";
import { replayRecords } from "../wal/replay.ts";
import { readWal } from "../wal/segments.ts";
import { loadDocument } from "../workspace/documents.ts";
import { loadPanelConfig, relativeToRoot, type WorkspacePaths } from "../workspace/workspace.ts";
import type { PlanInputs } from "./plan.ts";
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

/** The plan's inputs, or the diagnostics of every file that is wrong (all of them, not the first). */
export function loadPlanInputs(
  paths: WorkspacePaths,
): { ok: true; inputs: PlanInputs } | { ok: false; diagnostics: readonly Diagnostic[] } {
  const { config, diagnostics: configProblems } = loadPanelConfig(paths);
  const { routes, diagnostics: routeProblems } = loadRoutes(paths);
  const { policy, diagnostics: policyProblems } = loadPolicy(paths);
  const diagnostics = [...configProblems, ...routeProblems, ...policyProblems];
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const catalog = readCatalog(paths.catalog);
  return {
    ok: true,
    inputs: {
      catalog: catalog.symbols,
      routes,
      policy,
      prefer: config.raw.routing?.prefer ?? DEFAULT_PREFER,
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

/**
 * The SBOM of a workspace as it stands: its catalog, the topology last committed to its WAL
 * (what a running panel keeps wired), the drivers those name and the hashes of their files.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { readCatalog } from "../catalog.ts";
import { asTopology, driverFor, type Topology, topologyKey } from "../plan/topology.ts";
import { replayRecords, stateChanges } from "../wal/replay.ts";
import { readWal } from "../wal/segments.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { driverInfo, sha256Of } from "./drivers.ts";

/**
 * The committed topology and the seq of the commit that wired it: a later commit that only
 * journaled a breaker's state keeps the topology, and so must keep the document's bytes.
 */
function wiredTopology(paths: WorkspacePaths): { seq: number; topology: Topology } {
  const last = stateChanges(replayRecords(readWal(paths.wal).records).commits, topologyKey).at(-1);
  return { seq: last?.seq ?? 0, topology: asTopology(last?.post) };
}

export interface WorkspaceSbomOptions {
  readonly rttVersion: string;
  readonly timestamp?: Date;
}

/**
 * The CycloneDX 1.6 JSON text for the workspace at `paths` (RTT_ERR_CATALOG_MISSING before a
 * scan). The document module, and the CycloneDX library with it, load only here: every command
 * and the daemon import @rtt/panel, and none of them should pay for it.
 */
export async function workspaceSbom(
  paths: WorkspacePaths,
  options: WorkspaceSbomOptions,
): Promise<string> {
  const catalog = readCatalog(paths.catalog).symbols;
  const committed = wiredTopology(paths);
  const names = new Set<string>();
  for (const symbol of catalog) {
    const driver = driverFor(symbol);
    if (driver !== undefined) names.add(driver);
  }
  for (const edge of Object.values(committed.topology.edges)) {
    names.add(edge.from.driver);
    names.add(edge.to.driver);
  }
  const manifests = new Map<string, string>();
  // A manifest deleted since the scan has no hash (the catalog still names it), nor has a path
  // that leads out of the workspace: the scan writes none, so the catalog was edited.
  for (const { source } of catalog) {
    const file = resolve(paths.root, source.file);
    const inside = !relative(paths.root, file).startsWith("..");
    if (inside && !manifests.has(source.file) && existsSync(file))
      manifests.set(source.file, sha256Of(file));
  }
  const { sbomDocument } = await import("./document.ts");
  return sbomDocument({
    rttVersion: options.rttVersion,
    catalog,
    committed,
    drivers: [...names].map((name) => driverInfo(paths, name)),
    manifests,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
}

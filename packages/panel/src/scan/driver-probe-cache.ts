/**
 * The last drivers' probe (`.rtt/cache/driver-probe.json`), so a scan whose tree did not change
 * starts no driver. What a probe found is a function of the driver files, the roots, panel.yaml
 * (the sandbox) and the tree the drivers look at; the scanner knows the tree, and says so with a
 * key of its own. It is a cache: unreadable or of another shape means "probe again".
 */
import { readStateFile } from "@rtt/connector-sdk/state-files.ts";
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { stampOf } from "./scan-state.ts";

export const DRIVER_PROBE_CACHE_FORMAT = "rtt.driver-probe/v1";

interface CachedProbe<R> {
  readonly format: typeof DRIVER_PROBE_CACHE_FORMAT;
  /** The caller's key for the tree, and everything else the result depends on, as JSON. */
  readonly inputs: string;
  readonly result: R;
}

/** What a probe depends on: the tree key, the roots, panel.yaml's and each driver file's stamp. */
export function probeInputs(
  paths: WorkspacePaths,
  treeKey: string,
  roots: readonly string[],
  driverFiles: readonly string[],
): string {
  const stamps = driverFiles.map((abs) => [abs, stampOf(abs) ?? null]);
  return JSON.stringify([treeKey, roots, stampOf(paths.panelConfig) ?? null, stamps]);
}

/** The result cached under exactly these inputs, if any. */
export function recallProbe<R extends { claims: unknown; diagnostics: unknown }>(
  path: string,
  inputs: string,
): R | undefined {
  try {
    const cached = JSON.parse(readStateFile(path)) as Partial<CachedProbe<R>>;
    const result = cached.result;
    if (cached.format !== DRIVER_PROBE_CACHE_FORMAT || cached.inputs !== inputs) return undefined;
    if (!Array.isArray(result?.claims) || !Array.isArray(result?.diagnostics)) return undefined;
    return result;
  } catch {
    return undefined;
  }
}

export function rememberProbe<R>(path: string, inputs: string, result: R): void {
  const cached: CachedProbe<R> = { format: DRIVER_PROBE_CACHE_FORMAT, inputs, result };
  writeFileAtomic(path, JSON.stringify(cached));
}

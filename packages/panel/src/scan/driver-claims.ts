/**
 * Workspace drivers' Probe (driver-probe.ts) as the scanner's claims: each checked like an
 * indexer's (indexing.ts), under the indexer name `driver-<name>` the probe gave it. The probe's
 * answer is recalled while the files the scan read are unchanged, so a warm scan starts no
 * driver.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import type { Diagnostic } from "@rtt/core";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { checkClaims, type IndexerClaim } from "./indexing.ts";
import type { CandidatesRead } from "./read-files.ts";

export interface ProbedClaims {
  readonly claims: readonly IndexerClaim[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Whether `.rtt/drivers/` holds anything but dot files (probeDrivers says which are drivers). */
function hasDriverFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => !name.startsWith("."));
  } catch {
    return false;
  }
}

/** A key for the tree as this scan saw it: every file read and its stamp. */
function treeKeyOf(read: CandidatesRead): string {
  const hash = createHash("sha256");
  for (const [rel, entry] of Object.entries(read.files))
    hash.update(`${rel}\0${entry.size}\0${entry.mtime_ms}\0${entry.ino}\0${entry.mode}\n`);
  return hash.digest("hex");
}

export async function probedClaims(
  paths: WorkspacePaths,
  roots: readonly string[],
  read: CandidatesRead,
): Promise<ProbedClaims> {
  // Starting drivers needs the gRPC stack: a workspace with no drivers folder never loads it.
  if (!hasDriverFiles(paths.drivers)) return { claims: [], diagnostics: [] };
  const { probeDrivers } = await import("./driver-probe.ts");
  const probed = await probeDrivers(paths, roots, { treeKey: treeKeyOf(read) });
  if (probed.claims.length === 0) return { claims: [], diagnostics: probed.diagnostics };
  const claims: IndexerClaim[] = [];
  const diagnostics: Diagnostic[] = [...probed.diagnostics];
  const byIndexer = new Map<string, (typeof probed.claims)[number][]>();
  for (const d of probed.claims) {
    const list = byIndexer.get(d.provenance.indexer) ?? [];
    list.push(d);
    byIndexer.set(d.provenance.indexer, list);
  }
  for (const [indexer, found] of byIndexer)
    checkClaims(indexer, found, ".rtt/drivers", claims, diagnostics);
  return { claims, diagnostics };
}

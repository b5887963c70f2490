/**
 * One project, one namespace (ADR 0026, "Addresses"): every claim made in a file under a
 * project's folder takes the namespace of the nearest project at or above that file, and its
 * version when the project states one, whatever indexer made the claim. A shebang script, a
 * systemd unit and a Cargo binary of one repository then share `rtt://fd-find/**`. A claim made
 * under no project keeps the address its indexer gave it (its top folder's name).
 *
 * The projects come from the `project` indexer's facts, keyed by folder; the lookup is a pure
 * function of those facts, so the order in which files were walked cannot change an address.
 */
import { formatSaddr, type JsonValue, parseConcrete } from "@rtt/core";
import { segmentOf, versionOf } from "./indexers/address.ts";
import {
  isProjectFact,
  PROJECT_FILE_ORDER,
  PROJECT_INDEXER,
  type ProjectFact,
} from "./indexers/project-identity.ts";
import { folderOf } from "./indexers/project-meta.ts";
import type { IndexerClaim } from "./indexing.ts";
import type { StateEntry } from "./scan-state.ts";

export interface Project {
  /** The namespace, as a SADDR segment. */
  readonly namespace: string;
  /** An exact version, when the project states one. */
  readonly version?: string;
}

function fileName(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/** The parent of a folder, undefined above the top. */
function parentOf(folder: string): string | undefined {
  return folder === "" ? undefined : folderOf(folder);
}

/** The nearest folder at or above `folder` that is a key of `map`, if any. */
function nearest<T>(folder: string, map: ReadonlyMap<string, T>): T | undefined {
  for (let f: string | undefined = folder; f !== undefined; f = parentOf(f)) {
    const found = map.get(f);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The project of every folder that has one, from the project facts the scan read. */
export function projectsRead(files: Readonly<Record<string, StateEntry>>): Map<string, Project> {
  const byFolder = new Map<string, { rank: number; fact: ProjectFact & { kind: "project" } }>();
  const workspaceVersions = new Map<string, string | null>();
  for (const [rel, entry] of Object.entries(files)) {
    const outcome = entry.outcome;
    if (outcome.kind !== "indexed") continue;
    const facts: readonly JsonValue[] = outcome.facts[PROJECT_INDEXER] ?? [];
    const folder = folderOf(rel);
    const rank = PROJECT_FILE_ORDER.indexOf(fileName(rel));
    for (const fact of facts) {
      if (!isProjectFact(fact)) continue;
      if (fact.kind === "workspace") workspaceVersions.set(folder, fact.version);
      else if (rank >= 0 && rank < (byFolder.get(folder)?.rank ?? Number.POSITIVE_INFINITY))
        byFolder.set(folder, { rank, fact });
    }
  }
  const projects = new Map<string, Project>();
  for (const [folder, { fact }] of byFolder) {
    const stated = fact.inherits === true ? nearest(folder, workspaceVersions) : fact.version;
    const version = stated === null || stated === undefined ? undefined : versionOf(stated);
    projects.set(folder, {
      namespace: segmentOf(fact.name),
      ...(version === undefined ? {} : { version }),
    });
  }
  return projects;
}

/** `claims`, each re-addressed into the nearest project above its file. */
export function inProjectNamespaces(
  claims: readonly IndexerClaim[],
  projects: ReadonlyMap<string, Project>,
): IndexerClaim[] {
  if (projects.size === 0) return [...claims];
  return claims.map((c) => {
    const project = nearest(folderOf(c.discovery.provenance.file), projects);
    if (project === undefined) return c;
    const address = parseConcrete(c.saddr);
    const saddr = formatSaddr({
      ...address,
      namespace: project.namespace,
      version: project.version ?? address.version,
    });
    if (saddr === c.saddr) return c;
    const contract = { ...c.discovery.contract, saddr };
    return { ...c, saddr, discovery: { ...c.discovery, contract } };
  });
}

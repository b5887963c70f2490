/**
 * One project, one namespace (ADR 0026, "Addresses"): every claim made in a file under a
 * project's folder takes the namespace of the nearest project at or above that file, and its
 * version when the project states one, whatever indexer made the claim. A shebang script, a
 * systemd unit and a Cargo binary of one repository then share `rtt://fd-find/**`. A claim named
 * by its file's path (a script) is named by the path below the project's folder. A claim made
 * under no project keeps the address its indexer gave it (its top folder's name).
 *
 * The projects come from the `project` indexer's facts, keyed by folder; the lookup is a pure
 * function of those facts, so the order in which files were walked cannot change an address.
 */
import { posix } from "node:path";
import { formatSaddr, type JsonValue, parseConcrete } from "@rtt/core";
import { segmentOf, versionOf } from "./indexers/address.ts";
import type { Discovery } from "./indexers/indexer.ts";
import { folderOf, nearestProject } from "./indexers/nearest-project.ts";
import { fileNameOf } from "./indexers/project-folder.ts";
import {
  isProjectFact,
  PROJECT_FILE_ORDER,
  PROJECT_INDEXER,
  type ProjectFact,
} from "./indexers/project-identity.ts";
import type { IndexerClaim } from "./indexing.ts";
import type { StateEntry } from "./scan-state.ts";

export interface Project {
  /** The folder of its project file, workspace-relative ('' at the top). */
  readonly folder: string;
  /** The namespace, as a SADDR segment. */
  readonly namespace: string;
  /** An exact version, when the project states one. */
  readonly version?: string;
}

/** The project of every folder that has one, from the project facts the scan read. */
export function projectsRead(files: Readonly<Record<string, StateEntry>>): Map<string, Project> {
  const read: [string, readonly JsonValue[]][] = [];
  for (const [rel, entry] of Object.entries(files)) {
    const facts =
      entry.outcome.kind === "indexed" ? entry.outcome.facts[PROJECT_INDEXER] : undefined;
    if (facts !== undefined) read.push([rel, facts]);
  }
  return projectsOf(read);
}

/** The project of every folder that has one, from the project indexer's facts by file. */
export function projectsOf(
  files: Iterable<readonly [string, readonly JsonValue[]]>,
): Map<string, Project> {
  type Named = { rank: number; rel: string; fact: ProjectFact & { kind: "project" } };
  const byFolder = new Map<string, Named>();
  const workspaceVersions = new Map<string, string | null>();
  for (const [rel, facts] of files) {
    const folder = folderOf(rel);
    const rank = PROJECT_FILE_ORDER.indexOf(fileNameOf(rel));
    for (const fact of facts) {
      if (!isProjectFact(fact)) continue;
      if (fact.kind === "workspace") workspaceVersions.set(folder, fact.version);
      else if (rank >= 0 && rank < (byFolder.get(folder)?.rank ?? Number.POSITIVE_INFINITY))
        byFolder.set(folder, { rank, rel, fact });
    }
  }
  const projects = new Map<string, Project>();
  for (const [folder, { rel, fact }] of byFolder) {
    const stated = fact.inherits === true ? nearestProject(rel, workspaceVersions) : fact.version;
    const version = stated === null || stated === undefined ? undefined : versionOf(stated);
    projects.set(folder, {
      folder,
      namespace: segmentOf(fact.name),
      ...(version === undefined ? {} : { version }),
    });
  }
  return projects;
}

/** A discovery re-addressed into the nearest project above its file; itself under none. */
export function inProject(d: Discovery, projects: ReadonlyMap<string, Project>): Discovery {
  const project = nearestProject(d.provenance.file, projects);
  if (project === undefined) return d;
  const address = parseConcrete(d.contract.saddr);
  const below = posix.relative(`/${project.folder}`, `/${d.provenance.file}`);
  const saddr = formatSaddr({
    ...address,
    namespace: project.namespace,
    ...(d.namedByPath === true ? { name: segmentOf(below) } : {}),
    version: project.version ?? address.version,
  });
  return saddr === d.contract.saddr ? d : { ...d, contract: { ...d.contract, saddr } };
}

/** `claims`, each re-addressed into the nearest project above its file. */
export function inProjectNamespaces(
  claims: readonly IndexerClaim[],
  projects: ReadonlyMap<string, Project>,
): IndexerClaim[] {
  if (projects.size === 0) return [...claims];
  return claims.map((c) => {
    const discovery = inProject(c.discovery, projects);
    return discovery === c.discovery ? c : { ...c, saddr: discovery.contract.saddr, discovery };
  });
}

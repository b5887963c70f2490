/**
 * Where the panel keeps each journaled route's journal (ADR 0016): a one-way route whose QoS
 * drops nothing (`drop: buffer`) gets a directory under `.rtt/run/routes/`, named in the Open
 * params of both its ends (`qos.journal`). The source end's driver journals there what its
 * program wrote, the target end's marks there what it handed on, and each end's program lives
 * there (FIFOs), so a driver's successor adopts the programs and replays the difference. A
 * source program shared by several such routes (ADR 0025) lives under `.rtt/run/sources/`
 * instead, by source, so deleting one of its routes does not end it.
 *
 * The directory outlives links, drivers and panels; it goes when its route is deleted, with
 * the programs recorded in it (they hold the far ends of their own pipes: nothing else would
 * ever end them), and a panel start prunes those of routes deleted while their driver was down,
 * and the `sources/` folders no committed route names (each journaled route's folder says which
 * one it reads, SHARED_SOURCE_FILE), with their programs.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  endRecordedProgram,
  readProgramRecord,
  readStateFile,
  refuseLinks,
  SHARED_SOURCE_FILE,
  stopRecordedPrograms,
} from "@rtt/connector-sdk";
import {
  IDENT_PATTERN,
  quoteInput,
  ROUTE_FANOUT_PARAM,
  ROUTE_JOURNAL_PARAM,
  RttError,
} from "@rtt/core";
import type { Edge } from "../plan/topology.ts";
import { workspacePaths } from "../workspace/workspace.ts";

function routesDir(root: string): string {
  return join(workspacePaths(root).run, "routes");
}

/** Where the driver runs a program shared by journaled routes (ADR 0025), one folder each. */
function sourcesDir(root: string): string {
  return join(workspacePaths(root).run, "sources");
}

const ROUTE_ID = new RegExp(IDENT_PATTERN);

/**
 * The journal folder of `route`. Route ids are checked where they arrive (request-checks.ts,
 * plan-check.ts); this checks again because a folder here is removed with everything in it,
 * and ".." would name `.rtt/run` itself (issue 15).
 */
export function routeJournalDir(root: string, route: string): string {
  if (!ROUTE_ID.test(route))
    throw new RttError(
      "RTT_ERR_INTERNAL",
      `route id ${quoteInput(route)} reached the route journals unchecked`,
    );
  return join(routesDir(root), route);
}

/** A one-way route whose QoS drops nothing: its ends keep a journal. */
export function isJournaled(edge: Edge): boolean {
  return edge.pattern === "oneway" && edge.params["qos.drop"] === "buffer";
}

/** The Open params of a route's ends: the plan's, plus the journal of a one-way `buffer` route. */
export function openParams(root: string, edge: Edge): Readonly<Record<string, string>> {
  if (!isJournaled(edge)) return edge.params;
  const dir = routeJournalDir(root, edge.route);
  // The drivers would journal (and run programs) wherever a link on the way points.
  refuseLinks(dir);
  return { ...edge.params, [ROUTE_JOURNAL_PARAM]: dir };
}

/**
 * The Open params of a route's source end: `params` (openParams), marked sharable when the route
 * is one-way, so the driver runs one program for every such route from the same symbol (ADR
 * 0025; journaled ones among themselves, through a tee into each route's journal). A
 * request/response source pairs answers with its own requests: it keeps a program of its own.
 */
export function sourceOpenParams(
  edge: Edge,
  params: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (edge.pattern !== "oneway") return params;
  return { ...params, [ROUTE_FANOUT_PARAM]: "source" };
}

/** A deleted route's journal and programs: nothing will replay or adopt them any more. */
export function forgetRouteJournal(root: string, route: string): void {
  const dir = routeJournalDir(root, route);
  // Through a link, the pids recorded would be someone else's to kill and the folder theirs.
  refuseLinks(dir);
  stopRecordedPrograms(dir);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * At a panel stop, after its drivers closed their links: programs still running that no driver
 * runs (a detached close nobody adopted, a driver that died) end too — nothing else would end
 * them. Their pids.
 */
export function stopUnownedPrograms(root: string): number[] {
  let entries: string[];
  try {
    // A linked run folder holds no programs of ours (forgetRouteJournal refuses it, loudly).
    refuseLinks(routesDir(root));
    entries = readdirSync(routesDir(root));
  } catch {
    entries = [];
  }
  const routes = entries.flatMap((e) =>
    stopRecordedPrograms(join(routesDir(root), e), { unownedOnly: true }),
  );
  // A shared source's folder is itself a program's state folder (no ends below it).
  try {
    refuseLinks(sourcesDir(root));
  } catch {
    return routes;
  }
  return [...routes, ...stopRecordedPrograms(sourcesDir(root), { unownedOnly: true })];
}

/** Forgets the journals of routes not in `keep`; the routes whose journals went. */
export function pruneRouteJournals(root: string, keep: ReadonlySet<string>): string[] {
  let entries: string[];
  try {
    entries = readdirSync(routesDir(root));
  } catch {
    return [];
  }
  // A route id names its folder as it is; anything else there is not a journal of ours.
  const gone = entries.filter((e) => ROUTE_ID.test(e) && !keep.has(e));
  for (const route of gone) forgetRouteJournal(root, route);
  return gone;
}

/** A `sources/` folder's name (shared-sources.ts): anything else there is not ours. */
const SOURCE_FOLDER = /^[0-9a-f]{16}$/;

/**
 * Forgets the shared source folders (ADR 0025) that none of the routes `keep` names, ending the
 * program recorded in each; the folders that went.
 */
export function pruneSharedSources(root: string, keep: ReadonlySet<string>): string[] {
  const dir = sourcesDir(root);
  let entries: string[];
  try {
    // Through a link, the pids recorded would be someone else's to kill and the folders theirs.
    refuseLinks(dir);
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const named = new Set<string>();
  for (const route of keep) {
    try {
      named.add(readStateFile(join(routeJournalDir(root, route), SHARED_SOURCE_FILE)).trim());
    } catch {
      // Not journaled, or not opened as a shared source yet.
    }
  }
  const gone = entries.filter((e) => SOURCE_FOLDER.test(e) && !named.has(e));
  for (const folder of gone) {
    const record = readProgramRecord(join(dir, folder));
    if (record !== undefined) endRecordedProgram(record);
    rmSync(join(dir, folder), { recursive: true, force: true });
  }
  return gone;
}

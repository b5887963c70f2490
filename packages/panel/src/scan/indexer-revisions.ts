/**
 * Which indexers' cached facts are stale. Facts depend on the indexer that read them (its name
 * and revision: a new version that finds more in the same bytes bumps it) and on where the
 * workspace sits (a file at its top belongs to a project named after the workspace's folder).
 */
import type { IndexEntry, Indexer } from "./indexers/indexer.ts";
import { wantsSafely } from "./indexing.ts";

/** The indexers facts were read with, as kept in the scan state. */
export interface IndexerKey {
  readonly root: string;
  /** Revision by indexer name, names sorted. */
  readonly revisions: Readonly<Record<string, number>>;
}

export function indexerKeyOf(indexers: readonly Indexer[], root: string): IndexerKey {
  const revisions: Record<string, number> = {};
  for (const indexer of [...indexers].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  ))
    revisions[indexer.name] = indexer.revision;
  return { root, revisions };
}

/** The key as the scan state holds it; undefined when it is not one (an older state's). */
export function parseIndexerKey(value: unknown): IndexerKey | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { root, revisions } = value as Partial<IndexerKey>;
  if (typeof root !== "string" || typeof revisions !== "object" || revisions === null)
    return undefined;
  if (!Object.values(revisions).every((r) => Number.isInteger(r))) return undefined;
  return { root, revisions };
}

export function sameIndexerKey(a: IndexerKey | undefined, b: IndexerKey): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What the last scan's facts are worth to this one: `all` stale when the workspace moved, when
 * the last scan's indexers are unknown, or when one it ran is gone (its facts and read warnings
 * sit in entries no current indexer can tell apart); otherwise the indexers new or revised since,
 * whose wanted files alone are read again.
 */
export function staleIndexers(
  previous: IndexerKey | undefined,
  current: IndexerKey,
  indexers: readonly Indexer[],
): "all" | readonly Indexer[] {
  if (previous === undefined || previous.root !== current.root) return "all";
  const { revisions } = previous;
  if (Object.keys(revisions).some((name) => !Object.hasOwn(current.revisions, name))) return "all";
  return indexers.filter(
    (i) => !Object.hasOwn(revisions, i.name) || revisions[i.name] !== i.revision,
  );
}

/** Whether a stale indexer wants the entry: its cached facts, if any, were read by an older one. */
export function wantedByStale(stale: readonly Indexer[], entry: IndexEntry): boolean {
  return stale.some((indexer) => wantsSafely(indexer, entry));
}

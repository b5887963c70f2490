/**
 * The git tags of every catalogued symbol (`git.branch`, `git.commit`, `git.dirty`, from
 * git-tags.ts): those of the repository its declaring file sits in. A manifest's or sidecar's
 * own tag of the same name wins: git's are the defaults, never an override.
 */
import { type CatalogSymbol, withTags } from "@rtt/core";
import { type GitMemo, gitRepoOf, gitTagsFor, newGitMemo } from "./git-tags.ts";

/**
 * The git state a catalog was tagged with, keyed per folder and per repository (not per
 * symbol): the next scan, its other inputs unchanged, reads the same folders' state again and
 * compares `digest` to know whether the catalog still holds.
 */
export interface GitState {
  /** The folders (workspace-relative, '/'-separated) of the symbols' files, sorted. */
  readonly folders: readonly string[];
  readonly digest: string;
}

export interface GitTagged {
  readonly symbols: CatalogSymbol[];
  readonly state: GitState;
}

function folderOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/**
 * The digest of the git state of `folders`: which repository each sits in and that repository's
 * tags. Each repository is read once (`memo`).
 */
export function gitDigestOf(root: string, folders: readonly string[], memo: GitMemo): string {
  const repos: Record<string, Readonly<Record<string, string>>> = {};
  const tops = folders.map((folder) => {
    // A file name under the folder: the repository is looked for from the file's folder up.
    const repo = gitRepoOf(root, folder === "" ? "x" : `${folder}/x`, memo);
    if (repo === undefined) return null;
    repos[repo.top] = repo.tags;
    return repo.top;
  });
  return JSON.stringify([tops, repos]);
}

export function withGitTags(
  root: string,
  symbols: readonly CatalogSymbol[],
  memo: GitMemo = newGitMemo(),
): GitTagged {
  const tagged = symbols.map((symbol) => {
    const git = gitTagsFor(root, symbol.source.file, memo);
    return withTags(
      symbol,
      Object.fromEntries(Object.entries(git).filter(([k]) => !(k in symbol.tags))),
    );
  });
  const folders = [...new Set(symbols.map((s) => folderOf(s.source.file)))].sort();
  return { symbols: tagged, state: { folders, digest: gitDigestOf(root, folders, memo) } };
}

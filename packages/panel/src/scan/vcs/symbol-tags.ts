/**
 * The git tags of every catalogued symbol (`git.branch`, `git.commit`, `git.dirty`, from
 * git-tags.ts): those of the repository its declaring file sits in. A manifest's or sidecar's
 * own tag of the same name wins: git's are the defaults, never an override.
 */
import { type CatalogSymbol, withTags } from "@rtt/core";
import { gitTagsFor, newGitMemo } from "./git-tags.ts";

export interface GitTagged {
  readonly symbols: CatalogSymbol[];
  /** The git tags given, per symbol in order, as JSON: a change means the catalog changed. */
  readonly digest: string;
}

export function withGitTags(root: string, symbols: readonly CatalogSymbol[]): GitTagged {
  const memo = newGitMemo();
  const given: Readonly<Record<string, string>>[] = [];
  const tagged = symbols.map((symbol) => {
    const git = gitTagsFor(root, symbol.source.file, memo);
    given.push(git);
    return withTags(
      symbol,
      Object.fromEntries(Object.entries(git).filter(([k]) => !(k in symbol.tags))),
    );
  });
  return { symbols: tagged, digest: JSON.stringify(given) };
}

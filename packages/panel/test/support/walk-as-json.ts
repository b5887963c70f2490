/** A walk as the scanner runs it (every registry indexer asked), as comparable JSON text. */
import type { Diagnostic } from "@rtt/core";
import type { FolderLister } from "@rtt/fabric/folder-lister.ts";
import { INDEXERS } from "../../src/scan/indexers/registry.ts";
import { wantedBy } from "../../src/scan/indexing.ts";
import { type WalkOptions, walk } from "../../src/scan/walk.ts";
import { declaredNames } from "../../src/scan/wants-lookup.ts";

export type WalkedOptions = Pick<WalkOptions, "root" | "roots" | "ignore" | "followSymlinks"> & {
  /** Walk for manifests only, as `rtt trust verify` does: no indexer asked. */
  readonly manifestsOnly?: boolean;
};

export function walkAsJson(
  options: WalkedOptions,
  failures: Diagnostic[],
  lister?: FolderLister,
): string {
  const { manifestsOnly, ...walkOptions } = options;
  const walked = walk({
    ...walkOptions,
    ...(manifestsOnly === true
      ? {}
      : { wants: wantedBy(INDEXERS, failures), wanted: declaredNames(INDEXERS) }),
    ...(lister === undefined ? {} : { lister }),
  });
  return JSON.stringify({
    candidates: walked.candidates.map((c) => [c.kind, c.rel, c.abs]),
    files: walked.files,
    dirs: walked.dirs,
    diagnostics: walked.diagnostics,
    folders: [...(walked.listed?.folders ?? [])].sort(),
    withGit: [...(walked.listed?.withGit ?? [])].sort(),
  });
}

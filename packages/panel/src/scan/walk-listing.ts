/**
 * Where the walk gets a folder's entries (ADR 0038): from the native addon's folder lister,
 * which lists folders ahead of the walk on threads of its own, naming only the files the walk
 * reads and counting the rest; else from readdir, made into the same shape. One listing shape
 * for both, so the walk has one way to visit a folder.
 */
import type { Dirent } from "node:fs";
import { join, sep } from "node:path";
import {
  type FolderLister,
  type FolderListing,
  type ListedNames,
  ListedType,
  startFolderLister,
} from "@rtt/fabric/folder-lister.ts";

/**
 * A scan root as the walk names it: absolute, without a trailing separator (the default root
 * is "./"), as path.resolve names folders, which the git tags look them up by.
 */
export function rootFolder(root: string, r: string): string {
  const joined = join(root, r);
  return joined.length > 1 && joined.endsWith(sep) ? joined.slice(0, -1) : joined;
}

/** The roots in the order the walk stacks them (the first root on top). */
export function rootFolders(root: string, roots: readonly string[]): string[] {
  return [...roots].reverse().map((r) => rootFolder(root, r));
}

/**
 * A lister for a walk of `roots` under `root`; undefined without the native addon. It needs no
 * indexer: which files it names is set when the walk takes it (FolderLister.name).
 */
export function startWalkLister(options: {
  readonly root: string;
  readonly roots: readonly string[];
  readonly ignore: readonly string[];
}): FolderLister | undefined {
  return startFolderLister(rootFolders(options.root, options.roots), prunedNames(options.ignore));
}

/**
 * The ignore entries that are bare names (`node_modules`, `.git`): the lister does not descend
 * into folders so named. Only a hint: a folder the walk enters after all (a later `!name`) is
 * "not listed", and the walk reads it itself.
 */
function prunedNames(ignore: readonly string[]): string[] {
  return ignore.filter((p) => /^[A-Za-z0-9_.-]+$/.test(p) && p !== "." && p !== "..");
}

/**
 * The file names a listing must name: the walk's `own` and every one an indexer may want
 * (`wanted`, which covers all `wants` passes); every name when there is `wants` but no
 * `wanted`, none of an indexer's when there is no `wants`.
 */
export function listedNames(
  options: { readonly wants?: unknown; readonly wanted?: ListedNames },
  own: readonly string[],
): ListedNames {
  const { wants, wanted } = options;
  if (wants === undefined || wanted === undefined) {
    return {
      all: wants !== undefined,
      names: own,
      suffixes: [],
      containing: [],
      noExtension: false,
    };
  }
  return { ...wanted, names: [...own, ...wanted.names] };
}

/** A folder as readdir gave it, as a listing: devices counted, every other entry named. */
export function listingOf(entries: readonly Dirent[]): FolderListing {
  const names: string[] = [];
  const types: number[] = [];
  let plainFiles = 0;
  for (const entry of entries) {
    const type = entry.isFile()
      ? ListedType.file
      : entry.isDirectory()
        ? ListedType.folder
        : entry.isSymbolicLink()
          ? ListedType.link
          : entry.isFIFO()
            ? ListedType.fifo
            : entry.isSocket()
              ? ListedType.socket
              : undefined;
    if (type === undefined) {
      plainFiles++; // a device: counted, nothing to index
      continue;
    }
    names.push(entry.name);
    types.push(type);
  }
  return { plainFiles, names, types };
}

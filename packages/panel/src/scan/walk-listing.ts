/**
 * Where the walk gets a folder's entries (ADR 0038): from the native addon's folder lister,
 * which lists folders ahead of the walk on threads of its own, naming only the files the walk
 * reads and counting the rest; else from readdir, made into the same shape. One listing shape
 * for both, so the walk has one way to visit a folder.
 */
import { type Dirent, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import {
  type FolderLister,
  type FolderListing,
  type ListedNames,
  ListedType,
  startFolderLister,
} from "@rtt/fabric/folder-lister.ts";
import { identity } from "./walk-links.ts";
import { isWithin } from "./within.ts";

/**
 * A scan root as the walk names it: absolute, without a trailing separator (the default root
 * is "./"), as path.resolve names folders, which the git tags look them up by.
 */
function rootFolder(root: string, r: string): string {
  const joined = join(root, r);
  return joined.length > 1 && joined.endsWith(sep) ? joined.slice(0, -1) : joined;
}

/** A scan root the walk walks: its folder, real path and identity. */
export interface KeptRoot {
  /** As panel.yaml names it. */
  readonly r: string;
  readonly abs: string;
  readonly real: string;
  /** device:inode (walk-links.ts `identity`). */
  readonly id: string;
}

/**
 * The roots the walk walks, in the order it stacks them (the first root on top): each resolved,
 * one inside a root kept before it left out; and those that cannot be resolved, with why.
 */
export function scanRoots(
  root: string,
  roots: readonly string[],
): { kept: KeptRoot[]; failed: { r: string; abs: string; error: unknown }[] } {
  const kept: KeptRoot[] = [];
  const failed: { r: string; abs: string; error: unknown }[] = [];
  for (const r of [...roots].reverse()) {
    const abs = rootFolder(root, r);
    try {
      const real = realpathSync(abs);
      if (
        isWithin(
          real,
          kept.map((k) => k.real),
        )
      )
        continue;
      kept.push({ r, abs, real, id: identity(statSync(real)) });
    } catch (error) {
      failed.push({ r, abs, error });
    }
  }
  return { kept, failed };
}

/**
 * A lister for a walk of `roots` under `root`: the roots the walk keeps (scanRoots), listed in
 * its order; undefined without the native addon. It needs no indexer: which files it names is
 * set when the walk takes it (FolderLister.name).
 */
export function startWalkLister(options: {
  readonly root: string;
  readonly roots: readonly string[];
  readonly ignore: readonly string[];
}): FolderLister | undefined {
  const { kept } = scanRoots(options.root, options.roots);
  return listerFor(
    kept.map((k) => k.abs),
    options.ignore,
  );
}

/** A lister of `folders` (the roots the walk kept, in its order), pruning `ignore`'s bare names. */
export function listerFor(
  folders: readonly string[],
  ignore: readonly string[],
): FolderLister | undefined {
  return startFolderLister(folders, prunedNames(ignore));
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

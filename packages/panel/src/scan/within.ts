/**
 * Path containment, by arithmetic only (no file system): the walk asks it about real paths,
 * so links are already resolved by the time it is asked.
 */
import { resolve, sep } from "node:path";

/**
 * `path` is one of `folders` or lies below one. Both sides are normalised first (`..`, `.`,
 * repeated and trailing separators), and a folder only contains its children: /a/bc is not
 * inside /a/b.
 */
export function isWithin(path: string, folders: readonly string[]): boolean {
  const p = resolve(path);
  return folders.some((folder) => {
    const f = resolve(folder);
    if (p === f) return true;
    // The file system root is the one folder whose normal form already ends in a separator.
    const prefix = f.endsWith(sep) ? f : f + sep;
    return p.startsWith(prefix);
  });
}

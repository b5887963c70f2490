/**
 * Folder arithmetic on '/'-separated workspace paths, for finding the project a file belongs
 * to: the nearest folder at or above it that holds a project file.
 */

/** The folder of `rel` ('' at the top), '/'-separated like every `rel`. */
export function folderOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** The parent of `folder`, or undefined at the top. */
export function parentOf(folder: string): string | undefined {
  return folder === "" ? undefined : folderOf(folder);
}

/** The value in `byFolder` for the nearest folder at or above the file `rel`, if any. */
export function nearestProject<T>(rel: string, byFolder: ReadonlyMap<string, T>): T | undefined {
  for (let folder: string | undefined = folderOf(rel); folder !== undefined; ) {
    const found = byFolder.get(folder);
    if (found !== undefined) return found;
    folder = parentOf(folder);
  }
  return undefined;
}

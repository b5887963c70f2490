/**
 * A value derived from a file, recomputed only when the file changes (its size, mtime or inode):
 * the daemon reads the catalog and the policy on hot paths (every health tick, every ListSymbols),
 * and re-reading and re-validating them each time was most of its CPU.
 */
import { statSync } from "node:fs";

export function cachedByFile<T>(path: string, load: () => T): () => T {
  let key: string | undefined;
  let value: T;
  return () => {
    let now: string;
    try {
      const s = statSync(path);
      now = `${s.size}:${s.mtimeMs}:${s.ino}`;
    } catch {
      now = "absent";
    }
    if (now !== key) {
      value = load();
      key = now;
    }
    return value;
  };
}

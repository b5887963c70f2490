/**
 * For a connector's `probe`: the valid manifests under a folder, with where each was found.
 * Skips .git, node_modules and .rtt, and folders whose name has a dot (build outputs, caches),
 * at most 8 levels deep. Invalid manifests are left out — `rtt scan` is where they get reported.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Contract, validateDocument } from "@rtt/core";

const SKIP = new Set([".git", "node_modules", ".rtt"]);
const MAX_DEPTH = 8;

export interface FoundManifest {
  /** The manifest file's path. */
  readonly path: string;
  readonly contract: Contract;
}

export function findManifests(root: string): FoundManifest[] {
  const found: FoundManifest[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (SKIP.has(name)) continue;
      const path = join(dir, name);
      if (name === "rtt.manifest.json") {
        let text: string;
        try {
          text = readFileSync(path, "utf8");
        } catch {
          continue;
        }
        const result = validateDocument("manifest", text, path);
        if (result.ok) found.push({ path, contract: result.value.symbol });
      } else if (depth < MAX_DEPTH && !name.includes(".")) {
        walk(path, depth + 1);
      }
    }
  };
  walk(root, 0);
  return found;
}

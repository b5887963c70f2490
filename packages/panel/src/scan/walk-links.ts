/**
 * How the walk treats a symbolic link (ADR 0021), and a mount point in a tree it reached
 * through one: which link to follow, which to count as a file, which to skip, and what each
 * skip is worth saying. Every verdict is reached with one stat and at most one realpath.
 */
import { realpathSync, type Stats, statSync } from "node:fs";
import type { Diagnostic, FollowSymlinks } from "@rtt/core";
import { errorText } from "./fs-error-text.ts";
import type { IgnoreRules } from "./ignore-rules.ts";
import { isPseudoFs } from "./pseudo-fs.ts";
import { scanWarning } from "./scan-warning.ts";
import type { WantsEntry } from "./walk.ts";
import { isWithin } from "./within.ts";

/** A folder's identity: a link to one already walked is not followed again. */
export const identity = (stats: Stats) => `${stats.dev}:${stats.ino}`;

/** What the walk knows that a verdict depends on. */
export interface LinkContext {
  readonly followSymlinks: FollowSymlinks;
  readonly wants?: WantsEntry;
  /** Real paths of the roots: a link into one is not followed (the folder is walked anyway). */
  readonly rootReals: readonly string[];
  /** device:inode of the roots and of the folders reached through a link, each walked once. */
  readonly walkedTargets: ReadonlySet<string>;
  /** Where a skip worth a word is reported. */
  readonly diagnostics: Diagnostic[];
}

/** A folder to follow (with its real path, identity and device), a file to count, or nothing. */
export type LinkVerdict =
  | {
      readonly real: string;
      readonly id: string;
      readonly foreign: { readonly foreignDev: number };
    }
  | "file"
  | "skip";

/**
 * What the link at `abs` (`rel`, in the folder whose real path is `parentReal`) is to the walk.
 * `manifestLike`: its name is a manifest's or a sidecar's.
 */
export function judgeLink(
  context: LinkContext,
  link: { readonly abs: string; readonly rel: string; readonly parentReal: string },
  rules: IgnoreRules,
  manifestLike: boolean,
): LinkVerdict {
  const { abs, rel } = link;
  const { diagnostics } = context;
  const mode = context.followSymlinks;
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  let stats: Stats;
  try {
    stats = statSync(abs);
  } catch {
    // Dangling: worth a word only if it pretends to be something we would read.
    if (manifestLike) {
      diagnostics.push(
        scanWarning(rel, "RTT_ERR_SCAN_SYMLINK", "dangling symbolic link", {
          hint: "its target does not exist",
        }),
      );
    }
    return "skip";
  }
  const isDir = stats.isDirectory();
  // A link to a file that no one reads is only counted; a FIFO or socket named like a
  // manifest is the scanner's to refuse. One an indexer wants is judged like a manifest: an
  // indexer must not read through a link what the walk would not reach.
  const candidate =
    manifestLike || (!isDir && context.wants?.({ rel, abs, name, kind: "file" }) === true);
  if (!isDir && !candidate) return "file";
  if (mode === "never") return "skip";
  if (isDir && rules.ignores(rel, true)) return "skip";
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (error) {
    diagnostics.push(
      scanWarning(rel, "RTT_ERR_SCAN_UNREADABLE", `link not resolved: ${errorText(error)}`),
    );
    return "skip";
  }
  const inRoots = isWithin(real, context.rootReals);
  if (mode === "within" && !inRoots) {
    diagnostics.push(
      scanWarning(
        rel,
        "RTT_ERR_SCAN_SYMLINK",
        `symbolic link leads out of the scan roots (to ${JSON.stringify(real)}); not followed`,
        {
          hint: "move what it points at under a scan root, add that folder to scan.roots, or set scan.follow_symlinks: always in .rtt/panel.yaml",
        },
      ),
    );
    return "skip";
  }
  if (!isDir) return "file";
  if (isWithin(link.parentReal, [real])) {
    diagnostics.push(
      scanWarning(
        rel,
        "RTT_ERR_SCAN_SYMLINK",
        "symbolic link loop: it leads to a folder above itself; not followed",
      ),
    );
    return "skip";
  }
  // Inside a root, or reached before through another link: walking it again would only
  // report its manifests twice.
  const id = identity(stats);
  if (inRoots || context.walkedTargets.has(id)) return "skip";
  if (isPseudoFs(real)) {
    diagnostics.push(pseudoFsWarning(rel));
    return "skip";
  }
  return { real, id, foreign: { foreignDev: stats.dev } };
}

/**
 * In a tree reached through a link out of the roots, a subfolder on another device is a mount
 * point: its device, to be entered, unless it is a pseudo file system (undefined, reported).
 */
export function foreignDevice(
  diagnostics: Diagnostic[],
  folder: { readonly abs: string; readonly rel: string },
  dev: number,
): number | undefined {
  let stats: Stats;
  try {
    stats = statSync(folder.abs);
  } catch {
    // Vanished: reading it will say so (or stay silent, as for any folder).
    return dev;
  }
  if (stats.dev === dev) return dev;
  if (!isPseudoFs(folder.abs)) return stats.dev;
  diagnostics.push(pseudoFsWarning(folder.rel));
  return undefined;
}

function pseudoFsWarning(rel: string): Diagnostic {
  return scanWarning(
    rel,
    "RTT_ERR_SCAN_SYMLINK",
    "leads into a pseudo file system (/proc, /sys…); not walked",
  );
}

/**
 * The scanner's walk: every folder under the roots, pruned by the ignore rules, yielding only
 * the entries the scanner reads: manifests, `.rtttags` sidecars, and the files, FIFOs and
 * sockets some indexer `wants` (ADR 0026; one walk serves them all). It never hangs and never
 * throws for what it finds on disk:
 * - symbolic links are judged by `followSymlinks` (ADR 0021): under "within" (the default) a
 *   link whose target lies outside every scan root is reported and skipped, "never" skips
 *   every link to a folder or candidate silently, "always" follows them; a link to a folder is
 *   followed once: never one leading to an ancestor of where it stands (a loop), into a root
 *   (walked anyway) or to a folder already reached (same device and inode);
 * - a followed link never leads into a pseudo file system (/proc, /sys…), nor does the walk
 *   descend into one from a tree it reached through a link;
 * - unreadable or vanishing folders are reported and skipped; a manifest whose path is not
 *   UTF-8 is reported by its escaped path (undecodable.ts);
 * - it opens no file but .gitignore; the scanner checks each manifest is a regular file.
 * Synchronous on purpose: one thread issuing readdir back to back is what `find` does, and
 * the bench compares the two.
 */
import {
  type Dirent,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { join, sep } from "node:path";
import type { Diagnostic, FollowSymlinks } from "@rtt/core";
import { errorMessage } from "@rtt/core";
import { IgnoreRules } from "./ignore-rules.ts";
import type { IndexEntry } from "./indexers/indexer.ts";
import { isPseudoFs } from "./pseudo-fs.ts";
import { scanWarning } from "./scan-warning.ts";
import { escapeBytes, filesUnder, undecodableEntries } from "./undecodable.ts";
import { joinRel, WalkedEntry } from "./walked-entry.ts";
import { isWithin } from "./within.ts";

export const MANIFEST_FILE = "rtt.manifest.json";
export const TAGS_FILE = ".rtttags";
/** Folders under `.rtt/` that hold RTT's own state, never symbols. */
const RTT_STATE_DIRS = new Set(["cache", "wal", "sockets", "drivers"]);

export type CandidateKind = "manifest" | "tags";

export type Candidate =
  | {
      readonly kind: CandidateKind;
      /** Relative to the workspace root, '/'-separated. */
      readonly rel: string;
      readonly abs: string;
    }
  | {
      /** An entry some indexer wants (no manifest or sidecar is ever one). */
      readonly kind: "indexed";
      readonly rel: string;
      readonly abs: string;
      readonly entry: IndexEntry;
    };

/** Whether some indexer wants an entry: cheap, no I/O (Indexer.wants). */
export type WantsEntry = (entry: IndexEntry) => boolean;

export interface WalkOptions {
  readonly root: string;
  /** Roots relative to `root`. */
  readonly roots: readonly string[];
  readonly ignore: readonly string[];
  readonly followSymlinks: FollowSymlinks;
  /** Which other entries to yield, for the indexers; none when absent. */
  readonly wants?: WantsEntry;
  /** Called now and then with running totals, for progress display. */
  readonly onProgress?: (files: number, dirs: number) => void;
}

export interface WalkResult {
  readonly candidates: Candidate[];
  readonly files: number;
  readonly dirs: number;
  readonly diagnostics: Diagnostic[];
  /**
   * The folders listed (absolute), and those of them holding a `.git` entry: the git tags ask
   * no folder the walk listed whether it holds one (vcs/git-tags.ts, GitMemo.listed). Absent
   * in a result not made by a walk: every folder is then asked.
   */
  readonly listed?: {
    readonly folders: ReadonlySet<string>;
    readonly withGit: ReadonlySet<string>;
  };
}

interface Frame {
  readonly abs: string;
  readonly rel: string;
  /** Real path of this folder, to recognise links that lead back up. */
  readonly real: string;
  readonly rules: IgnoreRules;
  /**
   * The device of the tree outside the roots this folder was reached in through a link
   * ("always" only); undefined inside the roots. A subfolder on another device there is
   * checked not to be a pseudo file system before it is entered.
   */
  readonly foreignDev?: number;
}

const identity = (stats: Stats) => `${stats.dev}:${stats.ino}`;

function candidateKind(name: string, parentRel: string): CandidateKind | undefined {
  if (name === MANIFEST_FILE) return "manifest";
  if (name === TAGS_FILE) return "tags";
  if (
    name.endsWith(".json") &&
    (parentRel === ".rtt/manifests" || parentRel.endsWith("/.rtt/manifests"))
  ) {
    return "manifest";
  }
  return undefined;
}

export function walk(options: WalkOptions): WalkResult {
  return new TreeWalk(options).run();
}

/** One walk's running state: the folders still to read and what was found so far. */
class TreeWalk {
  readonly #options: WalkOptions;
  readonly #candidates: Candidate[] = [];
  readonly #diagnostics: Diagnostic[] = [];
  #files = 0;
  #dirs = 0;
  /** Real paths of the roots: a link into one is not followed (the folder is walked anyway). */
  readonly #rootReals: string[] = [];
  /** device:inode of the roots and of the folders reached through a link, each walked once. */
  readonly #walkedTargets = new Set<string>();
  readonly #stack: Frame[] = [];
  readonly #listed = new Set<string>();
  readonly #withGit = new Set<string>();
  /** The entry offered to `wants`, reset for each file. */
  readonly #lazy = new WalkedEntry();

  constructor(options: WalkOptions) {
    this.#options = options;
  }

  run(): WalkResult {
    this.#pushRoots();
    for (let frame = this.#stack.pop(); frame !== undefined; frame = this.#stack.pop()) {
      this.#visitFolder(frame);
    }
    const candidates = this.#candidates;
    candidates.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    return {
      candidates,
      files: this.#files,
      dirs: this.#dirs,
      diagnostics: this.#diagnostics,
      listed: { folders: this.#listed, withGit: this.#withGit },
    };
  }

  /** Stacks each root to be walked first-listed first; one inside another root is left out. */
  #pushRoots(): void {
    const options = this.#options;
    const baseRules = IgnoreRules.fromConfig(options.ignore);
    for (const r of [...options.roots].reverse()) {
      // Without a trailing separator (the default root is "./"): the folders below are named
      // as path.resolve names them, which the git tags look them up by (WalkResult.listed).
      const joined = join(options.root, r);
      const abs = joined.length > 1 && joined.endsWith(sep) ? joined.slice(0, -1) : joined;
      const rel = relPath(options.root, abs);
      try {
        const real = realpathSync(abs);
        if (isWithin(real, this.#rootReals)) continue;
        this.#rootReals.push(real);
        this.#walkedTargets.add(identity(statSync(real)));
        this.#stack.push({ abs, rel, real, rules: baseRules });
      } catch (error) {
        this.#diagnostics.push(
          scanWarning(
            rel || ".",
            "RTT_ERR_SCAN_UNREADABLE",
            `scan root ${JSON.stringify(r)}: ${errorText(error)}`,
          ),
        );
      }
    }
  }

  #visitFolder(frame: Frame): void {
    const read = this.#readFolder(frame);
    if (read === undefined) return;
    this.#dirs++;
    this.#listed.add(frame.abs);
    const rules = this.#rulesWithGitignore(frame, read);
    // A name Node could not decode reads as U+FFFD: rare, so only then is the folder read again
    // by bytes, its undecodable entries reported and left out of the walk.
    const entries = read.some((e) => e.name.includes("\uFFFD"))
      ? this.#withoutUndecodable(frame, read, rules)
      : read;
    const inRttDir = frame.rel === ".rtt" || frame.rel.endsWith("/.rtt");
    for (const entry of entries) {
      if (entry.name === ".git") this.#withGit.add(frame.abs);
      this.#visitEntry(frame, entry, rules, inRttDir);
    }
    const onProgress = this.#options.onProgress;
    if (onProgress !== undefined && (this.#dirs & 63) === 0) onProgress(this.#files, this.#dirs);
  }

  /** The folder's entries; undefined when it vanished (silently) or cannot be read (reported). */
  #readFolder(frame: Frame): Dirent[] | undefined {
    try {
      return readdirSync(frame.abs, { withFileTypes: true });
    } catch (error) {
      if (codeOf(error) !== "ENOENT") {
        this.#diagnostics.push(
          scanWarning(
            frame.rel || ".",
            "RTT_ERR_SCAN_UNREADABLE",
            `folder not read: ${errorText(error)}`,
          ),
        );
      }
      return undefined;
    }
  }

  /** `entries` less those whose names are not UTF-8, each candidate under them reported. */
  #withoutUndecodable(frame: Frame, entries: Dirent[], rules: IgnoreRules): Dirent[] {
    const lossy = new Set<string>();
    for (const entry of undecodableEntries(frame.abs)) {
      lossy.add(entry.name.toString("utf8"));
      const name = escapeBytes(entry.name);
      const rel = joinRel(frame.rel, name);
      if (rules.ignores(rel, entry.isDirectory())) continue;
      const reported = entry.isDirectory()
        ? filesUnder(
            Buffer.concat([Buffer.from(frame.abs + sep), entry.name]),
            rel,
            (n, parent, isDir) =>
              !rules.ignores(`${parent}/${n}`, isDir) &&
              (isDir || candidateKind(n, parent) !== undefined),
          )
        : candidateKind(name, frame.rel) === undefined
          ? []
          : [rel];
      for (const file of reported) {
        this.#diagnostics.push(
          scanWarning(
            file,
            "RTT_ERR_SCAN_UNREADABLE",
            "not read: its path is not UTF-8 (shown with the bad bytes as \\xNN)",
            { hint: "rename the folder or file to a UTF-8 name" },
          ),
        );
      }
    }
    return entries.filter((e) => !lossy.has(e.name));
  }

  /** The rules that hold inside the folder: its parent's, plus its own .gitignore if it has one. */
  #rulesWithGitignore(frame: Frame, entries: readonly Dirent[]): IgnoreRules {
    const gitignore = entries.find((e) => e.name === ".gitignore" && e.isFile());
    if (gitignore === undefined) return frame.rules;
    try {
      return frame.rules.withGitignore(
        frame.rel,
        readFileSync(join(frame.abs, ".gitignore"), "utf8"),
      );
    } catch (error) {
      this.#diagnostics.push(
        scanWarning(
          joinRel(frame.rel, ".gitignore"),
          "RTT_ERR_SCAN_UNREADABLE",
          `not read: ${errorText(error)}`,
        ),
      );
      return frame.rules;
    }
  }

  #visitEntry(frame: Frame, entry: Dirent, rules: IgnoreRules, inRttDir: boolean): void {
    const name = entry.name;
    // Most entries are plain files that are not candidates: they are only counted, and no
    // path string is built for them (a warm scan's time is mostly allocation and readdir).
    if (entry.isFile()) {
      this.#files++;
      this.#offer(frame, name, "file", rules);
      return;
    }
    const rel = joinRel(frame.rel, name);
    // Concatenation, not path.join: the names come from readdir, and join's normalising
    // was a fifth of a warm scan's time.
    const abs = frame.abs + sep + name;
    if (entry.isDirectory()) {
      if (inRttDir && RTT_STATE_DIRS.has(name)) return;
      if (rules.ignores(rel, true)) return;
      const real = frame.real + sep + name;
      if (frame.foreignDev === undefined) {
        this.#stack.push({ abs, rel, real, rules });
        return;
      }
      const foreignDev = this.#foreignDevice(abs, rel, frame.foreignDev);
      if (foreignDev !== undefined) this.#stack.push({ abs, rel, real, rules, foreignDev });
      return;
    }
    if (entry.isSymbolicLink()) {
      const followed = this.#judgeLink(abs, rel, frame, rules);
      if (followed === "skip") return;
      if (typeof followed === "object") {
        this.#walkedTargets.add(followed.id);
        this.#stack.push({ abs, rel, real: followed.real, rules, ...followed.foreign });
        return;
      }
    }
    // A link to a file, a FIFO, a socket or a device: counted, and read only if it is named
    // like a candidate (the scanner refuses anything but a regular file) or an indexer wants
    // it (a link as the file it leads to; FIFOs and sockets by their own type).
    this.#files++;
    const kind = entry.isFIFO() ? "fifo" : entry.isSocket() ? "socket" : "file";
    if (kind === "file" && !entry.isSymbolicLink()) return; // a device: nothing to index
    this.#offer(frame, name, kind, rules);
  }

  /** Yields the entry if it is a manifest or sidecar, or if an indexer wants it, unless ignored. */
  #offer(frame: Frame, name: string, kind: IndexEntry["kind"], rules: IgnoreRules): void {
    // A FIFO named like a manifest is yielded as one: the scanner refuses it, saying why.
    const known = candidateKind(name, frame.rel);
    if (known !== undefined) {
      const rel = joinRel(frame.rel, name);
      if (!rules.ignores(rel, false))
        this.#candidates.push({ kind: known, rel, abs: frame.abs + sep + name });
      return;
    }
    const wants = this.#options.wants;
    if (wants === undefined) return;
    // Most files are wanted by no indexer, which decide from the name and kind: the paths are
    // built only when asked for, and one entry serves every file (`wants` keeps none).
    const lazy = this.#lazy.reset(frame, name, kind);
    if (!wants(lazy) || rules.ignores(lazy.rel, false)) return;
    // A plain copy: indexers' inputs are made by spreading it, which getters would not survive.
    const entry: IndexEntry = { rel: lazy.rel, abs: lazy.abs, name, kind };
    this.#candidates.push({ kind: "indexed", rel: entry.rel, abs: entry.abs, entry });
  }

  /**
   * In a tree reached through a link out of the roots, a subfolder on another device is a
   * mount point: its device, to be entered, unless it is a pseudo file system (undefined).
   */
  #foreignDevice(abs: string, rel: string, dev: number): number | undefined {
    let stats: Stats;
    try {
      stats = statSync(abs);
    } catch {
      // Vanished: reading it will say so (or stay silent, as for any folder).
      return dev;
    }
    if (stats.dev === dev) return dev;
    if (!isPseudoFs(abs)) return stats.dev;
    this.#diagnostics.push(pseudoFsWarning(rel));
    return undefined;
  }

  /**
   * What a symbolic link is to the walk: a folder to follow (with its real path and identity),
   * a file to count, or nothing.
   */
  #judgeLink(
    abs: string,
    rel: string,
    frame: Frame,
    rules: IgnoreRules,
  ):
    | {
        readonly real: string;
        readonly id: string;
        readonly foreign: { readonly foreignDev: number };
      }
    | "file"
    | "skip" {
    const mode = this.#options.followSymlinks;
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    const manifestLike = candidateKind(name, frame.rel) !== undefined;
    let stats: Stats;
    try {
      stats = statSync(abs);
    } catch {
      // Dangling: worth a word only if it pretends to be something we would read.
      if (manifestLike) {
        this.#diagnostics.push(
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
      manifestLike || (!isDir && this.#options.wants?.({ rel, abs, name, kind: "file" }) === true);
    if (!isDir && !candidate) return "file";
    if (mode === "never") return "skip";
    if (isDir && rules.ignores(rel, true)) return "skip";
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      this.#diagnostics.push(
        scanWarning(rel, "RTT_ERR_SCAN_UNREADABLE", `link not resolved: ${errorText(error)}`),
      );
      return "skip";
    }
    const inRoots = isWithin(real, this.#rootReals);
    if (mode === "within" && !inRoots) {
      this.#diagnostics.push(
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
    if (isWithin(frame.real, [real])) {
      this.#diagnostics.push(
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
    if (inRoots || this.#walkedTargets.has(id)) return "skip";
    if (isPseudoFs(real)) {
      this.#diagnostics.push(pseudoFsWarning(rel));
      return "skip";
    }
    return { real, id, foreign: { foreignDev: stats.dev } };
  }
}

function pseudoFsWarning(rel: string): Diagnostic {
  return scanWarning(
    rel,
    "RTT_ERR_SCAN_SYMLINK",
    "leads into a pseudo file system (/proc, /sys…); not walked",
  );
}

function relPath(root: string, abs: string): string {
  if (abs === root) return "";
  return abs
    .slice(root.length + 1)
    .split(sep)
    .join("/")
    .replace(/\/+$/, "")
    .replace(/^\.$/, "");
}

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error
    ? String(error.code)
    : undefined;
}

export function errorText(error: unknown): string {
  const code = codeOf(error);
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "no such file or folder";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return errorMessage(error);
}

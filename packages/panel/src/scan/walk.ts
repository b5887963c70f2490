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
import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import type { Diagnostic, FollowSymlinks } from "@rtt/core";
import {
  type FolderLister,
  type FolderListing,
  type ListedNames,
  ListedType,
} from "@rtt/fabric/folder-lister.ts";
import { errorText, hasCode } from "./fs-error-text.ts";
import { IgnoreRules } from "./ignore-rules.ts";
import type { IndexEntry } from "./indexers/indexer.ts";
import { scanWarning } from "./scan-warning.ts";
import { escapeBytes, filesUnder, undecodableEntries } from "./undecodable.ts";
import { foreignDevice, judgeLink, type LinkContext } from "./walk-links.ts";
import { listedNames, listerFor, listingOf, scanRoots } from "./walk-listing.ts";
import { joinRel, WalkedEntry } from "./walked-entry.ts";

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
  /**
   * Every file name `wants` may pass, as declarations (wants-lookup.ts): the folder lister names
   * only these and counts the rest. Every name is listed when absent.
   */
  readonly wanted?: ListedNames;
  /**
   * A lister started before the walk (startWalkLister, with the same root, roots and ignore),
   * so folders are listed while the scanner's modules load: the walk takes it over (and closes
   * it), or closes it and starts its own when its roots differ.
   */
  readonly lister?: FolderLister;
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
  /** The lister lists this folder: a root, or a folder named in a listing it gave. */
  readonly byLister: boolean;
}

/** One folder being visited: its frame, and what holds for every entry in it. */
interface Visit {
  readonly frame: Frame;
  readonly rules: IgnoreRules;
  /** The folder is a `.rtt`, whose state folders are never walked. */
  readonly inRttDir: boolean;
  /** Its listing came from the lister, which therefore lists its subfolders too. */
  readonly byLister: boolean;
}

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
  readonly #links: LinkContext;
  readonly #stack: Frame[] = [];
  readonly #listed = new Set<string>();
  readonly #withGit = new Set<string>();
  /** The entry offered to `wants`, reset for each file. */
  readonly #lazy = new WalkedEntry();
  /** Lists folders ahead of the walk on the native addon's thread; undefined without it. */
  #lister: FolderLister | undefined;

  constructor(options: WalkOptions) {
    this.#options = options;
    this.#links = {
      followSymlinks: options.followSymlinks,
      ...(options.wants === undefined ? {} : { wants: options.wants }),
      rootReals: this.#rootReals,
      walkedTargets: this.#walkedTargets,
      diagnostics: this.#diagnostics,
    };
  }

  run(): WalkResult {
    this.#pushRoots();
    try {
      this.#takeLister();
      for (let frame = this.#stack.pop(); frame !== undefined; frame = this.#stack.pop()) {
        this.#visitFolder(frame);
      }
    } finally {
      this.#lister?.close();
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

  /**
   * The lister started before the walk when it lists these roots (else it is closed and a new
   * one started), told which files this walk reads.
   */
  #takeLister(): void {
    const options = this.#options;
    const given = options.lister;
    const roots = this.#stack.map((f) => f.abs);
    const same = given !== undefined && given.roots.join("\0") === roots.join("\0");
    if (!same) given?.close();
    // Kept before it is told anything: the walk closes it whatever happens next.
    this.#lister = same ? given : listerFor(roots, options.ignore);
    // The walk reads manifests and sidecars, and .gitignore and a `.git` file tell it of a folder.
    this.#lister?.name(listedNames(options, [MANIFEST_FILE, TAGS_FILE, ".gitignore", ".git"]));
  }

  /** Stacks each root to be walked first-listed first; one inside another root is left out. */
  #pushRoots(): void {
    const options = this.#options;
    const baseRules = IgnoreRules.fromConfig(options.ignore);
    const { kept, failed } = scanRoots(options.root, options.roots);
    for (const { abs, real, id } of kept) {
      this.#rootReals.push(real);
      this.#walkedTargets.add(id);
      const rel = relPath(options.root, abs);
      this.#stack.push({ abs, rel, real, rules: baseRules, byLister: true });
    }
    for (const { r, abs, error } of failed) {
      this.#diagnostics.push(
        scanWarning(
          relPath(options.root, abs) || ".",
          "RTT_ERR_SCAN_UNREADABLE",
          `scan root ${JSON.stringify(r)}: ${errorText(error)}`,
        ),
      );
    }
  }

  #visitFolder(frame: Frame): void {
    const listed = frame.byLister ? this.#lister?.take(frame.abs) : undefined;
    const read = listed === undefined ? this.#readFolder(frame) : undefined;
    if (listed === undefined && read === undefined) return;
    this.#dirs++;
    this.#listed.add(frame.abs);
    let listing = listed ?? listingOf(read ?? []);
    const rules = this.#rulesWithGitignore(frame, listing);
    // A name Node could not decode reads as U+FFFD: rare, so only then is the folder read again
    // by bytes, its undecodable entries reported and left out of the walk. (The lister lists no
    // folder holding such a name.)
    if (read?.some((e) => e.name.includes("\uFFFD")))
      listing = listingOf(this.#withoutUndecodable(frame, read, rules));
    this.#files += listing.plainFiles;
    const visit: Visit = {
      frame,
      rules,
      inRttDir: frame.rel === ".rtt" || frame.rel.endsWith("/.rtt"),
      byLister: listed !== undefined,
    };
    const { names, types } = listing;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (name === ".git") this.#withGit.add(frame.abs);
      this.#visitEntry(visit, name, types[i] as number);
    }
    const onProgress = this.#options.onProgress;
    if (onProgress !== undefined && (this.#dirs & 63) === 0) onProgress(this.#files, this.#dirs);
  }

  /** The folder's entries; undefined when it vanished (silently) or cannot be read (reported). */
  #readFolder(frame: Frame): Dirent[] | undefined {
    try {
      return readdirSync(frame.abs, { withFileTypes: true });
    } catch (error) {
      if (!hasCode(error, "ENOENT")) {
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
  #rulesWithGitignore(frame: Frame, listing: FolderListing): IgnoreRules {
    const at = listing.names.indexOf(".gitignore");
    if (at < 0 || listing.types[at] !== ListedType.file) return frame.rules;
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

  #visitEntry(visit: Visit, name: string, type: number): void {
    const { frame, rules } = visit;
    // Most entries are plain files that are not candidates: they are only counted, and no
    // path string is built for them (a warm scan's time is mostly allocation and readdir).
    if (type === ListedType.file) {
      this.#files++;
      this.#offer(frame, name, "file", rules);
      return;
    }
    const rel = joinRel(frame.rel, name);
    // Concatenation, not path.join: the names come from readdir, and join's normalising
    // was a fifth of a warm scan's time.
    const abs = frame.abs + sep + name;
    if (type === ListedType.folder) {
      if ((visit.inRttDir && RTT_STATE_DIRS.has(name)) || rules.ignores(rel, true)) {
        if (visit.byLister) this.#lister?.skip(abs);
        return;
      }
      const real = frame.real + sep + name;
      if (frame.foreignDev === undefined) {
        this.#stack.push({ abs, rel, real, rules, byLister: visit.byLister });
        return;
      }
      const foreignDev = foreignDevice(this.#diagnostics, { abs, rel }, frame.foreignDev);
      if (foreignDev !== undefined)
        this.#stack.push({ abs, rel, real, rules, foreignDev, byLister: false });
      return;
    }
    if (type === ListedType.link) {
      const followed = judgeLink(
        this.#links,
        { abs, rel, parentReal: frame.real },
        rules,
        candidateKind(name, frame.rel) !== undefined,
      );
      if (followed === "skip") return;
      if (typeof followed === "object") {
        this.#walkedTargets.add(followed.id);
        this.#stack.push({
          abs,
          rel,
          real: followed.real,
          rules,
          ...followed.foreign,
          byLister: false,
        });
        return;
      }
    }
    // A link to a file, a FIFO or a socket: counted, and read only if it is named
    // like a candidate (the scanner refuses anything but a regular file) or an indexer wants
    // it (a link as the file it leads to; FIFOs and sockets by their own type).
    this.#files++;
    const kind = type === ListedType.fifo ? "fifo" : type === ListedType.socket ? "socket" : "file";
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

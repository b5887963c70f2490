/**
 * The scanner's walk: every folder under the roots, pruned by the ignore rules, yielding only
 * the files the scanner reads (manifests and `.rtttags` sidecars). It never hangs and never
 * throws for what it finds on disk:
 * - symbolic links to folders are followed once; a link whose target is an ancestor of where
 *   it stands (a loop), or a folder inside a root (walked anyway) or already walked, is not;
 * - unreadable or vanishing folders are reported and skipped;
 * - it opens no file but .gitignore; the scanner checks each candidate is a regular file.
 * Synchronous on purpose: one thread issuing readdir back to back is what `find` does, and
 * the bench compares the two.
 */
import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import type { Diagnostic } from "@rtt/core";
import { errorMessage } from "@rtt/core";
import { IgnoreRules } from "./ignore-rules.ts";

export const MANIFEST_FILE = "rtt.manifest.json";
export const TAGS_FILE = ".rtttags";
/** Folders under `.rtt/` that hold RTT's own state, never symbols. */
const RTT_STATE_DIRS = new Set(["cache", "wal", "sockets", "drivers"]);

export type CandidateKind = "manifest" | "tags";

export interface Candidate {
  readonly kind: CandidateKind;
  /** Relative to the workspace root, '/'-separated. */
  readonly rel: string;
  readonly abs: string;
}

export interface WalkOptions {
  readonly root: string;
  /** Roots relative to `root`. */
  readonly roots: readonly string[];
  readonly ignore: readonly string[];
  readonly followSymlinks: boolean;
  /** Called now and then with running totals, for progress display. */
  readonly onProgress?: (files: number, dirs: number) => void;
}

export interface WalkResult {
  readonly candidates: Candidate[];
  readonly files: number;
  readonly dirs: number;
  readonly diagnostics: Diagnostic[];
}

interface Frame {
  readonly abs: string;
  readonly rel: string;
  /** Real path of this folder, to recognise links that lead back up. */
  readonly real: string;
  readonly rules: IgnoreRules;
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

function warning(
  file: string,
  code: Diagnostic["code"],
  message: string,
  hint?: string,
): Diagnostic {
  return {
    severity: "warning",
    code,
    message,
    file,
    line: 1,
    column: 1,
    ...(hint === undefined ? {} : { hint }),
  };
}

const isInside = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

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
  /** Real paths of the folders reached through a link, each walked once. */
  readonly #walkedTargets = new Set<string>();
  readonly #stack: Frame[] = [];

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
    return { candidates, files: this.#files, dirs: this.#dirs, diagnostics: this.#diagnostics };
  }

  /** Stacks each root to be walked first-listed first; one inside another root is left out. */
  #pushRoots(): void {
    const options = this.#options;
    const baseRules = IgnoreRules.fromConfig(options.ignore);
    for (const r of [...options.roots].reverse()) {
      const abs = join(options.root, r);
      const rel = relPath(options.root, abs);
      try {
        const real = realpathSync(abs);
        if (this.#rootReals.some((other) => isInside(real, other))) continue;
        this.#rootReals.push(real);
        this.#stack.push({ abs, rel, real, rules: baseRules });
      } catch (error) {
        this.#diagnostics.push(
          warning(
            rel || ".",
            "RTT_ERR_SCAN_UNREADABLE",
            `scan root ${JSON.stringify(r)}: ${errorText(error)}`,
          ),
        );
      }
    }
  }

  #visitFolder(frame: Frame): void {
    const entries = this.#readFolder(frame);
    if (entries === undefined) return;
    this.#dirs++;
    const rules = this.#rulesWithGitignore(frame, entries);
    const inRttDir = frame.rel === ".rtt" || frame.rel.endsWith("/.rtt");
    for (const entry of entries) this.#visitEntry(frame, entry, rules, inRttDir);
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
          warning(
            frame.rel || ".",
            "RTT_ERR_SCAN_UNREADABLE",
            `folder not read: ${errorText(error)}`,
          ),
        );
      }
      return undefined;
    }
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
        warning(
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
      const kind = candidateKind(name, frame.rel);
      if (kind === undefined) return;
      const rel = joinRel(frame.rel, name);
      if (!rules.ignores(rel, false))
        this.#candidates.push({ kind, rel, abs: frame.abs + sep + name });
      return;
    }
    const rel = joinRel(frame.rel, name);
    // Concatenation, not path.join: the names come from readdir, and join's normalising
    // was a fifth of a warm scan's time.
    const abs = frame.abs + sep + name;
    if (entry.isDirectory()) {
      if (inRttDir && RTT_STATE_DIRS.has(name)) return;
      if (rules.ignores(rel, true)) return;
      this.#stack.push({ abs, rel, real: frame.real + sep + name, rules });
      return;
    }
    if (entry.isSymbolicLink()) {
      const followed = this.#judgeLink(abs, rel, frame, rules);
      if (followed === "skip") return;
      if (typeof followed === "object") {
        this.#walkedTargets.add(followed.real);
        this.#stack.push({ abs, rel, real: followed.real, rules });
        return;
      }
    }
    // A link to a file, a FIFO, a socket or a device: counted, and read only if it is named
    // like a candidate (the scanner refuses anything but a regular file).
    this.#files++;
    const kind = candidateKind(name, frame.rel);
    if (kind === undefined || rules.ignores(rel, false)) return;
    this.#candidates.push({ kind, rel, abs });
  }

  /**
   * What a symbolic link is to the walk: a folder to follow (with its real path), a file to
   * count, or nothing.
   */
  #judgeLink(
    abs: string,
    rel: string,
    frame: Frame,
    rules: IgnoreRules,
  ): { readonly real: string } | "file" | "skip" {
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      // Dangling: worth a word only if it pretends to be something we would read.
      if (candidateKind(rel.slice(rel.lastIndexOf("/") + 1), frame.rel) !== undefined) {
        this.#diagnostics.push(
          warning(
            rel,
            "RTT_ERR_SCAN_SYMLINK",
            "dangling symbolic link",
            "its target does not exist",
          ),
        );
      }
      return "skip";
    }
    // A link to a file (or FIFO, socket…): the scanner checks what it is before reading.
    if (!isDir) return "file";
    if (!this.#options.followSymlinks || rules.ignores(rel, true)) return "skip";
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (error) {
      this.#diagnostics.push(
        warning(rel, "RTT_ERR_SCAN_UNREADABLE", `link not resolved: ${errorText(error)}`),
      );
      return "skip";
    }
    if (isInside(frame.real, real)) {
      this.#diagnostics.push(
        warning(
          rel,
          "RTT_ERR_SCAN_SYMLINK",
          "symbolic link loop: it leads to a folder above itself; not followed",
        ),
      );
      return "skip";
    }
    // Inside a root, or reached before through another link: walking it again would only
    // report its manifests twice.
    if (this.#rootReals.some((r) => isInside(real, r)) || this.#walkedTargets.has(real))
      return "skip";
    return { real };
  }
}

function joinRel(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
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

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
  const candidates: Candidate[] = [];
  const diagnostics: Diagnostic[] = [];
  let files = 0;
  let dirs = 0;
  const baseRules = IgnoreRules.fromConfig(options.ignore);
  const rootReals: string[] = [];
  const stack: Frame[] = [];
  for (const r of [...options.roots].reverse()) {
    const abs = join(options.root, r);
    const rel = relPath(options.root, abs);
    try {
      const real = realpathSync(abs);
      if (rootReals.some((other) => isInside(real, other))) continue;
      rootReals.push(real);
      stack.push({ abs, rel, real, rules: baseRules });
    } catch (error) {
      diagnostics.push(
        warning(
          rel || ".",
          "RTT_ERR_SCAN_UNREADABLE",
          `scan root ${JSON.stringify(r)}: ${errorText(error)}`,
        ),
      );
    }
  }
  const walkedTargets = new Set<string>();

  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(frame.abs, { withFileTypes: true });
    } catch (error) {
      if (codeOf(error) !== "ENOENT") {
        diagnostics.push(
          warning(
            frame.rel || ".",
            "RTT_ERR_SCAN_UNREADABLE",
            `folder not read: ${errorText(error)}`,
          ),
        );
      }
      continue;
    }
    dirs++;
    let rules = frame.rules;
    const gitignore = entries.find((e) => e.name === ".gitignore" && e.isFile());
    if (gitignore !== undefined) {
      try {
        rules = rules.withGitignore(frame.rel, readFileSync(join(frame.abs, ".gitignore"), "utf8"));
      } catch (error) {
        diagnostics.push(
          warning(
            joinRel(frame.rel, ".gitignore"),
            "RTT_ERR_SCAN_UNREADABLE",
            `not read: ${errorText(error)}`,
          ),
        );
      }
    }
    const inRttDir = frame.rel === ".rtt" || frame.rel.endsWith("/.rtt");
    for (const entry of entries) {
      const name = entry.name;
      // Most entries are plain files that are not candidates: they are only counted, and no
      // path string is built for them (a warm scan's time is mostly allocation and readdir).
      if (entry.isFile()) {
        files++;
        const kind = candidateKind(name, frame.rel);
        if (kind === undefined) continue;
        const rel = joinRel(frame.rel, name);
        if (!rules.ignores(rel, false)) candidates.push({ kind, rel, abs: frame.abs + sep + name });
        continue;
      }
      const rel = joinRel(frame.rel, name);
      // Concatenation, not path.join: the names come from readdir, and join's normalising
      // was a fifth of a warm scan's time.
      const abs = frame.abs + sep + name;
      if (entry.isDirectory()) {
        if (inRttDir && RTT_STATE_DIRS.has(name)) continue;
        if (rules.ignores(rel, true)) continue;
        stack.push({ abs, rel, real: frame.real + sep + name, rules });
        continue;
      }
      if (entry.isSymbolicLink()) {
        const followed = followLink(
          abs,
          rel,
          frame,
          options,
          rules,
          rootReals,
          walkedTargets,
          diagnostics,
        );
        if (followed === "dir") {
          const real = realpathSync(abs);
          walkedTargets.add(real);
          stack.push({ abs, rel, real, rules });
          continue;
        }
        if (followed === "skip") continue;
      }
      // A link to a file, a FIFO, a socket or a device: counted, and read only if it is named
      // like a candidate (the scanner refuses anything but a regular file).
      files++;
      const kind = candidateKind(name, frame.rel);
      if (kind === undefined || rules.ignores(rel, false)) continue;
      candidates.push({ kind, rel, abs });
    }
    if (options.onProgress !== undefined && (dirs & 63) === 0) options.onProgress(files, dirs);
  }
  candidates.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { candidates, files, dirs, diagnostics };
}

function followLink(
  abs: string,
  rel: string,
  frame: Frame,
  options: WalkOptions,
  rules: IgnoreRules,
  rootReals: readonly string[],
  walkedTargets: ReadonlySet<string>,
  diagnostics: Diagnostic[],
): "dir" | "file" | "skip" {
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // Dangling: worth a word only if it pretends to be something we would read.
    if (candidateKind(rel.slice(rel.lastIndexOf("/") + 1), frame.rel) !== undefined) {
      diagnostics.push(
        warning(rel, "RTT_ERR_SCAN_SYMLINK", "dangling symbolic link", "its target does not exist"),
      );
    }
    return "skip";
  }
  // A link to a file (or FIFO, socket…): the scanner checks what it is before reading.
  if (!isDir) return "file";
  if (!options.followSymlinks || rules.ignores(rel, true)) return "skip";
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (error) {
    diagnostics.push(
      warning(rel, "RTT_ERR_SCAN_UNREADABLE", `link not resolved: ${errorText(error)}`),
    );
    return "skip";
  }
  if (isInside(frame.real, real)) {
    diagnostics.push(
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
  if (rootReals.some((r) => isInside(real, r)) || walkedTargets.has(real)) return "skip";
  return "dir";
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

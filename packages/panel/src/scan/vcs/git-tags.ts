/**
 * Tags from the git repository a symbol's file sits in (issue 17, "Tags from VCS metadata"):
 * `git.branch` (absent on a detached HEAD), `git.commit` (the object id HEAD names; absent on a
 * branch with no commit yet) and `git.dirty` ("true" when a tracked file differs from what the
 * index recorded — size, mtime or executable bit — or is missing, or a merge is unresolved;
 * untracked files do not count, as for `git describe --dirty`; absent when the index cannot be
 * read whole, e.g. a split index).
 *
 * Read from the `.git` files directly, never by running git: the repository is the nearest
 * folder upward (possibly above the workspace root) holding `.git`, a folder or a `gitdir:`
 * file (worktrees, submodules). Everything read is bounded and parsed defensively: a repository
 * that cannot be understood gives fewer tags, never an error. Each repository is read once per
 * scan (GitMemo).
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
} from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type GitIndex, parseGitIndex } from "./git-index.ts";

/** Folders a scan's walk listed (absolute), and those of them that hold a `.git` entry. */
export interface ListedFolders {
  readonly folders: ReadonlySet<string>;
  readonly withGit: ReadonlySet<string>;
}

export interface GitMemo {
  /** A folder → the worktree top of its repository, or null when it is in none. */
  readonly folders: Map<string, string | null>;
  /** A worktree top → its tags. */
  readonly repos: Map<string, Readonly<Record<string, string>>>;
  /** What the walk saw: a listed folder without `.git` needs no lstat to say so. */
  readonly listed?: ListedFolders;
}

/** A memo for one scan: a repository changes between scans, so never keep one longer. */
export function newGitMemo(listed?: ListedFolders): GitMemo {
  return { folders: new Map(), repos: new Map(), ...(listed === undefined ? {} : { listed }) };
}

const SMALL = 64 * 1024;
const PACKED_REFS_MAX = 32 << 20;
const INDEX_MAX = 256 << 20;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const MAX_SYMREF_DEPTH = 5;

/** The file's bytes when it is a regular file no larger than `max`; undefined otherwise. */
function readBounded(path: string, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > max) return undefined;
    const buf = Buffer.alloc(stats.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readLine(path: string): string | undefined {
  return readBounded(path, SMALL)?.toString("utf8").split("\n")[0]?.trim();
}

/** The git dir of the worktree at `top`, whose `.git` is a folder or a `gitdir:` file. */
function gitDirOf(top: string): string | undefined {
  const dotGit = join(top, ".git");
  try {
    const stats = lstatSync(dotGit);
    if (stats.isDirectory()) return dotGit;
    if (!stats.isFile()) return undefined;
  } catch {
    return undefined;
  }
  const line = readLine(dotGit);
  if (line === undefined || !line.startsWith("gitdir:")) return undefined;
  const target = line.slice("gitdir:".length).trim();
  return target === "" ? undefined : resolve(top, target);
}

function hasGit(folder: string): boolean {
  try {
    const stats = lstatSync(join(folder, ".git"));
    return stats.isDirectory() || stats.isFile();
  } catch {
    return false;
  }
}

/** The worktree top of the repository `folder` is in, memoized for every folder on the way. */
function repoTopOf(folder: string, memo: GitMemo): string | null {
  const visited: string[] = [];
  let found: string | null = null;
  for (let dir = folder; ; dir = dirname(dir)) {
    const known = memo.folders.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(dir);
    const listed = memo.listed;
    const unseen = listed === undefined || !listed.folders.has(dir) || listed.withGit.has(dir);
    if (unseen && hasGit(dir)) {
      found = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of visited) memo.folders.set(dir, found);
  return found;
}

/** Where shared refs live: a linked worktree's git dir names it in `commondir`. */
function commonDirOf(gitDir: string): string {
  const common = readLine(join(gitDir, "commondir"));
  return common === undefined || common === "" ? gitDir : resolve(gitDir, common);
}

function packedRef(commonDir: string, ref: string): string | undefined {
  const text = readBounded(join(commonDir, "packed-refs"), PACKED_REFS_MAX)?.toString("utf8");
  if (text === undefined) return undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.startsWith("^")) continue;
    const space = line.indexOf(" ");
    if (space > 0 && line.slice(space + 1).trim() === ref) {
      const id = line.slice(0, space);
      return OBJECT_ID.test(id) ? id : undefined;
    }
  }
  return undefined;
}

/** A safe ref name to look up as a file: under refs/, no `..`, no empty or dot segments. */
function isRefName(ref: string): boolean {
  return ref.startsWith("refs/") && ref.split("/").every((s) => s !== "" && !s.startsWith("."));
}

/** The object id `ref` names, through loose refs (following symbolic ones), then packed-refs. */
function resolveRef(gitDir: string, commonDir: string, ref: string, depth = 0): string | undefined {
  if (!isRefName(ref) || depth > MAX_SYMREF_DEPTH) return undefined;
  const loose = readLine(join(commonDir, ref)) ?? readLine(join(gitDir, ref));
  if (loose !== undefined) {
    if (OBJECT_ID.test(loose)) return loose;
    if (loose.startsWith("ref:")) {
      return resolveRef(gitDir, commonDir, loose.slice(4).trim(), depth + 1);
    }
  }
  return packedRef(commonDir, ref);
}

function objectIdBytes(commonDir: string): number {
  const config = readBounded(join(commonDir, "config"), SMALL)?.toString("utf8") ?? "";
  return /^\s*objectformat\s*=\s*sha256\s*$/im.test(config) ? 32 : 20;
}

/** Whether a path from the index is one to look at in the worktree (git refuses the others). */
function isWorktreePath(path: string): boolean {
  return (
    path !== "" &&
    !isAbsolute(path) &&
    path.split("/").every((s) => s !== "" && s !== "." && s !== ".." && s !== ".git")
  );
}

const EXECUTABLE = 0o100755;
const REGULAR = 0o100644;

/** Whether a tracked file differs from what the index saw, by lstat alone (no hashing). */
function differs(top: string, e: GitIndex["entries"][number]): boolean {
  if (e.stage !== 0) return true;
  if (e.skipWorktree || (e.mode & 0o170000) === 0o160000 || (e.mode & 0o170000) === 0o040000) {
    return false; // outside the sparse checkout, a submodule, or a sparse-index folder
  }
  if (!isWorktreePath(e.path)) return false;
  let stats: BigIntStats;
  try {
    stats = lstatSync(join(top, e.path), { bigint: true });
  } catch {
    return true; // deleted
  }
  if (Number(stats.size & 0xffffffffn) !== e.size) return true;
  if (Number(stats.mtimeMs / 1000n) !== e.mtimeSeconds) return true;
  // A git built without nanosecond stamps stores 0.
  if (e.mtimeNanos !== 0 && Number(stats.mtimeNs % 1_000_000_000n) !== e.mtimeNanos) return true;
  if (e.mode === EXECUTABLE || e.mode === REGULAR) {
    const executable = (Number(stats.mode) & 0o100) !== 0;
    if (executable !== (e.mode === EXECUTABLE)) return true;
  }
  return false;
}

function dirtyOf(top: string, gitDir: string, commonDir: string): string | undefined {
  const buf = readBounded(join(gitDir, "index"), INDEX_MAX);
  if (buf === undefined) return undefined;
  const index = parseGitIndex(buf, objectIdBytes(commonDir));
  if (index === undefined || index.split) return undefined;
  return index.entries.some((e) => differs(top, e)) ? "true" : "false";
}

function tagsOfRepo(top: string): Record<string, string> {
  const gitDir = gitDirOf(top);
  if (gitDir === undefined) return {};
  const commonDir = commonDirOf(gitDir);
  const head = readLine(join(gitDir, "HEAD"));
  const tags: Record<string, string> = {};
  if (head?.startsWith("ref:")) {
    const ref = head.slice(4).trim();
    if (ref.startsWith("refs/heads/") && isRefName(ref)) {
      tags["git.branch"] = ref.slice("refs/heads/".length);
    }
    const commit = resolveRef(gitDir, commonDir, ref);
    if (commit !== undefined) tags["git.commit"] = commit;
  } else if (head !== undefined && OBJECT_ID.test(head)) {
    tags["git.commit"] = head;
  }
  const dirty = dirtyOf(top, gitDir, commonDir);
  if (dirty !== undefined) tags["git.dirty"] = dirty;
  return tags;
}

/**
 * The git tags of the file at `rel` (workspace-relative, '/'-separated) under `workspaceRoot`:
 * those of the repository it sits in, {} when it is in none. The scanner calls it once per
 * symbol with one memo per scan (`newGitMemo()`).
 */
export function gitTagsFor(
  workspaceRoot: string,
  rel: string,
  memo: GitMemo,
): Readonly<Record<string, string>> {
  return gitRepoOf(workspaceRoot, rel, memo)?.tags ?? {};
}

/** The worktree top and tags of the repository `rel`'s folder sits in; undefined in none. */
export function gitRepoOf(
  workspaceRoot: string,
  rel: string,
  memo: GitMemo,
): { readonly top: string; readonly tags: Readonly<Record<string, string>> } | undefined {
  const top = repoTopOf(dirname(resolve(workspaceRoot, rel)), memo);
  if (top === null) return undefined;
  let tags = memo.repos.get(top);
  if (tags === undefined) {
    tags = tagsOfRepo(top);
    memo.repos.set(top, tags);
  }
  return { top, tags };
}

/**
 * Git tags against real repositories made with git (only to build the fixture: the code under
 * test never runs it): clean and dirty, detached, packed refs, a linked worktree, index v4, and
 * a repository above the workspace root.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseGitIndex } from "./git-index.ts";
import { gitTagsFor, newGitMemo } from "./git-tags.ts";

const base = mkdtempSync(join(tmpdir(), "rtt-git-"));
const repo = join(base, "repo");
after(() => rmSync(base, { recursive: true, force: true }));

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  }).trim();
}

mkdirSync(join(repo, "svc"), { recursive: true });
writeFileSync(join(repo, "a.txt"), "one\n");
writeFileSync(join(repo, "svc", "run.sh"), "#!/bin/sh\n");
git("init", "-q", "-b", "main");
git("config", "user.email", "t@example.com");
git("config", "user.name", "t");
git("add", "-A");
git("commit", "-q", "-m", "first");
const first = git("rev-parse", "HEAD");

/** Tags of svc/run.sh seen from a workspace rooted at svc/ (the repository is above it). */
const tags = () => gitTagsFor(join(repo, "svc"), "run.sh", newGitMemo());

describe("git tags", () => {
  it("reads branch, commit and a clean state from a repository above the workspace", () => {
    assert.deepEqual(tags(), { "git.branch": "main", "git.commit": first, "git.dirty": "false" });
  });

  it("is dirty when a tracked file changes, is deleted or turns executable", () => {
    appendFileSync(join(repo, "a.txt"), "two\n");
    assert.equal(tags()["git.dirty"], "true");
    git("checkout", "-q", "--", "a.txt");
    assert.equal(tags()["git.dirty"], "false");
    unlinkSync(join(repo, "a.txt"));
    assert.equal(tags()["git.dirty"], "true");
    git("checkout", "-q", "--", "a.txt");
    chmodSync(join(repo, "a.txt"), 0o755);
    assert.equal(tags()["git.dirty"], "true");
    chmodSync(join(repo, "a.txt"), 0o644);
    writeFileSync(join(repo, "untracked.txt"), "x");
    assert.equal(tags()["git.dirty"], "false", "untracked files do not make it dirty");
  });

  it("reads every entry of a real index, v2 and v4", () => {
    const paths = git("ls-files").split("\n");
    for (const version of ["2", "4"]) {
      git("update-index", "--index-version", version);
      const index = parseGitIndex(readFileSync(join(repo, ".git", "index")));
      assert.equal(index?.version, Number(version));
      assert.deepEqual(
        index?.entries.map((e) => e.path),
        paths,
      );
      assert.equal(tags()["git.dirty"], "false");
    }
    appendFileSync(join(repo, "a.txt"), "v4\n");
    assert.equal(tags()["git.dirty"], "true");
    git("checkout", "-q", "--", "a.txt");
    git("update-index", "--index-version", "2");
  });

  it("gives the commit alone on a detached HEAD, and resolves a packed branch", () => {
    git("commit", "-q", "--allow-empty", "-m", "second");
    const second = git("rev-parse", "HEAD");
    git("checkout", "-q", "--detach", first);
    assert.deepEqual(tags(), { "git.commit": first, "git.dirty": "false" });
    git("checkout", "-q", "main");
    git("pack-refs", "--all");
    assert.equal(existsSync(join(repo, ".git", "refs", "heads", "main")), false);
    assert.deepEqual(tags(), { "git.branch": "main", "git.commit": second, "git.dirty": "false" });
  });

  it("follows a linked worktree's gitdir file to its branch and the shared refs", () => {
    const linked = join(base, "linked");
    git("worktree", "add", "-q", "-b", "feature", linked);
    assert.deepEqual(gitTagsFor(linked, "svc/run.sh", newGitMemo()), {
      "git.branch": "feature",
      "git.commit": git("rev-parse", "HEAD"),
      "git.dirty": "false",
    });
  });

  it("gives nothing outside a repository, and reads each repository once per memo", () => {
    const outside = mkdtempSync(join(base, "plain-"));
    const plain = join(tmpdir(), `rtt-nogit-${process.pid}`);
    mkdirSync(plain, { recursive: true });
    try {
      assert.deepEqual(gitTagsFor(plain, "x/y.sh", newGitMemo()), {});
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    // Inside base/, a folder of the repository's parent: not in the repository either.
    assert.deepEqual(gitTagsFor(outside, "f", newGitMemo()), {});
    const memo = newGitMemo();
    const once = gitTagsFor(repo, "a.txt", memo);
    appendFileSync(join(repo, "a.txt"), "later\n");
    assert.equal(gitTagsFor(repo, "svc/run.sh", memo), once, "the same repository, read once");
    assert.equal(gitTagsFor(repo, "a.txt", newGitMemo())["git.dirty"], "true");
  });
});

/**
 * The scan tags every symbol with the git state of the repository its file sits in (ADR 0026),
 * a manifest's own tag of the same name winning, and notices a commit even though no scanned
 * file changed (git is run only to build the fixture).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { after, describe, it } from "node:test";
import { scanWorkspace } from "../src/index.ts";
import { makeWorkspace, manifest } from "./workspace-fixture.ts";

const w = makeWorkspace();
after(() => w.remove());

function git(...args: string[]): string {
  return execFileSync("git", args, {
    cwd: w.paths.root,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  }).trim();
}

const PLAIN = "rtt://app/api/plain@1.0.0";
const PINNED = "rtt://app/api/pinned@1.0.0";

describe("git tags in the catalog", () => {
  it("tags each symbol with branch, commit and dirty state; a manifest's own tag wins", async () => {
    w.write("plain/rtt.manifest.json", manifest(PLAIN));
    w.write("pinned/rtt.manifest.json", manifest(PINNED, { tags: { "git.branch": "release" } }));
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "one");
    const commit = git("rev-parse", "HEAD");
    const report = await scanWorkspace(w.paths);
    const tags = (saddr: string) => report.symbols.find((s) => s.saddr === saddr)?.tags;
    assert.deepEqual(tags(PLAIN), {
      "git.branch": "main",
      "git.commit": commit,
      "git.dirty": "false",
    });
    assert.equal(tags(PINNED)?.["git.branch"], "release");
  });

  it("with nothing changed, builds nothing: the scan state is left as it was", async () => {
    const before = statSync(w.paths.scanState).mtimeMs;
    const report = await scanWorkspace(w.paths);
    assert.equal(report.reread, 0);
    assert.equal(statSync(w.paths.scanState).mtimeMs, before);
  });

  it("rebuilds the catalog after a commit, though no scanned file changed", async () => {
    git("checkout", "-q", "-b", "next");
    const report = await scanWorkspace(w.paths);
    assert.equal(report.reread, 0);
    assert.equal(report.catalogWritten, true);
    assert.equal(report.symbols.find((s) => s.saddr === PLAIN)?.tags["git.branch"], "next");
  });
});

/**
 * A warm scan with no input changed keeps the catalog it wrote last (scanner.ts, keptCatalog):
 * the report is the same as the scan that built it, claims included, and nothing is written. A
 * change only git sees (another branch checked out, a repository appearing in a folder) is an
 * input too: the catalog is built again with the new tags.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { workspacePaths } from "../workspace/workspace.ts";
import { scanWorkspace } from "./scanner.ts";

const LOGGER = fileURLToPath(
  new URL("../../../../examples/quickstart/services/logger/rtt.manifest.json", import.meta.url),
);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A repository's `.git` in `top` with HEAD on `branch`, at a made-up commit. */
function gitRepo(top: string, branch: string, commit: string): void {
  mkdirSync(join(top, ".git", "refs", "heads"), { recursive: true });
  writeFileSync(join(top, ".git", "HEAD"), `ref: refs/heads/${branch}\n`);
  writeFileSync(join(top, ".git", "refs", "heads", branch), `${commit}\n`);
}

describe("a warm scan with nothing changed", () => {
  it("keeps the catalog, reports as the scan that built it, and rebuilds when git changes", async () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-kept-catalog-"));
    dirs.push(root);
    mkdirSync(join(root, ".rtt"));
    mkdirSync(join(root, "svc"));
    writeFileSync(join(root, "svc/rtt.manifest.json"), readFileSync(LOGGER, "utf8"));
    writeFileSync(join(root, "svc/run.sh"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
    gitRepo(root, "main", "a".repeat(40));
    const paths = workspacePaths(root);

    const built = await scanWorkspace(paths);
    assert.equal(built.catalogWritten, true);
    assert.equal(built.symbols.length, 2, "the manifest's symbol and the script's");
    assert.ok(built.symbols.every((s) => s.tags["git.branch"] === "main"));

    const kept = await scanWorkspace(paths);
    assert.equal(kept.catalogWritten, false);
    assert.equal(kept.reread, 0);
    assert.deepEqual(kept.symbols, built.symbols);
    assert.deepEqual(kept.conflicts, built.conflicts);
    assert.deepEqual(kept.diagnostics, built.diagnostics);
    assert.deepEqual(kept.claims, built.claims, "claims are made when asked for, the same");

    // Only git changed: another branch is checked out.
    gitRepo(root, "dev", "b".repeat(40));
    writeFileSync(join(root, ".git", "HEAD"), "ref: refs/heads/dev\n");
    const switched = await scanWorkspace(paths);
    assert.equal(switched.catalogWritten, true);
    assert.ok(switched.symbols.every((s) => s.tags["git.branch"] === "dev"));
    assert.match(readFileSync(paths.catalog, "utf8"), /"git.branch": "dev"/);

    // A repository of its own appears in svc/: the walk sees its .git, the tags follow it.
    gitRepo(join(root, "svc"), "feature", "c".repeat(40));
    const nested = await scanWorkspace(paths);
    assert.equal(nested.catalogWritten, true);
    assert.ok(nested.symbols.every((s) => s.tags["git.branch"] === "feature"));
  });
});

/**
 * For indexer tests: a fixture tree written to a fresh temporary folder, removed after the test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestContext } from "node:test";

/** Writes `files` (workspace-relative path → contents) under a new folder and returns it. */
export function fixtureTree(t: TestContext, files: Readonly<Record<string, string | Buffer>>) {
  const root = mkdtempSync(join(tmpdir(), "rtt-indexer-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), contents);
  }
  return root;
}

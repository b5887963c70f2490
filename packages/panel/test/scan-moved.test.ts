/**
 * A workspace moved as a whole keeps every file's stamp (a rename changes no size, mtime or
 * inode), but a discovered symbol at its top is named after its folder: the scan reads the facts
 * again rather than recall a name from the old place.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { scanWorkspace, workspacePaths } from "../src/index.ts";
import { makeWorkspace } from "./workspace-fixture.ts";

const w = makeWorkspace();
const parent = mkdtempSync(join(tmpdir(), "rtt-moved-"));
after(() => {
  w.remove();
  rmSync(parent, { recursive: true, force: true });
});

const tools = (symbols: readonly { saddr: string }[]) =>
  symbols.map((s) => s.saddr).filter((s) => s.includes("/proc/tool@"));

describe("a moved workspace", () => {
  it("names a top-level script after the folder the workspace is in now", async () => {
    chmodSync(w.write("tool", "#!/bin/sh\necho hi\n"), 0o755);
    const before = await scanWorkspace(w.paths);
    assert.deepEqual(tools(before.symbols), [
      `rtt://${basename(w.paths.root).toLowerCase()}/proc/tool@0.0.0`,
    ]);
    const moved = join(parent, "moved-ws");
    renameSync(w.paths.root, moved);
    try {
      const after = await scanWorkspace(workspacePaths(moved));
      assert.deepEqual(tools(after.symbols), ["rtt://moved-ws/proc/tool@0.0.0"]);
    } finally {
      renameSync(moved, w.paths.root);
    }
  });
});

/**
 * A watcher's rescan on a real tree: an edit of a manifest the last walk found reuses that walk
 * (the report still counts the files that walk counted) and reads the edit; a path the walk did
 * not yield (a new manifest) walks again and finds it.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { workspacePaths } from "../workspace/workspace.ts";
import { scanWorkspace } from "./scanner.ts";
import { WalkMemo } from "./walk-memo.ts";

const LOGGER = fileURLToPath(
  new URL("../../../../examples/quickstart/services/logger/rtt.manifest.json", import.meta.url),
);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function manifest(version: string): string {
  return readFileSync(LOGGER, "utf8").replace("logger@1.0.0", `logger@${version}`);
}

describe("WalkMemo", () => {
  it("reuses the walk for edits of files it found, and walks again for anything else", async () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-walk-memo-"));
    dirs.push(root);
    mkdirSync(join(root, ".rtt"));
    mkdirSync(join(root, "svc"));
    writeFileSync(join(root, "svc/rtt.manifest.json"), manifest("1.0.0"));
    const paths = workspacePaths(root);
    const memo = new WalkMemo();
    const first = await scanWorkspace(paths, { watched: { memo, changed: [] } });
    assert.deepEqual(
      first.symbols.map((s) => s.saddr),
      ["rtt://obs/extension/logger@1.0.0#ndjson"],
    );

    // A file the walk would count, and an edit of the manifest; only the edit is reported.
    writeFileSync(join(root, "svc/notes.txt"), "x");
    writeFileSync(join(root, "svc/rtt.manifest.json"), manifest("1.0.1"));
    const edited = await scanWorkspace(paths, {
      watched: { memo, changed: ["svc/rtt.manifest.json"] },
    });
    assert.deepEqual(
      edited.symbols.map((s) => s.saddr),
      ["rtt://obs/extension/logger@1.0.1#ndjson"],
    );
    assert.equal(edited.files, first.files, "the walk was reused: notes.txt is not counted");
    assert.equal(edited.reread, 1);

    mkdirSync(join(root, "more"));
    writeFileSync(
      join(root, "more/rtt.manifest.json"),
      manifest("2.0.0").replace("logger@", "l2@"),
    );
    const added = await scanWorkspace(paths, {
      watched: { memo, changed: ["more/rtt.manifest.json"] },
    });
    assert.deepEqual(added.symbols.map((s) => s.saddr).sort(), [
      "rtt://obs/extension/l2@2.0.0#ndjson",
      "rtt://obs/extension/logger@1.0.1#ndjson",
    ]);
    assert.equal(added.files, first.files + 2, "walked again: notes.txt and the new manifest");
  });

  it("reuses nothing before a walk, or for no change", () => {
    const memo = new WalkMemo();
    assert.equal(memo.reuse(["a"]), undefined);
    const walk = {
      candidates: [{ kind: "manifest" as const, rel: "a", abs: "/w/a" }],
      files: 1,
      dirs: 1,
      diagnostics: [],
    };
    memo.remember(walk);
    assert.equal(memo.reuse(["a"]), walk);
    assert.equal(memo.reuse([]), undefined);
    assert.equal(memo.reuse(["a", "b"]), undefined);
  });
});

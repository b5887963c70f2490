/**
 * A watcher's rescan over the scan state it wrote itself trusts the watcher for the files it did
 * not report (their stamps are not looked at again); over a state another process wrote since,
 * it stats every file, and an edit the watcher never reported is read all the same.
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

function manifest(name: string, version: string): string {
  return readFileSync(LOGGER, "utf8").replace("logger@1.0.0", `${name}@${version}`);
}

describe("a watcher's rescan", () => {
  it("stats only what the watcher reported, unless another process wrote the state", async () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-watched-rescan-"));
    dirs.push(root);
    mkdirSync(join(root, ".rtt"));
    mkdirSync(join(root, "a"));
    mkdirSync(join(root, "b"));
    writeFileSync(join(root, "a/rtt.manifest.json"), manifest("la", "1.0.0"));
    writeFileSync(join(root, "b/rtt.manifest.json"), manifest("lb", "1.0.0"));
    const paths = workspacePaths(root);
    const memo = new WalkMemo();
    await scanWorkspace(paths, { watched: { memo, changed: [] } });

    // Both edited; the watcher reports a only: b's edit is not looked for.
    writeFileSync(join(root, "a/rtt.manifest.json"), manifest("la", "1.0.1"));
    writeFileSync(join(root, "b/rtt.manifest.json"), manifest("lb", "1.0.1-edited"));
    const trusted = await scanWorkspace(paths, {
      watched: { memo, changed: ["a/rtt.manifest.json"] },
    });
    assert.equal(trusted.reread, 1);
    assert.deepEqual(trusted.symbols.map((s) => s.saddr).sort(), [
      "rtt://obs/extension/la@1.0.1#ndjson",
      "rtt://obs/extension/lb@1.0.0#ndjson",
    ]);

    // Another process writes the state (here: the same bytes, as a new file): the next rescan
    // stats every file, and finds b's edit the watcher never reported.
    const state = readFileSync(paths.scanState);
    rmSync(paths.scanState);
    writeFileSync(paths.scanState, state);
    writeFileSync(join(root, "a/rtt.manifest.json"), manifest("la", "1.0.2"));
    const whole = await scanWorkspace(paths, {
      watched: { memo, changed: ["a/rtt.manifest.json"] },
    });
    assert.equal(whole.reread, 2);
    assert.deepEqual(whole.symbols.map((s) => s.saddr).sort(), [
      "rtt://obs/extension/la@1.0.2#ndjson",
      "rtt://obs/extension/lb@1.0.1-edited#ndjson",
    ]);
  });
});

/**
 * The scan watcher on real folders: one rescan for a burst of writes, with their paths; nothing
 * for RTT's own runtime state or an ignored folder; what changes during a rescan is the next
 * one; closed, it calls nothing more. And the native watcher's ignore list.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { resolveConfig, workspacePaths } from "../workspace/workspace.ts";
import { ScanWatcher, watchedFolders, watchIgnores } from "./watch.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workspace() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "rtt-watch-")));
  dirs.push(root);
  for (const d of [".rtt/cache", "logs", "svc/a", "node_modules/x"])
    mkdirSync(join(root, d), { recursive: true });
  const paths = workspacePaths(root);
  return {
    root,
    paths,
    scan: resolveConfig(paths, { scan: { ignore: ["logs", "node_modules"] } }).scan,
  };
}

/** This process's children that exited and were never reaped. */
function zombieChildren(): string[] {
  const out = spawnSync("ps", ["-o", "stat=,args=", "--ppid", String(process.pid)], {
    encoding: "utf8",
  }).stdout;
  return out.split("\n").filter((line) => line.trim().startsWith("Z"));
}

describe("ScanWatcher", () => {
  it("leaves no unreaped child behind (the watcher never looks for watchman)", async () => {
    const { paths, scan } = workspace();
    const watcher = await ScanWatcher.start(paths, scan, () => {});
    try {
      assert.deepEqual(zombieChildren(), []);
    } finally {
      await watcher.close();
    }
  });

  it("hands a burst of changes to one call, skipping runtime state and ignored folders", async () => {
    const { root, paths, scan } = workspace();
    const calls: string[][] = [];
    // A window wider than the default: on a loaded host the watcher's thread may hand the
    // burst's events over more than 50 ms apart, and this checks the coalescing, not the clock.
    const watcher = await ScanWatcher.start(
      paths,
      scan,
      (changed) => {
        calls.push([...changed]);
      },
      { settleMs: 500 },
    );
    try {
      writeFileSync(join(root, ".rtt/cache/catalog.json"), "{}");
      writeFileSync(join(root, "logs/out.ndjson"), "x");
      writeFileSync(join(root, "node_modules/x/rtt.manifest.json"), "{}");
      writeFileSync(join(root, "svc/a/rtt.manifest.json"), "{}");
      writeFileSync(join(root, ".rtt/routes.json"), "{}");
      await eventually(() => calls.length > 0, { what: "a call" });
      await watcher.settled();
      assert.deepEqual([...new Set(calls.flat())].sort(), [
        ".rtt/routes.json",
        "svc/a/rtt.manifest.json",
      ]);
      // The burst is one call (a write's late modify event may make one more, of the same paths).
      assert.deepEqual(calls[0], [".rtt/routes.json", "svc/a/rtt.manifest.json"]);
    } finally {
      await watcher.close();
    }
  });

  it("runs one call at a time: a change during one is the next call", async () => {
    const { root, paths, scan } = workspace();
    const calls: string[][] = [];
    let release: () => void = () => {};
    let running = 0;
    let most = 0;
    const watcher = await ScanWatcher.start(paths, scan, async (changed) => {
      running++;
      most = Math.max(most, running);
      calls.push([...changed]);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      running--;
    });
    try {
      writeFileSync(join(root, "svc/one.json"), "1");
      await eventually(() => calls.length === 1, { what: "the first call" });
      writeFileSync(join(root, "svc/two.json"), "2");
      // The second change waits for the first call (nothing to sleep on: it cannot start).
      await eventually(() => calls.length === 1 && running === 1, { what: "the first to run" });
      assert.ok(!calls.flat().includes("svc/two.json"), "not before the first call ended");
      release();
      // A write can be two events (create, then modify) that land on either side of a flush.
      await eventually(() => calls.flat().includes("svc/two.json"), { what: "the second call" });
      assert.ok(calls[0]?.includes("svc/one.json"), JSON.stringify(calls));
      assert.equal(most, 1);
    } finally {
      await watcher.close();
    }
  });

  it("calls nothing once closed", async () => {
    const { root, paths, scan } = workspace();
    const calls: string[][] = [];
    const watcher = await ScanWatcher.start(paths, scan, (changed) => {
      calls.push([...changed]);
    });
    await watcher.close();
    writeFileSync(join(root, "svc/late.json"), "x");
    const probe = await ScanWatcher.start(paths, scan, () => {});
    await probe.close();
    assert.deepEqual(calls, []);
  });
});

describe("watchIgnores and watchedFolders", () => {
  it("translates plain patterns, skips globs, and prunes nothing with a re-include", () => {
    assert.deepEqual(
      watchIgnores("/w", ["logs", "/build", "a/b/", "*.tmp"], ["/w/.rtt/cache", "/x"]),
      ["/w/.rtt/cache", "**/logs", "**/logs/**", "/w/build", "/w/a/b"],
    );
    assert.deepEqual(watchIgnores("/w", ["logs/*", "!logs/keep"], ["/w/.rtt/wal"]), [
      "/w/.rtt/wal",
    ]);
  });

  it("watches each root and .rtt/, less those inside another", () => {
    const paths = workspacePaths("/w");
    assert.deepEqual(watchedFolders(paths, ["./"]), ["/w"]);
    assert.deepEqual(watchedFolders(paths, ["svc", "svc/a", "lib"]), [
      "/w/svc",
      "/w/lib",
      "/w/.rtt",
    ]);
  });
});

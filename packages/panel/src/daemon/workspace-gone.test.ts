import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { watchWorkspace } from "./workspace-gone.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-workspace-gone-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function rttDir(): string {
  const dir = join(root, `ws-${++n}`, ".rtt");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Watches `dir` every 5 ms; the reasons it gave. */
function watch(dir: string) {
  const said: string[] = [];
  const watcher = watchWorkspace(dir, (why) => said.push(why), 5);
  return { said, watcher };
}

describe("the panel's workspace going away", () => {
  it("deleted: said once, with the folder", async () => {
    const dir = rttDir();
    const { said } = watch(dir);
    rmSync(join(dir, ".."), { recursive: true });
    await eventually(() => said.length > 0, { what: "the deletion noticed" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(said, [`${dir} is gone (the workspace was deleted or moved)`]);
  });

  it("replaced by another folder of the same name: noticed too", async () => {
    const dir = rttDir();
    const { said } = watch(dir);
    renameSync(dir, `${dir}-old`);
    mkdirSync(dir);
    await eventually(() => said.length > 0, { what: "the replacement noticed" });
    assert.deepEqual(said, [`${dir} is another folder now (the workspace was replaced)`]);
  });

  it("left in place, or stopped: nothing is said", async () => {
    const kept = watch(rttDir());
    const dir = rttDir();
    const stopped = watch(dir);
    stopped.watcher.stop();
    rmSync(dir, { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    kept.watcher.stop();
    assert.deepEqual([kept.said, stopped.said], [[], []]);
  });
});

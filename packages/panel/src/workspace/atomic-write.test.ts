import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic, writeFileAtomicOffLoop } from "./atomic-write.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-atomic-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeFileAtomic replaces the file whole and leaves no temp file", () => {
  const path = join(dir, "sync.json");
  writeFileSync(path, "old\n");
  writeFileAtomic(path, "new\n");
  assert.equal(readFileSync(path, "utf8"), "new\n");
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith(".tmp")),
    [],
  );
});

test("writeFileAtomicOffLoop replaces the file only if still wanted when its temp file is synced", async () => {
  const path = join(dir, "off-loop.json");
  writeFileSync(path, "old\n");
  let asked = 0;
  const superseded = writeFileAtomicOffLoop(path, "stale\n", () => {
    asked++;
    return false;
  });
  // Meanwhile a newer write lands: the older one must not replace it afterwards.
  writeFileAtomic(path, "newer\n");
  assert.equal(await superseded, false);
  assert.equal(asked, 1);
  assert.equal(readFileSync(path, "utf8"), "newer\n");

  assert.equal(await writeFileAtomicOffLoop(path, "newest\n", () => true), true);
  assert.equal(readFileSync(path, "utf8"), "newest\n");
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith(".tmp")),
    [],
  );
});

test("under a linked .rtt folder writeFileAtomic writes nothing there, not even a temp file", () => {
  const ws = join(dir, "ws");
  const real = join(dir, "elsewhere");
  mkdirSync(join(ws, ".rtt"), { recursive: true });
  mkdirSync(real);
  symlinkSync(real, join(ws, ".rtt/cache"));
  assert.throws(
    () => writeFileAtomic(join(ws, ".rtt/cache/catalog.json"), "{}"),
    (e: Error & { code?: string }) =>
      e.code === "RTT_ERR_STATE_LINK" && /\.rtt\/cache is a symbolic link/.test(e.message),
  );
  assert.deepEqual(readdirSync(real), []);
});

/**
 * The bin's compile cache (packages/cli/bin/rtt.js): Node's cache of compiled code and stripped
 * TypeScript, kept in the user's XDG cache folder, private to the user. A folder another user
 * could write is not used, and a damaged or stale entry is compiled again, never run.
 */
import assert from "node:assert/strict";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { describeRun, makeTempDir, RTT_BIN, removeTempDirs, run } from "./helpers.ts";

after(removeTempDirs);

const { version } = JSON.parse(
  readFileSync(new URL("../../packages/cli/package.json", import.meta.url), "utf8"),
) as { version: string };

/** Every file under `dir`, as paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** `rtt --version` with the XDG cache folder at `cache`. */
async function rttVersion(cache: string, env: Record<string, string | undefined> = {}) {
  const r = await run(process.execPath, [RTT_BIN, "--version"], {
    cwd: cache,
    env: { XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: undefined, ...env },
  });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(r.stdout, `${version}\n`);
  return r;
}

describe("the compile cache", () => {
  it("is kept in $XDG_CACHE_HOME/rtt/compile-cache, a folder only the user can open", async () => {
    const cache = makeTempDir("rtt-xdg-");
    await rttVersion(cache);
    const dir = join(cache, "rtt", "compile-cache");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(cache, "rtt")).mode & 0o077, 0);
    const files = filesUnder(dir);
    assert.ok(files.length > 0, "nothing was cached");
  });

  it("a damaged cache is compiled again: the run is unharmed", async () => {
    const cache = makeTempDir("rtt-xdg-");
    await rttVersion(cache);
    const files = filesUnder(join(cache, "rtt", "compile-cache"));
    files.forEach((file, i) => {
      const bytes = readFileSync(file);
      // Flipped bytes in some, cut short or emptied in others.
      if (i % 3 === 0)
        writeFileSync(
          file,
          bytes.map((b) => b ^ 0x5a),
        );
      else if (i % 3 === 1) writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
      else writeFileSync(file, "");
    });
    await rttVersion(cache);
    await rttVersion(cache);
  });

  it("a cache folder others could write is not used", async () => {
    const cache = makeTempDir("rtt-xdg-");
    await rttVersion(cache);
    const dir = join(cache, "rtt", "compile-cache");
    for (const file of filesUnder(dir)) writeFileSync(file, "planted");
    chmodSync(dir, 0o777);
    await rttVersion(cache);
    // Read, an entry would be checked and then rewritten: left alone, it was never opened.
    assert.ok(filesUnder(dir).every((file) => readFileSync(file, "utf8") === "planted"));
  });

  it("a relative XDG_CACHE_HOME is ignored (the XDG spec): ~/.cache is used", async () => {
    const home = makeTempDir("rtt-home-");
    await rttVersion(home, { XDG_CACHE_HOME: "relative/cache", HOME: home });
    assert.ok(filesUnder(join(home, ".cache", "rtt", "compile-cache")).length > 0);
  });
});

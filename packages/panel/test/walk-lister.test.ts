/**
 * The walk with the native folder lister (ADR 0038) is the walk without it: on a tree with every
 * case the walk treats apart — ignored folders (panel.yaml and .gitignore, one of them taken back
 * by a `!`), `.rtt/manifests` and `.rtt/cache`, links inside, outside and into a loop, a FIFO, a
 * socket, a name that is not UTF-8, nested roots — a walk here (with the lister) and one in a
 * process with the addon disabled (RTT_NO_NATIVE=1, readdir only) yield the same candidates,
 * counts, diagnostics and folders; so does a walk given a lister started early, or one started
 * for other roots.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Diagnostic } from "@rtt/core";
import { startFolderLister } from "@rtt/fabric/folder-lister.ts";
import { startWalkLister } from "../src/scan/walk-listing.ts";
import { type WalkedOptions, walkAsJson } from "./support/walk-as-json.ts";

const WALK_AS_JSON = new URL("./support/walk-as-json.ts", import.meta.url).href;

/** The same walk in another process: with the addon disabled (readdir for every folder), or not. */
function walkElsewhere(options: WalkedOptions, env: NodeJS.ProcessEnv = { RTT_NO_NATIVE: "1" }) {
  const script = `import { walkAsJson } from ${JSON.stringify(WALK_AS_JSON)};
process.stdout.write(walkAsJson(JSON.parse(process.argv[1]), []));`;
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", script, JSON.stringify(options)],
    // Far longer than the walk takes: a walk held by a hung folder fails here, not by hanging.
    { encoding: "utf8", env: { ...process.env, ...env }, timeout: 20_000 },
  );
  assert.equal(child.status, 0, `${child.error ?? ""} ${child.stderr}`);
  return child.stdout;
}

/**
 * A shared object making `opendir` of any folder named `slow` sleep 30 s: a hung mount. Built
 * with the C compiler the addon's own build needs.
 */
function hungMountShim(dir: string): string {
  const source = join(dir, "hung.c");
  writeFileSync(
    source,
    `#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <string.h>
#include <unistd.h>
DIR* opendir(const char* name) {
  static DIR* (*real)(const char*);
  if (!real) real = (DIR* (*)(const char*))dlsym(RTLD_NEXT, "opendir");
  size_t n = strlen(name);
  if (n >= 5 && strcmp(name + n - 5, "/slow") == 0) sleep(30);
  return real(name);
}
`,
  );
  const shim = join(dir, "hung.so");
  const built = spawnSync("cc", ["-shared", "-fPIC", "-o", shim, source, "-ldl"]);
  assert.equal(built.status, 0, `cc could not build the shim: ${built.error ?? built.stderr}`);
  return shim;
}

describe("the walk with the folder lister", () => {
  let root: string;
  let outside: string;
  let server: Server;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), "rtt-walk-lister-"));
    outside = mkdtempSync(join(tmpdir(), "rtt-walk-outside-"));
    const write = (rel: string, text = "x") => {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    write("rtt.manifest.json");
    write(".rtt/manifests/a.json");
    write(".rtt/manifests/notes.txt");
    write(".rtt/cache/catalog.json");
    write("svc/rtt.manifest.json");
    write("svc/.rtttags");
    write("svc/app/routes.py");
    write("svc/app/README.md");
    write("svc/bin/run");
    write("svc/pyproject.toml");
    write("node_modules/dep/rtt.manifest.json");
    write("dist/rtt.manifest.json");
    write("lib/.gitignore", "build/\n");
    write("lib/build/rtt.manifest.json");
    write("lib/src/main.go");
    write("lib/src/.git", "gitdir: elsewhere\n");
    for (let i = 0; i < 200; i++) write(`lib/src/deep/er/file-${i}.txt`);
    write(".gitignore", "*.log\n");
    write("debug.log");
    writeFileSync(join(outside, "rtt.manifest.json"), "x");
    symlinkSync("../svc", join(root, "lib/to-svc"));
    symlinkSync(outside, join(root, "lib/to-outside"));
    symlinkSync("..", join(root, "lib/src/loop"));
    symlinkSync("nowhere", join(root, "lib/rtt.manifest.json"));
    assert.equal(spawnSync("mkfifo", [join(root, "svc/events.fifo")]).status, 0);
    const probe = startFolderLister([root], []);
    assert.ok(probe !== undefined, "the native addon's lister is available (npm ci builds it)");
    probe.close();
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(root, "svc/ctl.sock"), resolve));
    // Below the root: a folder holding such a name is read by readdir, and so is all below it.
    const odd = Buffer.concat([Buffer.from(`${root}/svc/odd-`), Buffer.from([0xff])]);
    mkdirSync(odd);
    writeFileSync(Buffer.concat([odd, Buffer.from("/rtt.manifest.json")]), "x");
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const cases: [string, Omit<WalkedOptions, "root">][] = [
    ["the default root", { roots: ["./"], ignore: ["node_modules"], followSymlinks: "within" }],
    [
      "an ignored name taken back",
      { roots: ["./"], ignore: ["node_modules", "dist", "!dist"], followSymlinks: "within" },
    ],
    ["nested roots", { roots: ["lib", "./", "svc"], ignore: [], followSymlinks: "always" }],
    ["a root given twice", { roots: ["./", "./"], ignore: [], followSymlinks: "within" }],
    ["a root with a NUL", { roots: ["lib\0", "svc"], ignore: [], followSymlinks: "within" }],
    [
      "a .rtt/manifests root, for manifests only",
      {
        roots: [".rtt/manifests", "svc"],
        ignore: [],
        followSymlinks: "within",
        manifestsOnly: true,
      },
    ],
    ["links never followed", { roots: ["./"], ignore: [".rtt"], followSymlinks: "never" }],
  ];
  for (const [label, rest] of cases) {
    it(`walks ${label} as readdir alone does`, () => {
      const options = { root, ...rest };
      const failures: Diagnostic[] = [];
      const here = walkAsJson(options, failures);
      assert.deepEqual(failures, []);
      assert.equal(here, walkElsewhere(options));
      // Listed while the scanner would load, then taken over by the walk.
      assert.equal(walkAsJson(options, [], startWalkLister(options)), here);
      // Started for other roots: closed, and the walk starts its own.
      assert.equal(walkAsJson(options, [], startFolderLister([outside], [])), here);
    });
  }

  it("is not held by a hung folder it ignores: the lister is left to it", () => {
    const shim = hungMountShim(outside);
    const tree = mkdtempSync(join(tmpdir(), "rtt-walk-hung-"));
    try {
      mkdirSync(join(tree, "slow/deep"), { recursive: true });
      mkdirSync(join(tree, "svc"));
      writeFileSync(join(tree, "svc/rtt.manifest.json"), "{}");
      writeFileSync(join(tree, ".gitignore"), "slow/\n");
      const options = { root: tree, roots: ["./"], ignore: [], followSymlinks: "within" } as const;
      assert.equal(walkElsewhere(options, { LD_PRELOAD: shim }), walkElsewhere(options));
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});

/**
 * The native folder lister (native/src/lister.cc) against readdir on real trees: every folder's
 * listing is readdir's entries, the files its filter does not name counted instead, in readdir's
 * order; a folder it cannot list as readdir would (pruned, a name that is not UTF-8) is "not
 * listed", never listed wrong; and its filter means what `isNamed` says, for any names.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  type FolderLister,
  type FolderListing,
  isNamed,
  type ListedNames,
  ListedType,
  startFolderLister,
} from "../src/folder-lister.ts";

const EVERY: ListedNames = {
  all: true,
  names: [],
  suffixes: [],
  containing: [],
  noExtension: false,
};
const SOME: ListedNames = {
  all: false,
  names: ["rtt.manifest.json", "go.mod"],
  suffixes: [".py", ".d.ts"],
  containing: [".so"],
  noExtension: true,
};

/** readdir's view of `dir` as a listing under `filter` (every file in a `manifests` folder). */
function expected(dir: string, filter: ListedNames, allFiles: boolean): FolderListing {
  const names: string[] = [];
  const types: number[] = [];
  let plainFiles = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const type = e.isFile()
      ? ListedType.file
      : e.isDirectory()
        ? ListedType.folder
        : e.isSymbolicLink()
          ? ListedType.link
          : e.isFIFO()
            ? ListedType.fifo
            : e.isSocket()
              ? ListedType.socket
              : undefined;
    if (type === undefined || (type === ListedType.file && !allFiles && !isNamed(filter, e.name))) {
      plainFiles++;
      continue;
    }
    names.push(e.name);
    types.push(type);
  }
  return { plainFiles, names, types };
}

const plain = (l: FolderListing) => ({
  plainFiles: l.plainFiles,
  names: [...l.names],
  types: [...Array.from(l.types)],
});

/** Takes every folder depth first as the walk does, checking each against readdir. */
function walkAll(lister: FolderLister, root: string, filter: ListedNames): string[] {
  const taken: string[] = [];
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    const listing = lister.take(dir);
    assert.ok(listing !== undefined, `${dir} was listed`);
    const manifests = dir.endsWith("/manifests");
    assert.deepEqual(plain(listing), plain(expected(dir, filter, manifests)), dir);
    taken.push(dir);
    listing.names.forEach((n, i) => {
      if (listing.types[i] === ListedType.folder) stack.push(`${dir}/${n}`);
    });
  }
  return taken;
}

describe("the native folder lister", () => {
  let base: string;
  let server: Server;
  before(async () => {
    base = mkdtempSync(join(tmpdir(), "rtt-lister-"));
    const tree = join(base, "tree");
    for (const dir of ["a/b/c", "a/node_modules/x", "d/.rtt/manifests", "e", "f/g/h/i/j"]) {
      mkdirSync(join(tree, dir), { recursive: true });
    }
    const files = [
      "rtt.manifest.json",
      "a/go.mod",
      "a/b/main.py",
      "a/b/notes.txt",
      "a/b/c/run",
      "a/b/c/.profile",
      "a/b/c/libx.so.1",
      "a/b/c/types.d.ts",
      "a/b/c/index.ts",
      "a/node_modules/x/index.py",
      "d/.rtt/manifests/one.json",
      "d/.rtt/manifests/two.txt",
      "e/ünïcødé.py",
      "e/zz.txt",
    ];
    for (const f of files) writeFileSync(join(tree, f), "x");
    for (let i = 0; i < 300; i++) writeFileSync(join(tree, "f/g/h", `file-${i}.txt`), "x");
    symlinkSync("../a", join(tree, "e/to-a"));
    symlinkSync("missing", join(tree, "e/dangling.py"));
    assert.equal(spawnSync("mkfifo", [join(tree, "e/pipe")]).status, 0);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(tree, "e/sock"), resolve));
  });
  after(() => {
    server.close();
    rmSync(base, { recursive: true, force: true });
  });

  for (const [label, filter] of [
    ["every file", EVERY],
    ["the files a filter names", SOME],
  ] as const) {
    it(`lists each folder as readdir does, naming ${label}`, () => {
      const tree = join(base, "tree");
      const lister = startFolderLister([tree], []);
      assert.ok(lister !== undefined);
      try {
        lister.name(filter);
        const taken = walkAll(lister, tree, filter);
        assert.equal(taken.length, 15);
      } finally {
        lister.close();
      }
    });
  }

  it("names every file until it is told a filter", () => {
    const tree = join(base, "tree");
    const lister = startFolderLister([tree], []);
    assert.ok(lister !== undefined);
    try {
      walkAll(lister, tree, EVERY);
    } finally {
      lister.close();
    }
  });

  it("does not list a pruned folder, nor anything below it", () => {
    const tree = join(base, "tree");
    const lister = startFolderLister([tree], ["node_modules"]);
    assert.ok(lister !== undefined);
    try {
      assert.ok(lister.take(join(tree, "a")) !== undefined);
      assert.equal(lister.take(join(tree, "a/node_modules")), undefined);
      // Never below a root: answered once every folder is listed, never waited on forever.
      assert.equal(lister.take(join(tree, "a/node_modules/x")), undefined);
    } finally {
      lister.close();
    }
  });

  it("leaves a folder holding a name that is not UTF-8 to the caller", () => {
    const odd = join(base, "odd");
    mkdirSync(odd);
    writeFileSync(Buffer.concat([Buffer.from(`${odd}/bad-`), Buffer.from([0xff, 0xfe])]), "x");
    writeFileSync(join(odd, "fine.py"), "x");
    const lister = startFolderLister([odd], []);
    assert.ok(lister !== undefined);
    try {
      assert.equal(lister.take(odd), undefined);
    } finally {
      lister.close();
    }
  });

  it("answers for a root that is not a folder, and after close", () => {
    const lister = startFolderLister([join(base, "nowhere")], []);
    assert.ok(lister !== undefined);
    assert.equal(lister.take(join(base, "nowhere")), undefined);
    lister.close();
    lister.close();
    assert.equal(lister.take(join(base, "nowhere")), undefined);
  });

  it("lists roots last-given first, each with the folders below it", () => {
    const tree = join(base, "tree");
    const lister = startFolderLister([join(tree, "a"), join(tree, "f")], []);
    assert.ok(lister !== undefined);
    try {
      assert.ok(lister.take(join(tree, "f/g/h/i/j")) !== undefined);
      assert.ok(lister.take(join(tree, "a/b/c")) !== undefined);
      assert.equal(lister.take(join(tree, "e")), undefined);
    } finally {
      lister.close();
    }
  });

  it("names a file exactly when isNamed says so, for any names and filter", () => {
    const dir = join(base, "names");
    // Pieces with the characters a filter could mistake: dots, dot files, double extensions.
    const piece = fc.constantFrom("a", ".", "py", ".py", "so", ".so", "d", "-", "é", "Z");
    const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(""));
    const fileName = text.filter((t) => t !== "." && t !== "..");
    const filter = fc.record({
      all: fc.boolean(),
      names: fc.array(text, { maxLength: 2 }),
      suffixes: fc.array(text, { maxLength: 3 }),
      containing: fc.array(text, { maxLength: 1 }),
      noExtension: fc.boolean(),
    });
    fc.assert(
      fc.property(filter, fc.uniqueArray(fileName, { maxLength: 12 }), (f, names) => {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        for (const n of names) writeFileSync(join(dir, n), "");
        const lister = startFolderLister([dir], []);
        assert.ok(lister !== undefined);
        try {
          lister.name(f);
          const listing = lister.take(dir);
          assert.ok(listing !== undefined);
          assert.deepEqual(plain(listing), plain(expected(dir, f, false)));
        } finally {
          lister.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

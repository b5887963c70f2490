import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { scanWorkspace } from "../src/index.ts";
import { type Fixture, makeWorkspace, manifest } from "./workspace-fixture.ts";

const fixtures: Fixture[] = [];
function workspace(options?: { init?: boolean }): Fixture {
  const f = makeWorkspace(options);
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.remove();
});

const saddrs = (r: Awaited<ReturnType<typeof scanWorkspace>>) => r.symbols.map((s) => s.saddr);

describe("scan finds manifests", () => {
  it("at any depth and in .rtt/manifests, sorted by address, with the sample from init", async () => {
    const w = workspace();
    w.write("a/b/c/d/rtt.manifest.json", manifest("rtt://deep/api/x@1.0.0"));
    w.write("z/rtt.manifest.json", manifest("rtt://alpha/hook/y@2.0.0"));
    w.write(".rtt/manifests/extra.json", manifest("rtt://extra/flag/f@0.1.0"));
    w.write("a/not-a-manifest.json", manifest("rtt://no/api/no@1.0.0"));
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(report), [
      "rtt://alpha/hook/y@2.0.0",
      "rtt://core/api/metrics@1.0.0",
      "rtt://deep/api/x@1.0.0",
      "rtt://extra/flag/f@0.1.0",
    ]);
    assert.equal(report.errors, 0);
    assert.equal(report.manifests, 4);
    const catalog = JSON.parse(readFileSync(w.paths.catalog, "utf8"));
    assert.deepEqual(
      catalog.symbols.map((s: { saddr: string }) => s.saddr),
      saddrs(report),
    );
    assert.equal(catalog.symbols[2].source.file, "a/b/c/d/rtt.manifest.json");
    assert.match(catalog.symbols[2].contract_hash, /^[0-9a-f]{64}$/);
  });

  it("honours panel.yaml ignore globs and .gitignore files, deepest opinion first", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", 'scan:\n  ignore: ["vendor", "*.bak"]\n');
    w.write("vendor/rtt.manifest.json", manifest("rtt://vendor/api/v@1.0.0"));
    w.write("build/rtt.manifest.json", manifest("rtt://build/api/b@1.0.0"));
    w.write(".gitignore", "build/\ngen/\n");
    w.write("gen/rtt.manifest.json", manifest("rtt://gen/api/g@1.0.0"));
    w.write("svc/.gitignore", "tmp/\n");
    w.write("svc/tmp/rtt.manifest.json", manifest("rtt://tmp/api/t@1.0.0"));
    w.write("svc/keep/.gitignore", "!rtt.manifest.json\n");
    w.write("svc/keep/rtt.manifest.json", manifest("rtt://keep/api/k@1.0.0"));
    w.write("node_modules/x/rtt.manifest.json", manifest("rtt://nm/api/n@1.0.0"));
    const report = await scanWorkspace(w.paths);
    // An explicit ignore list replaces the default one, so node_modules is walked here.
    assert.deepEqual(saddrs(report), [
      "rtt://core/api/metrics@1.0.0",
      "rtt://keep/api/k@1.0.0",
      "rtt://nm/api/n@1.0.0",
    ]);
  });

  it("never walks .rtt/cache, wal, sockets or drivers", async () => {
    const w = workspace();
    w.write(".rtt/cache/rtt.manifest.json", manifest("rtt://cache/api/c@1.0.0"));
    w.write(".rtt/drivers/d/rtt.manifest.json", manifest("rtt://drv/api/d@1.0.0"));
    assert.deepEqual(saddrs(await scanWorkspace(w.paths)), ["rtt://core/api/metrics@1.0.0"]);
  });

  it("merges .rtttags sidecars: outer first, deeper wins, sections select by pattern, bad lines reported", async () => {
    const w = workspace();
    w.write(".rtttags", "project = demo\nteam = core\n");
    w.write("obs/.rtttags", "team = obs\n[rtt://obs/api/*]\nhot\nthis line is bad\n");
    w.write(
      "obs/a/rtt.manifest.json",
      manifest("rtt://obs/api/a@1.0.0", { tags: { team: "manifest", own: "yes" } }),
    );
    w.write("obs/b/rtt.manifest.json", manifest("rtt://obs/hook/b@1.0.0"));
    const report = await scanWorkspace(w.paths);
    const tags = Object.fromEntries(report.symbols.map((s) => [s.saddr, s.tags]));
    assert.deepEqual(tags["rtt://obs/api/a@1.0.0"], {
      hot: "true",
      own: "yes",
      project: "demo",
      team: "obs",
    });
    assert.deepEqual(tags["rtt://obs/hook/b@1.0.0"], { project: "demo", team: "obs" });
    assert.deepEqual(tags["rtt://core/api/metrics@1.0.0"], { project: "demo", team: "core" });
    const bad = report.diagnostics.find((d) => d.code === "RTT_ERR_TAGS_SYNTAX");
    assert.equal(bad?.file, "obs/.rtttags");
    assert.equal(bad?.line, 4);
  });
});

describe("scan reports bad input and goes on", () => {
  it("bad JSON, bad address and schema violations: file:line:col, skipped, others kept", async () => {
    const w = workspace();
    w.write(
      "bad-json/rtt.manifest.json",
      '{\n  "symbol": {\n    "saddr": "rtt://a/api/b@1.0.0"\n    "type": "api"\n  }\n}\n',
    );
    w.write(
      "bad-addr/rtt.manifest.json",
      manifest("rtt://a/apii/b@1.0.0").replace('"type": "apii"', '"type": "api"'),
    );
    w.write(
      "bad-schema/rtt.manifest.json",
      manifest("rtt://a/api/c@1.0.0", { direction: "sideways" }),
    );
    w.write("good/rtt.manifest.json", manifest("rtt://good/api/g@1.0.0"));
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(report), ["rtt://core/api/metrics@1.0.0", "rtt://good/api/g@1.0.0"]);
    const where = report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    assert.deepEqual(where, [
      "bad-addr/rtt.manifest.json:3:23 RTT_ERR_DOC_SCHEMA",
      "bad-json/rtt.manifest.json:4:5 RTT_ERR_DOC_SYNTAX",
      "bad-schema/rtt.manifest.json:5:18 RTT_ERR_DOC_SCHEMA",
    ]);
    assert.equal(report.errors, 3);
    assert.match(report.diagnostics[0]?.message ?? "", /expected a symbol type/);
    assert.equal(report.diagnostics[0]?.hint, 'did you mean "api"?');
  });

  it("conflicting manifests for one address: both reported, neither catalogued; identical ones: warning, first kept", async () => {
    const w = workspace();
    w.write("x/rtt.manifest.json", manifest("rtt://dup/api/d@1.0.0", { capabilities: ["pull"] }));
    w.write("y/rtt.manifest.json", manifest("rtt://dup/api/d@1.0.0", { capabilities: ["push"] }));
    w.write("p/rtt.manifest.json", manifest("rtt://same/api/s@1.0.0"));
    w.write("q/rtt.manifest.json", manifest("rtt://same/api/s@1.0.0"));
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(report), ["rtt://core/api/metrics@1.0.0", "rtt://same/api/s@1.0.0"]);
    assert.equal(report.symbols[1]?.source.file, "p/rtt.manifest.json");
    const conflicts = report.diagnostics.filter((d) => d.code === "RTT_ERR_SCAN_CONFLICT");
    assert.deepEqual(
      conflicts.map((d) => `${d.severity} ${d.file}:${d.line}:${d.column}`),
      [
        "warning q/rtt.manifest.json:3:14",
        "error x/rtt.manifest.json:3:14",
        "error y/rtt.manifest.json:3:14",
      ],
    );
    assert.deepEqual(report.conflicts, [
      {
        saddr: "rtt://dup/api/d@1.0.0",
        files: ["x/rtt.manifest.json", "y/rtt.manifest.json"],
        identical: false,
      },
      {
        saddr: "rtt://same/api/s@1.0.0",
        files: ["p/rtt.manifest.json", "q/rtt.manifest.json"],
        identical: true,
      },
    ]);
  });

  it("a broken panel.yaml stops the scan before it walks, with line:col and a hint", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", "scan:\n  roots: ['./']\n  ignroe: [x]\n");
    const report = await scanWorkspace(w.paths);
    assert.equal(report.errors, 1);
    assert.equal(report.symbols.length, 0);
    const d = report.diagnostics[0];
    assert.equal(`${d?.file}:${d?.line}:${d?.column}`, ".rtt/panel.yaml:3:3");
    assert.equal(d?.hint, 'did you mean "ignore"?');
  });

  it("a catalog damaged or edited since the last scan is rewritten by the next, inputs unchanged", async () => {
    const w = workspace();
    w.write("svc/rtt.manifest.json", manifest("rtt://core/api/kept@1.0.0"));
    await scanWorkspace(w.paths);
    const good = readFileSync(w.paths.catalog, "utf8");
    w.write(".rtt/cache/catalog.json", "{ damaged");
    const again = await scanWorkspace(w.paths);
    assert.equal(again.catalogWritten, true);
    assert.equal(readFileSync(w.paths.catalog, "utf8"), good);
    assert.equal((await scanWorkspace(w.paths)).catalogWritten, false, "and then left alone");
  });

  it("a scan root that is not there stops the scan at its line in panel.yaml; the catalog is kept", async () => {
    const w = workspace();
    w.write("svc/rtt.manifest.json", manifest("rtt://core/api/kept@1.0.0"));
    assert.equal((await scanWorkspace(w.paths)).errors, 0);
    const before = readFileSync(w.paths.catalog, "utf8");
    w.write(".rtt/panel.yaml", "scan:\n  roots: ['./', './nonexistent']\n");
    const report = await scanWorkspace(w.paths);
    assert.equal(report.errors, 1);
    assert.equal(report.catalogWritten, false);
    const d = report.diagnostics[0];
    assert.equal(`${d?.file}:${d?.line}`, ".rtt/panel.yaml:2");
    assert.match(d?.message ?? "", /scan root "\.\/nonexistent" is not a folder/);
    assert.equal(readFileSync(w.paths.catalog, "utf8"), before, "the catalog was left as it was");
  });
});

describe("scan survives a hostile tree", () => {
  it("symlink loops are reported, not followed; under `always` outside folders are followed once", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: always\n");
    const outside = workspace({ init: false });
    outside.write("lib/rtt.manifest.json", manifest("rtt://outside/api/o@1.0.0"));
    w.write("a/b/rtt.manifest.json", manifest("rtt://inside/api/i@1.0.0"));
    symlinkSync("../..", join(w.paths.root, "a/b/up"));
    symlinkSync(w.paths.root, join(w.paths.root, "a/root"));
    symlinkSync(join(outside.paths.root, "lib"), join(w.paths.root, "ext1"));
    symlinkSync(join(outside.paths.root, "lib"), join(w.paths.root, "ext2"));
    symlinkSync("nowhere", join(w.paths.root, "a/rtt.manifest.json"));
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(report), [
      "rtt://core/api/metrics@1.0.0",
      "rtt://inside/api/i@1.0.0",
      "rtt://outside/api/o@1.0.0",
    ]);
    assert.equal(report.errors, 0);
    const warnings = report.diagnostics.map((d) => `${d.file} ${d.code}`);
    assert.deepEqual(warnings, [
      "a/b/up RTT_ERR_SCAN_SYMLINK",
      "a/root RTT_ERR_SCAN_SYMLINK",
      "a/rtt.manifest.json RTT_ERR_SCAN_SYMLINK",
    ]);
  });

  it("a FIFO or folder named like a manifest is reported without blocking; huge files are skipped unread", async () => {
    const w = workspace();
    w.write("fifo/.keep", "");
    execFileSync("mkfifo", [join(w.paths.root, "fifo/rtt.manifest.json")]);
    w.write("dir/rtt.manifest.json/inner.txt", "");
    w.write("huge/rtt.manifest.json", `${" ".repeat(2 * 1024 * 1024)}{}`);
    w.write("ok/rtt.manifest.json", manifest("rtt://ok/api/k@1.0.0"));
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(report), ["rtt://core/api/metrics@1.0.0", "rtt://ok/api/k@1.0.0"]);
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.file} ${d.code} ${d.message}`),
      [
        "fifo/rtt.manifest.json RTT_ERR_SCAN_UNREADABLE not read: it is a FIFO",
        `huge/rtt.manifest.json RTT_ERR_SCAN_TOO_LARGE ${2 * 1024 * 1024 + 2} bytes, over the 1048576-byte limit; skipped`,
      ],
    );
  });

  it("unreadable folders and files are reported, as a user without the rights sees them", async () => {
    // Root reads everything, so the scan runs as `nobody` in a child process when we are root.
    const w = workspace();
    w.write("locked/rtt.manifest.json", manifest("rtt://locked/api/l@1.0.0"));
    w.write("secret/rtt.manifest.json", manifest("rtt://secret/api/s@1.0.0"));
    w.write("open/rtt.manifest.json", manifest("rtt://open/api/o@1.0.0"));
    execFileSync("chmod", ["-R", "a+rwX", w.paths.root]);
    chmodSync(join(w.paths.root, "locked"), 0o000);
    chmodSync(join(w.paths.root, "secret/rtt.manifest.json"), 0o000);
    const script = `import { scanWorkspace, workspacePaths } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
      const r = await scanWorkspace(workspacePaths(process.argv[1]));
      process.stdout.write(JSON.stringify({ symbols: r.symbols.map((s) => s.saddr), diagnostics: r.diagnostics }));`;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, w.paths.root], {
      encoding: "utf8",
      ...asNobody,
    });
    chmodSync(join(w.paths.root, "locked"), 0o755);
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as {
      symbols: string[];
      diagnostics: { file: string; code: string; severity: string }[];
    };
    assert.deepEqual(out.symbols, ["rtt://core/api/metrics@1.0.0", "rtt://open/api/o@1.0.0"]);
    assert.deepEqual(
      out.diagnostics.map((d) => `${d.severity} ${d.file} ${d.code}`),
      [
        "warning locked RTT_ERR_SCAN_UNREADABLE",
        "error secret/rtt.manifest.json RTT_ERR_SCAN_UNREADABLE",
      ],
    );
  });
});

describe("rescans", () => {
  it("re-read only what changed (size, mtime or inode), and write the same catalog bytes", async () => {
    const w = workspace();
    for (let i = 0; i < 5; i++)
      w.write(`s${i}/rtt.manifest.json`, manifest(`rtt://s/api/m${i}@1.0.0`));
    const cold = await scanWorkspace(w.paths);
    assert.deepEqual([cold.reread, cold.cached, cold.catalogWritten], [6, 0, true]);
    const bytes = readFileSync(w.paths.catalog);
    const warm = await scanWorkspace(w.paths);
    assert.deepEqual([warm.reread, warm.cached, warm.catalogWritten], [0, 6, false]);
    assert.deepEqual(readFileSync(w.paths.catalog), bytes);
    // Same size, new content and mtime: re-read.
    const changed = w.write("s2/rtt.manifest.json", manifest("rtt://s/api/m9@1.0.0"));
    utimesSync(changed, new Date(), new Date(Date.now() + 5000));
    const one = await scanWorkspace(w.paths);
    assert.deepEqual([one.reread, one.cached, one.catalogWritten], [1, 5, true]);
    assert.ok(one.symbols.some((s) => s.saddr === "rtt://s/api/m9@1.0.0"));
    // A bad manifest stays reported on warm rescans.
    w.write("s3/rtt.manifest.json", "{");
    assert.equal((await scanWorkspace(w.paths)).errors, 1);
    assert.equal((await scanWorkspace(w.paths)).errors, 1);
  });

  it("leaves no temp files beside the catalog", async () => {
    const w = workspace();
    await scanWorkspace(w.paths);
    writeFileSync(join(w.paths.root, "x.txt"), "");
    await scanWorkspace(w.paths);
    assert.deepEqual(readdirSync(w.paths.cache).sort(), ["catalog.json", "scan-state.json"]);
  });
});

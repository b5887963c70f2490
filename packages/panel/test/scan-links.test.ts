/**
 * The walk and symbolic links (ADR 0021, issue 15 findings 3 and 9): real links, real folders,
 * including links to / and /proc, and names that are not UTF-8.
 */
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
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
const report = (r: Awaited<ReturnType<typeof scanWorkspace>>) =>
  r.diagnostics.map((d) => `${d.file} ${d.code} ${d.message}`);

describe("scan.follow_symlinks: within (the default)", () => {
  it("a link to / is reported once and not walked: the scan stays inside its root", async () => {
    const w = workspace();
    w.write("evil/deep/x/keep", "");
    symlinkSync("/", join(w.paths.root, "evil/deep/x/root"));
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(r), ["rtt://core/api/metrics@1.0.0"]);
    assert.deepEqual(report(r), [
      'evil/deep/x/root RTT_ERR_SCAN_SYMLINK symbolic link leads out of the scan roots (to "/"); not followed',
    ]);
    assert.match(r.diagnostics[0]?.hint ?? "", /follow_symlinks: always/);
    // .rtt and its subfolders, evil/deep/x: nothing of / was read.
    assert.ok(r.dirs < 12, `walked ${r.dirs} folders`);
  });

  it("a link to a sibling folder inside the root is no warning and reports its manifest once", async () => {
    const w = workspace();
    w.write("lib/rtt.manifest.json", manifest("rtt://lib/api/l@1.0.0"));
    w.write("app/.keep", "");
    symlinkSync("../lib", join(w.paths.root, "app/lib-link"), "dir");
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(r), ["rtt://core/api/metrics@1.0.0", "rtt://lib/api/l@1.0.0"]);
    assert.deepEqual(report(r), []);
    assert.equal(r.conflicts.length, 0);
  });

  it("a link into another scan root is inside; a manifest linked from outside the roots is not", async () => {
    const w = workspace();
    const outside = workspace({ init: false });
    outside.write("o/rtt.manifest.json", manifest("rtt://outside/api/o@1.0.0"));
    w.write(".rtt/panel.yaml", "scan:\n  roots: [a, b, .rtt]\n");
    w.write("b/rtt.manifest.json", manifest("rtt://b/api/b@1.0.0"));
    mkdirSync(join(w.paths.root, "a"));
    symlinkSync("../b", join(w.paths.root, "a/to-b"));
    mkdirSync(join(w.paths.root, "a/m"));
    symlinkSync(
      join(outside.paths.root, "o/rtt.manifest.json"),
      join(w.paths.root, "a/m/rtt.manifest.json"),
    );
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(r), ["rtt://b/api/b@1.0.0", "rtt://core/api/metrics@1.0.0"]);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["a/m/rtt.manifest.json RTT_ERR_SCAN_SYMLINK"],
    );
  });

  it("the old booleans still load: true is within, false is never (no link followed, no word)", async () => {
    const w = workspace();
    const outside = workspace({ init: false });
    outside.write("lib/rtt.manifest.json", manifest("rtt://outside/api/o@1.0.0"));
    symlinkSync(join(outside.paths.root, "lib"), join(w.paths.root, "ext"));
    w.write("m/.keep", "");
    symlinkSync(
      join(outside.paths.root, "lib/rtt.manifest.json"),
      join(w.paths.root, "m/rtt.manifest.json"),
    );
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: true\n");
    const within = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(within), ["rtt://core/api/metrics@1.0.0"]);
    assert.deepEqual(
      within.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["ext RTT_ERR_SCAN_SYMLINK", "m/rtt.manifest.json RTT_ERR_SCAN_SYMLINK"],
    );
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: false\n");
    const never = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(never), ["rtt://core/api/metrics@1.0.0"]);
    assert.deepEqual(report(never), []);
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: always\n");
    assert.deepEqual(saddrs(await scanWorkspace(w.paths)), [
      "rtt://core/api/metrics@1.0.0",
      "rtt://outside/api/o@1.0.0",
    ]);
  });

  it("a value that is neither a mode nor a boolean is a panel.yaml error", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: sometimes\n");
    const r = await scanWorkspace(w.paths);
    assert.equal(r.stopped, true);
    assert.equal(r.diagnostics[0]?.code, "RTT_ERR_DOC_SCHEMA");
    assert.equal(r.diagnostics[0]?.file, ".rtt/panel.yaml");
  });
});

describe("scan.follow_symlinks: always", () => {
  it("follows links out of the roots but never into /proc or /sys", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: always\n");
    symlinkSync("/proc", join(w.paths.root, "proc"));
    symlinkSync("/sys", join(w.paths.root, "sys"));
    symlinkSync("/proc/self", join(w.paths.root, "self"));
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.file} ${d.message}`),
      [
        "proc leads into a pseudo file system (/proc, /sys…); not walked",
        "self leads into a pseudo file system (/proc, /sys…); not walked",
        "sys leads into a pseudo file system (/proc, /sys…); not walked",
      ],
    );
    assert.ok(r.dirs < 12, `walked ${r.dirs} folders`);
  });

  it("loops through links terminate: an ancestor, two folders pointing at each other", async () => {
    const w = workspace();
    const o = workspace({ init: false });
    const p = workspace({ init: false });
    w.write(".rtt/panel.yaml", "scan:\n  follow_symlinks: always\n");
    o.write("rtt.manifest.json", manifest("rtt://o/api/o@1.0.0"));
    p.write("rtt.manifest.json", manifest("rtt://p/api/p@1.0.0"));
    symlinkSync(o.paths.root, join(w.paths.root, "to-o"));
    symlinkSync(p.paths.root, join(o.paths.root, "to-p"));
    symlinkSync(o.paths.root, join(p.paths.root, "to-o"));
    mkdirSync(join(o.paths.root, "deep/er"), { recursive: true });
    symlinkSync("../..", join(o.paths.root, "deep/er/up"));
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(r), [
      "rtt://core/api/metrics@1.0.0",
      "rtt://o/api/o@1.0.0",
      "rtt://p/api/p@1.0.0",
    ]);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["to-o/deep/er/up RTT_ERR_SCAN_SYMLINK"],
    );
  });
});

describe("names that are not UTF-8", () => {
  it("a manifest under such a folder is reported by its escaped path, not dropped", async () => {
    const w = workspace();
    const root = Buffer.from(w.paths.root);
    const bad = Buffer.concat([root, Buffer.from("/bad-\xff\xfe-", "latin1")]);
    mkdirSync(bad);
    writeFileSync(
      Buffer.concat([bad, Buffer.from("/rtt.manifest.json")]),
      manifest("rtt://hidden/api/h@1.0.0"),
    );
    const nested = Buffer.concat([bad, Buffer.from("/sub\\é", "utf8")]);
    mkdirSync(nested);
    writeFileSync(Buffer.concat([nested, Buffer.from("/.rtttags")]), "");
    writeFileSync(Buffer.concat([nested, Buffer.from("/other.json")]), "{}");
    w.write("ok/rtt.manifest.json", manifest("rtt://ok/api/k@1.0.0"));
    // Ignored like any folder: a bad name matching a .gitignore pattern is not reported.
    w.write(".gitignore", "*.tmp\n");
    const ignored = Buffer.concat([root, Buffer.from("/\xff.tmp", "latin1")]);
    mkdirSync(ignored);
    writeFileSync(Buffer.concat([ignored, Buffer.from("/rtt.manifest.json")]), "{}");
    const r = await scanWorkspace(w.paths);
    assert.deepEqual(saddrs(r), ["rtt://core/api/metrics@1.0.0", "rtt://ok/api/k@1.0.0"]);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.severity} ${d.file} ${d.code}`),
      [
        "warning bad-\\xff\\xfe-/rtt.manifest.json RTT_ERR_SCAN_UNREADABLE",
        "warning bad-\\xff\\xfe-/sub\\\\é/.rtttags RTT_ERR_SCAN_UNREADABLE",
      ],
    );
    assert.match(r.diagnostics[0]?.message ?? "", /its path is not UTF-8/);
  });
});

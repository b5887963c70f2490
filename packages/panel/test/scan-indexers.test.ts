/**
 * The scanner running indexers (ADR 0026) on real files, with test-only indexers: what they
 * claim becomes symbols with their source and provenance, their facts are cached by file stamp,
 * a failing indexer costs a warning, and a manifest outranks every claim.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { scanWorkspace } from "../src/index.ts";
import { claimIndexer, pipeIndexer } from "./claim-indexer.ts";
import { type Fixture, makeWorkspace, manifest } from "./workspace-fixture.ts";

const fixtures: Fixture[] = [];
function workspace(): Fixture {
  const f = makeWorkspace({ init: false });
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.remove();
});

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const brief = (d: { file: string; line: number; code: string; message: string }) =>
  `${d.file}:${d.line} ${d.code} ${d.message}`;

describe("the scanner runs indexers", () => {
  it("turns claims into symbols with source, score and provenance", async () => {
    const w = workspace();
    w.write("tools/a.claim", `\n${line({ name: "tool", score: 0.6, run: ["./tool", "-v"] })}\n`);
    const indexer = claimIndexer();
    const report = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.symbols.length, 1);
    const s = report.symbols[0];
    assert.equal(s?.saddr, "rtt://claims/proc/tool@0.0.0");
    assert.deepEqual(s?.source, {
      file: "tools/a.claim",
      line: 2,
      scanner: "indexer:claims",
      score: 0.6,
      provenance: [{ indexer: "claims", file: "tools/a.claim", line: 2 }],
    });
    assert.deepEqual(s?.extensions, { "x-cwd": ".", "x-run": ["./tool", "-v"] });
    assert.equal(s?.signer, undefined, "a discovered symbol is never signed");
    const catalog = JSON.parse(readFileSync(w.paths.catalog, "utf8"));
    assert.deepEqual(catalog.symbols[0].source, s?.source);
  });

  it("recalls facts on a warm scan, re-reads a changed file, drops a vanished one", async () => {
    const w = workspace();
    const a = w.write("a.claim", `${line({ name: "one", score: 0.6 })}\n`);
    w.write("b.claim", `${line({ name: "two", score: 0.6 })}\n`);
    const indexer = claimIndexer();
    const cold = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.equal(cold.reread, 2);
    const warm = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.deepEqual([warm.reread, warm.cached, warm.catalogWritten], [0, 2, false]);
    assert.deepEqual(Object.fromEntries(indexer.reads), { "a.claim": 1, "b.claim": 1 });
    assert.deepEqual(
      warm.symbols.map((s) => s.saddr),
      cold.symbols.map((s) => s.saddr),
    );

    w.write("a.claim", `${line({ name: "uno", score: 0.6 })}\n`);
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    const changed = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.equal(indexer.reads.get("a.claim"), 2);
    assert.equal(indexer.reads.get("b.claim"), 1);
    assert.equal(changed.catalogWritten, true);
    assert.deepEqual(
      changed.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/two@0.0.0", "rtt://claims/proc/uno@0.0.0"],
    );

    rmSync(join(w.paths.root, "b.claim"));
    const vanished = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.deepEqual(
      vanished.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/uno@0.0.0"],
    );
    assert.equal(vanished.catalogWritten, true);
  });

  it("reads again when the set of indexers changes", async () => {
    const w = workspace();
    w.write("a.claim", `${line({ name: "one", score: 0.6 })}\n`);
    await scanWorkspace(w.paths, { indexers: [claimIndexer()] });
    const other = claimIndexer("other");
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer(), other] });
    assert.equal(other.reads.get("a.claim"), 1);
    assert.equal(report.symbols[0]?.source.provenance?.length, 2, "both claims merged");
  });

  it("reports a failing read or a bad claim as a warning and scans on", async () => {
    const w = workspace();
    w.write("x/syntax.claim", `${line({ name: "lost", score: 0.6 })}\nthrow\n`);
    w.write("x/crash.claim", "crash\n");
    w.write("x/bad.claim", `bad\n${line({ name: "fine", score: 0.6 })}\n`);
    w.write("x/rtt.manifest.json", manifest("rtt://core/api/kept@1.0.0"));
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer()] });
    assert.deepEqual(
      report.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/fine@0.0.0", "rtt://core/api/kept@1.0.0"],
    );
    assert.equal(report.errors, 0);
    assert.deepEqual(report.diagnostics.map((d) => `${d.severity} ${brief(d)}`).slice(1), [
      "warning x/crash.claim:1 RTT_ERR_SCAN_INDEXER indexer claims failed: boom",
      "warning x/syntax.claim:2 RTT_ERR_DOC_SYNTAX indexer claims: unexpected token",
    ]);
    assert.equal(report.diagnostics[0]?.file, "x/bad.claim");
    assert.equal(report.diagnostics[0]?.code, "RTT_ERR_SCAN_INDEXER");
    assert.match(
      report.diagnostics[0]?.message ?? "",
      /^indexer claims made an invalid claim on rtt:\/\/claims\/nonsense\/bad@0\.0\.0: .*found "nonsense".*; left out$/,
    );
  });

  it("indexes FIFOs and sockets without opening them; a manifest outranks a claim", async () => {
    const w = workspace();
    execFileSync("mkfifo", [join(w.paths.root, "events.fifo")]);
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(w.paths.root, "api.sock"), done));
    after(() => server.close());
    w.write(
      "rtt.manifest.json",
      manifest("rtt://claims/proc/tool@0.0.0", { "x-run": ["./declared"] }),
    );
    w.write("a.claim", `${line({ name: "tool", score: 0.9, run: ["./found"] })}\n`);
    const pipes = pipeIndexer();
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer(), pipes] });
    assert.deepEqual(report.diagnostics, []);
    assert.deepEqual(
      report.symbols.map((s) => [s.saddr, s.source.scanner, s.extensions]),
      [
        ["rtt://claims/proc/tool@0.0.0", "manifest", { "x-run": ["./declared"] }],
        ["rtt://pipes/queue/api-sock@0.0.0", "indexer:pipes", { "x-path": "api.sock" }],
        ["rtt://pipes/queue/events-fifo@0.0.0", "indexer:pipes", { "x-path": "events.fifo" }],
      ],
    );
    assert.deepEqual(
      report.claims
        .filter((c) => c.saddr === "rtt://claims/proc/tool@0.0.0")
        .map((c) => [c.source, c.verdict]),
      [
        ["manifest", "won"],
        ["indexer:claims", "shadowed"],
      ],
    );
  });

  it("reports claims of one score that differ, and catalogues neither", async () => {
    const w = workspace();
    w.write("a/one.claim", `${line({ name: "tool", score: 0.8, run: ["./a"] })}\n`);
    w.write("a/two.claim", `\n${line({ name: "tool", score: 0.8, run: ["./b"] })}\n`);
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer()] });
    assert.deepEqual(report.symbols, []);
    assert.deepEqual(report.conflicts, [
      {
        saddr: "rtt://claims/proc/tool@0.0.0",
        files: ["a/one.claim", "a/two.claim"],
        identical: false,
      },
    ]);
    assert.deepEqual(report.diagnostics.map(brief), [
      "a/one.claim:1 RTT_ERR_SCAN_CONFLICT rtt://claims/proc/tool@0.0.0 is also claimed by indexer:claims at a/two.claim:2 with another x-run; neither is catalogued",
      "a/two.claim:2 RTT_ERR_SCAN_CONFLICT rtt://claims/proc/tool@0.0.0 is also claimed by indexer:claims at a/one.claim:1 with another x-run; neither is catalogued",
    ]);
  });

  it("warns in strict mode that a discovered symbol is unsigned until adopted", async () => {
    const w = workspace();
    w.write(".rtt/panel.yaml", "security:\n  strict_manifests: true\n");
    w.write("a.claim", `\n${line({ name: "tool", score: 0.6 })}\n`);
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer()] });
    assert.deepEqual(
      report.diagnostics.map((d) => [brief(d), d.hint]),
      [
        [
          "a.claim:2 RTT_ERR_SIGNATURE rtt://claims/proc/tool@0.0.0 was discovered by indexer:claims, so it is unsigned; strict_manifests is on, so it will not be routed unless allow_unsigned matches it",
          "adopt it into a manifest with `rtt adopt rtt://claims/proc/tool@0.0.0 --sign`, or add its address to security.allow_unsigned",
        ],
      ],
    );
  });

  it("offers indexers only what the ignore rules and link rules let the walk reach", async () => {
    const w = workspace();
    const outside = makeWorkspace({ init: false });
    fixtures.push(outside);
    const target = outside.write("far.claim", `${line({ name: "far", score: 0.6 })}\n`);
    w.write("node_modules/dep/x.claim", `${line({ name: "vendored", score: 0.6 })}\n`);
    w.write(".gitignore", "build/\n");
    w.write("build/y.claim", `${line({ name: "built", score: 0.6 })}\n`);
    w.write("src/z.claim", `${line({ name: "kept", score: 0.6 })}\n`);
    symlinkSync(target, join(w.paths.root, "src", "linked.claim"));
    const indexer = claimIndexer();
    const report = await scanWorkspace(w.paths, { indexers: [indexer] });
    assert.deepEqual([...indexer.reads.keys()], ["src/z.claim"]);
    assert.deepEqual(
      report.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/kept@0.0.0"],
    );
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["src/linked.claim RTT_ERR_SCAN_SYMLINK"],
    );
  });

  it("claims nothing under node_modules, site-packages or dist-packages, even when walked", async () => {
    const w = workspace();
    // An explicit ignore list replaces the default one: node_modules is walked.
    w.write(".rtt/panel.yaml", 'scan:\n  ignore: [".git"]\n');
    const script = "#!/bin/sh\necho hi\n";
    const executable = [
      "scripts/run.sh",
      "node_modules/.bin/tool",
      "lib/python3.11/site-packages/pkg/tool.py",
      "usr/lib/python3/dist-packages/x/cli.sh",
    ];
    for (const rel of executable) chmodSync(w.write(rel, script), 0o755);
    w.write("node_modules/dep/package.json", '{"name":"dep","bin":{"dep":"cli.js"}}');
    w.write("node_modules/dep/app.py", '@app.get("/x")\ndef x(): pass\n');
    execFileSync("mkfifo", [join(w.paths.root, "node_modules/dep/q.fifo")]);
    execFileSync("mkfifo", [join(w.paths.root, "scripts/q.fifo")]);
    const report = await scanWorkspace(w.paths);
    assert.deepEqual(
      report.symbols.map((s) => s.source.file),
      ["scripts/q.fifo", "scripts/run.sh"],
    );
  });

  it("gives a discovered symbol the tags of the sidecars above its file", async () => {
    const w = workspace();
    w.write(".rtttags", "team = core\n");
    w.write("tools/.rtttags", "[rtt://claims/*/*]\nfound\n");
    w.write("tools/a.claim", `${line({ name: "tool", score: 0.6 })}\n`);
    const report = await scanWorkspace(w.paths, { indexers: [claimIndexer()] });
    assert.deepEqual(report.symbols[0]?.tags, { found: "true", team: "core" });
  });

  it("reports an indexer whose wants throws once, and runs the others", async () => {
    const w = workspace();
    w.write("a.claim", `${line({ name: "tool", score: 0.6 })}\n`);
    w.write("b.claim", `${line({ name: "other", score: 0.6 })}\n`);
    const broken = {
      ...claimIndexer("broken"),
      wants: () => {
        throw new Error("no");
      },
    };
    const report = await scanWorkspace(w.paths, { indexers: [broken, claimIndexer()] });
    assert.deepEqual(
      report.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/other@0.0.0", "rtt://claims/proc/tool@0.0.0"],
    );
    assert.equal(report.diagnostics.length, 1);
    assert.equal(report.diagnostics[0]?.code, "RTT_ERR_SCAN_INDEXER");
    assert.match(
      report.diagnostics[0]?.message ?? "",
      /^indexer broken failed to say whether .*: no;/,
    );
  });
});

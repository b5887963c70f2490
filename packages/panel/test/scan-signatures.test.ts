import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { JsonValue } from "@rtt/core";
import { generateSigningKey, type SigningKey, scanWorkspace, signManifest } from "../src/index.ts";
import { type Fixture, makeWorkspace } from "./workspace-fixture.ts";

const cleanup: (() => void)[] = [];
after(() => {
  for (const c of cleanup) c();
});

function workspace(): Fixture {
  const f = makeWorkspace();
  cleanup.push(() => f.remove());
  return f;
}

/** A key made in a throwaway `.rtt/`: its public half is in no trust folder of the workspace. */
function strangerKey(): SigningKey {
  const dir = mkdtempSync(join(tmpdir(), "rtt-stranger-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return generateSigningKey(dir, "stranger");
}

type Json = { readonly [key: string]: JsonValue };

function contract(saddr: string, extra: Json = {}): Json {
  return { symbol: { saddr, type: "extension", direction: "consumer", ...extra } };
}

const text = (m: Json) => `${JSON.stringify(m, null, 2)}\n`;
const signedText = (m: Json, key: SigningKey) => text(signManifest(m, key));

const LOGGER = "rtt://obs/extension/logger@1.9.9";
const find = (r: Awaited<ReturnType<typeof scanWorkspace>>, saddr: string) =>
  r.symbols.find((s) => s.saddr === saddr);

describe("scan checks manifest signatures", () => {
  it("records a trusted signer, an untrusted one, and nothing for an unsigned manifest", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    const stranger = strangerKey();
    w.write("a/rtt.manifest.json", signedText(contract("rtt://obs/extension/a@1.0.0"), alice));
    w.write("b/rtt.manifest.json", signedText(contract("rtt://obs/extension/b@1.0.0"), stranger));
    w.write("c/rtt.manifest.json", text(contract("rtt://obs/extension/c@1.0.0")));
    const report = await scanWorkspace(w.paths);
    assert.equal(report.errors, 0);
    assert.deepEqual(find(report, "rtt://obs/extension/a@1.0.0")?.signer, {
      key: alice.keyId,
      trusted: true,
      name: "alice",
    });
    assert.deepEqual(find(report, "rtt://obs/extension/b@1.0.0")?.signer, {
      key: stranger.keyId,
      trusted: false,
    });
    assert.equal(find(report, "rtt://obs/extension/c@1.0.0")?.signer, undefined);
    const catalog = JSON.parse(readFileSync(w.paths.catalog, "utf8"));
    const a = catalog.symbols.find((s: { saddr: string }) => s.saddr.endsWith("/a@1.0.0"));
    assert.equal(a.signer.name, "alice");
  });

  it("keeps a reformatted signed manifest trusted", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    const signed = signManifest(contract(LOGGER, { "x-run": ["logger"] }), alice);
    w.write("l/rtt.manifest.json", JSON.stringify(signed)); // one line, another layout
    const report = await scanWorkspace(w.paths);
    assert.equal(report.errors, 0);
    assert.equal(find(report, LOGGER)?.signer?.trusted, true);
  });

  it("refuses a manifest changed after signing: RTT_ERR_SIGNATURE naming the file and key", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    const good = signedText(contract(LOGGER, { "x-run": ["logger"] }), alice);
    // One byte: the program it runs.
    const tampered = good.replace('"logger"', '"loggex"');
    assert.notEqual(tampered, good);
    w.write("vendor/deep/rtt.manifest.json", tampered);
    const report = await scanWorkspace(w.paths);
    assert.equal(find(report, LOGGER), undefined);
    const bad = report.diagnostics.filter((d) => d.code === "RTT_ERR_SIGNATURE");
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.severity, "error");
    assert.equal(bad[0]?.file, "vendor/deep/rtt.manifest.json");
    assert.match(bad[0]?.message ?? "", new RegExp(`alice \\(${alice.keyId}\\)`));
    assert.ok((bad[0]?.line ?? 0) > 1, "points at the signature member");
    const catalog = JSON.parse(readFileSync(w.paths.catalog, "utf8"));
    assert.ok(!catalog.symbols.some((s: { saddr: string }) => s.saddr === LOGGER));
    assert.ok(catalog.diagnostics.some((d: { code: string }) => d.code === "RTT_ERR_SIGNATURE"));
  });

  it("checks cached manifests again when .rtt/trust/ changes", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    const good = signedText(contract(LOGGER), alice);
    w.write("l/rtt.manifest.json", good);
    w.write("t/rtt.manifest.json", signedText(contract(`${LOGGER}-t`), alice));
    assert.equal(find(await scanWorkspace(w.paths), LOGGER)?.signer?.trusted, true);

    // Trust withdrawn; no manifest touched.
    const trustFile = join(w.paths.rttDir, "trust", "alice.pub");
    const aside = join(w.paths.rttDir, "alice.pub.aside");
    renameSync(trustFile, aside);
    let report = await scanWorkspace(w.paths);
    assert.deepEqual(find(report, LOGGER)?.signer, { key: alice.keyId, trusted: false });
    assert.equal(report.cached, 0);
    assert.equal(report.catalogWritten, true);

    // While untrusted, a tampered copy cannot be told from a good one ...
    w.write(
      "t/rtt.manifest.json",
      text(signManifest(contract(`${LOGGER}-t`), alice)).replace("consumer", "provider"),
    );
    report = await scanWorkspace(w.paths);
    assert.equal(find(report, `${LOGGER}-t`)?.signer?.trusted, false);
    // ... trust it again, under another file name, and the tampering shows.
    renameSync(aside, join(w.paths.rttDir, "trust", "alice-renamed.pub"));
    report = await scanWorkspace(w.paths);
    assert.deepEqual(find(report, LOGGER)?.signer, {
      key: alice.keyId,
      trusted: true,
      name: "alice-renamed",
    });
    assert.equal(find(report, `${LOGGER}-t`), undefined);
    assert.deepEqual(
      report.diagnostics.filter((d) => d.code === "RTT_ERR_SIGNATURE").map((d) => d.file),
      ["t/rtt.manifest.json"],
    );
    // Unchanged trust: the verdicts come from the cache.
    const warm = await scanWorkspace(w.paths);
    assert.equal(warm.reread, 0);
    assert.equal(find(warm, LOGGER)?.signer?.name, "alice-renamed");
  });

  it("stops, leaving the catalog alone, when a trust file is not a key", async () => {
    const w = workspace();
    await scanWorkspace(w.paths);
    const before = readFileSync(w.paths.catalog, "utf8");
    w.write(".rtt/trust/junk.pub", "not a key\n");
    const report = await scanWorkspace(w.paths);
    assert.equal(report.stopped, true);
    assert.equal(report.diagnostics[0]?.code, "RTT_ERR_KEY");
    assert.match(report.diagnostics[0]?.message ?? "", /junk\.pub/);
    assert.equal(readFileSync(w.paths.catalog, "utf8"), before);
  });
});

describe("scan: one address claimed twice", () => {
  it("is a conflict when the copies differ only in x- keys", async () => {
    const w = workspace();
    w.write("real/rtt.manifest.json", text(contract(LOGGER, { "x-run": ["logger"] })));
    w.write(
      "vendor/x/rtt.manifest.json",
      text(contract(LOGGER, { "x-run": ["sh", "-c", "cat >> /tmp/stolen"] })),
    );
    const report = await scanWorkspace(w.paths);
    assert.equal(find(report, LOGGER), undefined);
    const conflict = report.conflicts.find((c) => c.saddr === LOGGER);
    assert.equal(conflict?.identical, false);
    assert.ok(
      report.diagnostics.some((d) => d.severity === "error" && /different x- keys/.test(d.message)),
    );
  });

  it("is a conflict when the copies differ only in signer", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    w.write("real/rtt.manifest.json", signedText(contract(LOGGER), alice));
    w.write("vendor/x/rtt.manifest.json", text(contract(LOGGER)));
    const report = await scanWorkspace(w.paths);
    assert.equal(find(report, LOGGER), undefined);
    assert.ok(report.diagnostics.some((d) => /another signer/.test(d.message)));
  });

  it("keeps one of two byte-for-byte identical copies, with a warning", async () => {
    const w = workspace();
    const same = text(contract(LOGGER, { "x-run": ["logger"] }));
    w.write("one/rtt.manifest.json", same);
    w.write("two/rtt.manifest.json", same);
    const report = await scanWorkspace(w.paths);
    assert.equal(find(report, LOGGER)?.source.file, "one/rtt.manifest.json");
    assert.equal(report.errors, 0);
  });
});

describe("scan in strict mode", () => {
  it("warns for each symbol not signed by a trusted key, and only in strict mode", async () => {
    const w = workspace();
    const alice = generateSigningKey(w.paths.rttDir, "alice");
    w.write("a/rtt.manifest.json", signedText(contract("rtt://obs/extension/a@1.0.0"), alice));
    w.write(
      "b/rtt.manifest.json",
      signedText(contract("rtt://obs/extension/b@1.0.0"), strangerKey()),
    );
    w.write("c/rtt.manifest.json", text(contract("rtt://obs/extension/c@1.0.0")));
    const relaxed = await scanWorkspace(w.paths);
    assert.equal(relaxed.warnings, 0);

    const yaml = readFileSync(w.paths.panelConfig, "utf8");
    assert.match(yaml, /strict_manifests: false/);
    writeFileSync(
      w.paths.panelConfig,
      yaml.replace("strict_manifests: false", "strict_manifests: true"),
    );
    const strict = await scanWorkspace(w.paths);
    assert.equal(strict.errors, 0);
    const warned = strict.diagnostics.filter((d) => d.code === "RTT_ERR_SIGNATURE");
    assert.ok(warned.every((d) => d.severity === "warning"));
    // The init sample (core/api/metrics) is unsigned too.
    assert.deepEqual(warned.map((d) => d.file).sort(), [
      ".rtt/manifests/metrics.api.json",
      "b/rtt.manifest.json",
      "c/rtt.manifest.json",
    ]);
    assert.ok(
      warned.every((d) => /will not be routed unless allow_unsigned matches/.test(d.message)),
    );
    assert.ok(warned.some((d) => /untrusted key/.test(d.message)));

    // What allow_unsigned lets through is routed, so it is not warned about.
    const strictYaml = readFileSync(w.paths.panelConfig, "utf8");
    assert.match(strictYaml, /allow_unsigned: \["rtt:\/\/dev\/\*\/\*"\]/);
    writeFileSync(
      w.paths.panelConfig,
      strictYaml.replace('allow_unsigned: ["rtt://dev/*/*"]', 'allow_unsigned: ["rtt://obs/*/c"]'),
    );
    const allowed = (await scanWorkspace(w.paths)).diagnostics.filter(
      (d) => d.code === "RTT_ERR_SIGNATURE",
    );
    assert.deepEqual(allowed.map((d) => d.file).sort(), [
      ".rtt/manifests/metrics.api.json",
      "b/rtt.manifest.json",
    ]);
  });
});

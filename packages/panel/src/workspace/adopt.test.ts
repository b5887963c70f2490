/**
 * `rtt adopt`'s panel side: the manifest written for a discovered symbol, the refusals, and the
 * round trip — the adopted manifest, scanned, is the same symbol declared by a manifest.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type CatalogSymbol,
  type Contract,
  type JsonValue,
  launchOf,
  type SymbolSource,
  symbolFromContract,
} from "@rtt/core";
import fc from "fast-check";
import { CATALOG_FORMAT } from "../catalog.ts";
import { scanWorkspace } from "../scan/scanner.ts";
import { generateSigningKey } from "../trust/keys.ts";
import { adoptedFileName, adoptedManifest, adoptSymbols } from "./adopt.ts";
import { type WorkspacePaths, workspacePaths } from "./workspace.ts";

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

const FMT = "rtt://fmt/proc/fmt@1.2.0";
const FMT_FILE = ".rtt/manifests/fmt-proc-fmt-1.2.0.json";

const discovered = (file: string, indexer: string, line: number): SymbolSource => ({
  file,
  line,
  scanner: `indexer:${indexer}`,
  score: 0.9,
  provenance: [{ indexer, file, line }],
});

type Claim = Contract & Record<`x-${string}`, JsonValue>;

const fmtContract: Claim = {
  saddr: FMT,
  type: "proc",
  direction: "both",
  io: "stream",
  capabilities: ["utf8", "lines"],
  inputs: [{ name: "text", schema: "json://fmt.in" }],
  tags: { lang: "python" },
  "x-run": ["python3", "-m", "fmt", "data/in.txt"],
  "x-cwd": "src",
  "x-path": "data/in.fifo",
  "x-env": { FMT_LEVEL: "2" },
};

/** The catalog a scan with indexers would write: a discovered fmt, two lints, a manifest's api. */
function catalogSymbols(): CatalogSymbol[] {
  const lint = (version: string): CatalogSymbol =>
    symbolFromContract(
      {
        saddr: `rtt://lint/proc/lint@${version}`,
        type: "proc",
        direction: "provider",
        "x-run": ["lint"],
      } as Claim,
      discovered("lint/package.json", "node", 3),
    );
  return [
    symbolFromContract(fmtContract, discovered("tools/fmt/pyproject.toml", "python", 12), {
      "git.branch": "main",
      "git.commit": "0123abc",
    }),
    lint("1.0.0"),
    lint("2.0.0"),
    symbolFromContract(
      { saddr: "rtt://core/api/metrics@1.0.0", type: "api", direction: "provider" },
      { file: "svc/rtt.manifest.json", scanner: "manifest", score: 1 },
    ),
  ];
}

function workspace(): WorkspacePaths {
  const root = mkdtempSync(join(tmpdir(), "rtt-adopt-"));
  temps.push(root);
  const paths = workspacePaths(root);
  mkdirSync(paths.cache, { recursive: true });
  // Two indexers of equal rank claim rtt://dup/proc/dup: neither is cataloged (ADR 0026).
  const conflicts = [
    { saddr: "rtt://dup/proc/dup@1.0.0", files: ["a/setup.cfg", "b/setup.cfg"], identical: false },
  ];
  const catalog = { format: CATALOG_FORMAT, symbols: catalogSymbols(), conflicts };
  writeFileSync(paths.catalog, `${JSON.stringify({ ...catalog, diagnostics: [] }, null, 2)}\n`);
  return paths;
}

const fmtSymbol = () => catalogSymbols()[0] as CatalogSymbol;

describe("adoptedManifest", () => {
  it("keeps the claim's fields, drops git tags, and re-roots x-cwd and x-path", () => {
    assert.equal(adoptedFileName(FMT), "fmt-proc-fmt-1.2.0.json");
    assert.equal(
      adoptedFileName("rtt://obs/extension/log@1.0.0#ndjson"),
      "obs-extension-log-1.0.0-ndjson.json",
    );
    assert.deepEqual(adoptedManifest(fmtSymbol(), FMT_FILE), {
      $schema: "https://rtt/spec/v1",
      symbol: {
        saddr: FMT,
        type: "proc",
        direction: "both",
        capabilities: ["lines", "utf8"],
        io: "stream",
        inputs: [{ name: "text", schema: "json://fmt.in" }],
        outputs: [],
        qos: {},
        auth: { mode: "none" },
        tags: { lang: "python" },
        "x-cwd": "../../tools/fmt/src",
        "x-env": { FMT_LEVEL: "2" },
        "x-path": "../../tools/fmt/data/in.fifo",
        "x-run": ["python3", "-m", "fmt", "data/in.txt"],
        "x-discovered-from": {
          indexer: "python",
          file: "tools/fmt/pyproject.toml",
          line: 12,
          score: 0.9,
        },
      },
    });
  });

  it("writes x-cwd even when the claim had none: the program still runs in the claim's folder", () => {
    const [bare] = catalogSymbols().slice(1);
    const symbol = (
      adoptedManifest(bare as CatalogSymbol, ".rtt/manifests/x.json") as {
        symbol: Record<string, JsonValue>;
      }
    ).symbol;
    assert.equal(symbol["x-cwd"], "../../lint");
  });

  it("property: the launch's folder, file and argv are the claim's, wherever the claim was", () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
    const rel = fc.array(fc.oneof(segment, fc.constant("..")), { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), rel, rel, (dir, cwd, path) => {
        const file = [...dir, "pyproject.toml"].join("/");
        const claim = {
          ...fmtContract,
          "x-cwd": cwd.join("/") || ".",
          "x-path": [...path, "in.fifo"].join("/"),
        };
        const before = symbolFromContract(claim, discovered(file, "python", 1));
        const manifest = adoptedManifest(before, FMT_FILE) as unknown as { symbol: Claim };
        const after = symbolFromContract(manifest.symbol, {
          file: FMT_FILE,
          scanner: "manifest",
          score: 1,
        });
        assert.deepEqual(launchOf(after), { ...launchOf(before), manifest: FMT_FILE });
        assert.equal(after.contract_hash, before.contract_hash);
      }),
    );
  });
});

describe("adoptSymbols", () => {
  it("round trip: the manifest written, scanned, is the same symbol from a manifest", async () => {
    const paths = workspace();
    const before = fmtSymbol();
    const [adopted] = adoptSymbols(paths, ["rtt://fmt/proc/fmt"]);
    assert.equal(adopted?.file, FMT_FILE);
    assert.equal(adopted?.replaced, false);
    assert.deepEqual(
      JSON.parse(readFileSync(join(paths.root, FMT_FILE), "utf8")),
      adoptedManifest(before, FMT_FILE),
    );
    const report = await scanWorkspace(paths);
    assert.equal(report.errors, 0, JSON.stringify(report.diagnostics));
    const after = report.symbols.find((s) => s.saddr === FMT);
    assert.ok(after, "the adopted symbol is cataloged");
    assert.deepEqual(after.source, { file: FMT_FILE, scanner: "manifest", score: 1 });
    assert.equal(after.contract_hash, before.contract_hash);
    assert.equal(after.signer, undefined);
    assert.deepEqual(launchOf(after), { ...launchOf(before), manifest: FMT_FILE });
    assert.deepEqual(after.tags, { lang: "python" });
  });

  it("signs with a key, and the scan trusts the signature", async () => {
    const paths = workspace();
    const key = generateSigningKey(paths.rttDir, "default");
    adoptSymbols(paths, [FMT], { key });
    const after = (await scanWorkspace(paths)).symbols.find((s) => s.saddr === FMT);
    assert.deepEqual(after?.signer, { key: key.keyId, trusted: true, name: "default" });
  });

  it("refuses an unknown, ambiguous or manifest-declared address, writing nothing", () => {
    const paths = workspace();
    const refused = (refs: string[], message: RegExp, hint?: RegExp) =>
      assert.throws(
        () => adoptSymbols(paths, refs),
        (e: { code?: string; message: string; hint?: string }) => {
          assert.equal(e.code, "RTT_ERR_ADOPT");
          assert.match(e.message, message);
          if (hint !== undefined) assert.match(e.hint ?? "", hint);
          return true;
        },
      );
    refused(
      [FMT, "rtt://fmt/proc/fmtt"],
      /rtt:\/\/fmt\/proc\/fmtt: no symbol in the catalog/,
      /did you mean "rtt:\/\/fmt\/proc\/fmt@1\.2\.0"\?/,
    );
    refused(
      ["rtt://fmt/proc/fmt@9.0.0"],
      /no symbol/,
      /did you mean "rtt:\/\/fmt\/proc\/fmt@1\.2\.0"/,
    );
    refused(
      ["rtt://lint/proc/lint"],
      /2 symbols match \(rtt:\/\/lint\/proc\/lint@1\.0\.0, rtt:\/\/lint\/proc\/lint@2\.0\.0\)/,
    );
    refused(
      ["rtt://core/api/metrics"],
      /already declared by the manifest svc\/rtt\.manifest\.json; nothing to adopt/,
    );
    refused(
      ["rtt://dup/proc/dup"],
      /rtt:\/\/dup\/proc\/dup@1\.0\.0: claimed by a\/setup\.cfg and b\/setup\.cfg, so not cataloged/,
      /by hand/,
    );
    assert.throws(() => adoptSymbols(paths, ["rtt://*/proc/*"]), /pattern/);
    assert.throws(() => readFileSync(join(paths.root, FMT_FILE)), { code: "ENOENT" });
  });

  it("refuses to replace a manifest file unless forced", () => {
    const paths = workspace();
    mkdirSync(paths.manifests, { recursive: true });
    const file = join(paths.root, FMT_FILE);
    writeFileSync(file, "edited by hand\n");
    assert.throws(
      () => adoptSymbols(paths, ["rtt://lint/proc/lint@1.0.0", FMT]),
      /\.rtt\/manifests\/fmt-proc-fmt-1\.2\.0\.json exists already; nothing was written/,
    );
    assert.equal(readFileSync(file, "utf8"), "edited by hand\n");
    assert.throws(() => readFileSync(join(paths.manifests, "lint-proc-lint-1.0.0.json")), {
      code: "ENOENT",
    });
    const [adopted] = adoptSymbols(paths, [FMT], { force: true });
    assert.equal(adopted?.replaced, true);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).symbol.saddr, FMT);
  });

  it("never waits on a FIFO where the manifest would go", () => {
    const paths = workspace();
    mkdirSync(paths.manifests, { recursive: true });
    execFileSync("mkfifo", [join(paths.root, FMT_FILE)]);
    assert.throws(() => adoptSymbols(paths, [FMT]), /exists already; nothing was written/);
    const [adopted] = adoptSymbols(paths, [FMT], { force: true });
    assert.equal(adopted?.replaced, true);
    assert.equal(JSON.parse(readFileSync(join(paths.root, FMT_FILE), "utf8")).symbol.saddr, FMT);
  });

  it("never replaces a manifest of another symbol, even when forced", () => {
    const paths = workspace();
    const [lint] = adoptSymbols(paths, ["rtt://lint/proc/lint@1.0.0"]);
    // Renamed by hand to the name FMT's manifest would take.
    const file = join(paths.root, FMT_FILE);
    renameSync(lint?.abs as string, file);
    const before = readFileSync(file, "utf8");
    for (const force of [false, true])
      assert.throws(
        () => adoptSymbols(paths, [FMT], { force }),
        /fmt-proc-fmt-1\.2\.0\.json exists already and declares rtt:\/\/lint\/proc\/lint@1\.0\.0, not rtt:\/\/fmt\/proc\/fmt@1\.2\.0; nothing was written/,
      );
    assert.equal(readFileSync(file, "utf8"), before);
  });
});

/**
 * `rtt adopt` with the real binary: a symbol an indexer discovered (written into the catalog by
 * hand here, as a scan with indexers records it) becomes a manifest under .rtt/manifests/; the
 * scan `rtt adopt` runs then lists it declared by that manifest — same address, contract hash,
 * argv and folder — and, with --sign, signed by a trusted key.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CatalogSymbol, type JsonValue, launchOf, symbolFromContract } from "@rtt/core";
import {
  describeRun,
  makeTempDir,
  parseJson,
  removeTempDirs,
  runRtt,
  writeFile,
} from "./helpers.ts";

after(removeTempDirs);

const FMT = "rtt://fmt/proc/fmt@1.2.0";
const FMT_FILE = ".rtt/manifests/fmt-proc-fmt-1.2.0.json";
const PYPROJECT = "tools/fmt/pyproject.toml";

/** fmt as the python indexer claims it from tools/fmt/pyproject.toml's [project.scripts]. */
const discoveredFmt = (): CatalogSymbol =>
  symbolFromContract(
    {
      saddr: FMT,
      type: "proc",
      direction: "both",
      io: "stream",
      "x-run": ["python3", "-m", "fmt"],
      "x-cwd": ".",
    } as Parameters<typeof symbolFromContract>[0],
    {
      file: PYPROJECT,
      line: 7,
      scanner: "indexer:python",
      score: 0.9,
      provenance: [{ indexer: "python", file: PYPROJECT, line: 7 }],
    },
    { "git.branch": "main" },
  );

/** Adds the discovered symbol to the catalog the last scan wrote. */
function addToCatalog(ws: string, symbol: CatalogSymbol): void {
  const file = join(ws, ".rtt/cache/catalog.json");
  const catalog = JSON.parse(readFileSync(file, "utf8")) as { symbols: CatalogSymbol[] };
  catalog.symbols.push(symbol);
  writeFileSync(file, `${JSON.stringify(catalog, null, 2)}\n`);
}

type Listed = CatalogSymbol & { signer_trusted: boolean | null };

async function listed(ws: string, saddr: string): Promise<Listed | undefined> {
  const r = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
  assert.equal(r.code, 0, describeRun(r));
  return (parseJson(r.stdout) as Listed[]).find((s) => s.saddr === saddr);
}

describe("rtt adopt", () => {
  let ws = "";
  before(async () => {
    ws = makeTempDir("rtt-adopt-");
    for (const args of [["init"], ["scan"]]) {
      const r = await runRtt(args, { cwd: ws });
      assert.equal(r.code, 0, describeRun(r));
    }
    writeFile(
      ws,
      PYPROJECT,
      '[project]\nname = "fmt"\nversion = "1.2.0"\n\n[project.scripts]\n\nfmt = "fmt:main"\n',
    );
    addToCatalog(ws, discoveredFmt());
  });

  it("refuses a typo with the address it may mean, and --sign without a key, writing nothing", async () => {
    const typo = await runRtt(["adopt", "rtt://fmt/proc/fmtt"], { cwd: ws });
    assert.equal(typo.code, 1, describeRun(typo));
    assert.match(
      typo.stderr,
      /rtt:\/\/fmt\/proc\/fmtt: no symbol in the catalog \(RTT_ERR_ADOPT\)/,
    );
    assert.match(typo.stderr, /hint: did you mean "rtt:\/\/fmt\/proc\/fmt@1\.2\.0"\?/);
    const unsigned = await runRtt(["adopt", FMT, "--sign"], { cwd: ws });
    assert.equal(unsigned.code, 1, describeRun(unsigned));
    assert.match(
      unsigned.stderr,
      /--sign: no key called default; nothing was written \(RTT_ERR_KEY\)/,
    );
    assert.match(unsigned.stderr, /hint: make one with `rtt keys generate`/);
    assert.equal(existsSync(join(ws, FMT_FILE)), false);
  });

  it("writes a signed manifest whose scan is the same symbol, from a manifest", async () => {
    const before = discoveredFmt();
    const key = await runRtt(["keys", "generate", "--json"], { cwd: ws });
    assert.equal(key.code, 0, describeRun(key));
    const keyId = (parseJson(key.stdout) as { key: string }).key;
    const r = await runRtt(["adopt", "rtt://fmt/proc/fmt", "--sign", "--json"], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    assert.deepEqual(parseJson(r.stdout), {
      adopted: [
        {
          saddr: FMT,
          file: FMT_FILE,
          replaced: false,
          signed_by: keyId,
          discovered_from: { indexer: "python", file: PYPROJECT, line: 7, score: 0.9 },
          cataloged: true,
        },
      ],
      scan: { symbols: 2, errors: 0, warnings: 0, stopped: false },
    });
    const written = JSON.parse(readFileSync(join(ws, FMT_FILE), "utf8")) as {
      symbol: Record<string, JsonValue>;
      signature: { key: string };
    };
    assert.equal(written.symbol["x-cwd"], "../../tools/fmt");
    assert.equal(written.signature.key, keyId);
    const verify = await runRtt(["verify", FMT_FILE], { cwd: ws });
    assert.equal(verify.stdout.split("\n")[0], `${FMT_FILE}: signed by default (${keyId})`);

    const after = await listed(ws, FMT);
    assert.ok(after, "fmt is in the catalog");
    assert.deepEqual(after.source, { file: FMT_FILE, scanner: "manifest", score: 1 });
    assert.equal(after.signer_trusted, true);
    assert.equal(after.contract_hash, before.contract_hash);
    // Same program in the same folder; only the declaring file differs.
    assert.deepEqual(launchOf(after), { ...launchOf(before), manifest: FMT_FILE });
    assert.equal(launchOf(after).cwd, "tools/fmt");
  });

  it("refuses to adopt it again: a manifest declares it now", async () => {
    const r = await runRtt(["adopt", FMT], { cwd: ws });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(
      r.stderr,
      /already declared by the manifest \.rtt\/manifests\/fmt-proc-fmt-1\.2\.0\.json; nothing to adopt/,
    );
  });

  it("refuses to replace an adopted file unless --force", async () => {
    addToCatalog(ws, { ...discoveredFmt(), saddr: "rtt://fmt/proc/fmt@1.2.0#alt" });
    const edited = "{}\n";
    writeFile(ws, ".rtt/manifests/fmt-proc-fmt-1.2.0-alt.json", edited);
    const refused = await runRtt(["adopt", "rtt://fmt/proc/fmt@1.2.0#alt"], { cwd: ws });
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(
      refused.stderr,
      /fmt-proc-fmt-1\.2\.0-alt\.json exists already; nothing was written/,
    );
    assert.equal(
      readFileSync(join(ws, ".rtt/manifests/fmt-proc-fmt-1.2.0-alt.json"), "utf8"),
      edited,
    );
    const forced = await runRtt(["adopt", "rtt://fmt/proc/fmt@1.2.0#alt", "--force"], { cwd: ws });
    assert.equal(forced.code, 0, describeRun(forced));
    assert.match(
      forced.stdout,
      /^adopted rtt:\/\/fmt\/proc\/fmt@1\.2\.0#alt → \.rtt\/manifests\/fmt-proc-fmt-1\.2\.0-alt\.json \(replaced\); found by python at tools\/fmt\/pyproject\.toml:7\n/,
    );
    assert.equal((await listed(ws, "rtt://fmt/proc/fmt@1.2.0#alt"))?.source.scanner, "manifest");
  });
});

/**
 * Discovery with the real binary (ADR 0026): `rtt scan --explain SADDR` shows every claim on an
 * address and why the winner won or why none did, and `rtt ls symbols` names who found each
 * symbol. Written against manifests; the indexers' own e2e extend it with discovered claims.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeTempDir, manifest, parseJson, removeTempDirs, runRtt, writeFile } from "./helpers.ts";

after(removeTempDirs);

const SAMPLE = "rtt://core/api/metrics@1.0.0";
const TOOL = "rtt://app/proc/tool@1.0.0";

describe("rtt scan --explain", () => {
  let ws = "";
  before(async () => {
    ws = makeTempDir();
    assert.equal((await runRtt(["init"], { cwd: ws })).code, 0);
    writeFile(ws, "a/rtt.manifest.json", manifest(TOOL, { "x-run": ["./a"] }));
    writeFile(ws, "b/rtt.manifest.json", manifest(TOOL, { "x-run": ["./b"] }));
  });

  it("shows the one claim on a catalogued address and that it won", async () => {
    const r = await runRtt(["scan", "--explain", SAMPLE], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], `${SAMPLE}: catalogued from manifest (score 1)`);
    assert.match(lines[1] ?? "", /^VERDICT\s+SOURCE\s+SCORE\s+AT\s+WHY$/);
    assert.match(
      lines[2] ?? "",
      /^won\s+manifest\s+1\s+\.rtt\/manifests\/metrics\.api\.json:\d+\s+the only manifest on it$/,
    );
    assert.match(lines[3] ?? "", /^ {2}manifest at \.rtt\/manifests\/metrics\.api\.json:\d+: /);
    assert.match(lines[3] ?? "", /direction="provider"/);
  });

  it("says why none won when two claims of one rank differ, and exits 1", async () => {
    const r = await runRtt(["scan", "--explain", TOOL, "--json"], { cwd: ws });
    assert.equal(r.code, 1);
    const out = parseJson(r.stdout) as {
      catalogued: boolean;
      symbol: unknown;
      claims: {
        source: string;
        file: string;
        verdict: string;
        contract: Record<string, unknown>;
      }[];
    };
    assert.equal(out.catalogued, false);
    assert.equal(out.symbol, null);
    assert.deepEqual(
      out.claims.map((c) => [c.source, c.file, c.verdict, c.contract["x-run"]]),
      [
        ["manifest", "a/rtt.manifest.json", "conflict", ["./a"]],
        ["manifest", "b/rtt.manifest.json", "conflict", ["./b"]],
      ],
    );
    const text = await runRtt(["scan", "--explain", TOOL], { cwd: ws });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^rtt:\/\/app\/proc\/tool@1\.0\.0: not catalogued: /);
  });

  it("says so when nothing claims the address, and refuses what is no address", async () => {
    const none = await runRtt(["scan", "--explain", "rtt://no/api/such@1.0.0"], { cwd: ws });
    assert.equal(none.code, 1);
    assert.equal(
      none.stdout,
      "rtt://no/api/such@1.0.0: no manifest or indexer claims this address\n",
    );
    const bad = await runRtt(["scan", "--explain", "not-an-address"], { cwd: ws });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--explain "not-an-address"/);
    // One scan's explanation: with --watch it would be dropped without a word.
    const watching = await runRtt(["scan", "--watch", "--explain", "rtt://no/api/such@1.0.0"], {
      cwd: ws,
    });
    assert.equal(watching.code, 2);
    assert.match(watching.stderr, /--explain explains one scan; --watch scans on and on/);
  });

  it("rtt ls symbols names who found each symbol, and its score in --json", async () => {
    const table = await runRtt(["ls", "symbols"], { cwd: ws });
    assert.match(table.stdout, /^SADDR\s+TYPE\s+DIRECTION\s+CAPS\s+SOURCE\s+FILE\s+SIGNED BY$/m);
    assert.match(table.stdout, /^rtt:\/\/core\/api\/metrics@1\.0\.0 .* manifest {2}\.rtt\//m);
    const json = parseJson((await runRtt(["ls", "symbols", "--json"], { cwd: ws })).stdout) as {
      found_by: string;
      score: number;
    }[];
    assert.deepEqual(
      json.map((s) => [s.found_by, s.score]),
      [["manifest", 1]],
    );
  });
});

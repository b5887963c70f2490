/**
 * Broken input, with the real binary: bad manifests are reported as `file:line:col: error CODE`
 * at the offending token and skipped while the scan goes on (exit 1); two manifests claiming
 * one address conflict; a broken panel.yaml stops the scan and leaves the catalog alone.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  makeTempDir,
  manifest,
  parseJson,
  positionOf,
  removeTempDirs,
  runRtt,
  writeFile,
} from "./helpers.ts";

after(removeTempDirs);

const SAMPLE = "rtt://core/api/metrics@1.0.0";

interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint?: string;
}

/** How `rtt scan` prints a diagnostic on stderr. */
function human(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`;
  return d.hint === undefined ? head : `${head}  hint: ${d.hint}\n`;
}

const DIAGNOSTIC_LINE = /^(\S+):(\d+):(\d+): (error|warning) (RTT_ERR_[A-Z_]+): /;

async function listedSaddrs(cwd: string): Promise<string[]> {
  const r = await runRtt(["ls", "symbols", "--json"], { cwd });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  return (parseJson(r.stdout) as { saddr: string }[]).map((s) => s.saddr);
}

// A missing comma after "type": "api": the parser stumbles on the next key.
const BAD_JSON = `{
  "$schema": "https://rtt/spec/v1",
  "symbol": {
    "saddr": "rtt://app/api/one@1.0.0",
    "type": "api"
    "direction": "provider"
  }
}
`;

const BAD_ADDRESS_SADDR = "rtt://core/apii/x@1.0.0";
const BAD_ADDRESS = `{
  "$schema": "https://rtt/spec/v1",
  "symbol": {
    "saddr": "${BAD_ADDRESS_SADDR}",
    "type": "api",
    "direction": "provider"
  }
}
`;

const BAD_SCHEMA = `{
  "$schema": "https://rtt/spec/v1",
  "symbol": {
    "saddr": "rtt://app/api/three@1.0.0",
    "type": "api",
    "direction": "sideways"
  }
}
`;

const GOOD = "rtt://app/api/good@1.0.0";

// Sorted as rtt reports them: by file, then position.
const EXPECTED: readonly Diagnostic[] = [
  {
    severity: "error",
    code: "RTT_ERR_DOC_SCHEMA",
    message:
      `bad address "${BAD_ADDRESS_SADDR}" at column ${BAD_ADDRESS_SADDR.indexOf("apii") + 1}: ` +
      "expected a symbol type (api, hook, plugin, extension, stub, flag, tag, queue, bus, file, proc, service), " +
      'found "apii"',
    file: "bad-address/rtt.manifest.json",
    ...positionOf(BAD_ADDRESS, "apii"),
    hint: 'did you mean "api"?',
  },
  {
    severity: "error",
    code: "RTT_ERR_DOC_SYNTAX",
    message: "not valid JSON: expected ',' or a closing bracket",
    file: "bad-json/rtt.manifest.json",
    ...positionOf(BAD_JSON, '"direction"'),
  },
  {
    severity: "error",
    code: "RTT_ERR_DOC_SCHEMA",
    message: 'expected one of provider, consumer, both; found the string "sideways"',
    file: "bad-schema/rtt.manifest.json",
    ...positionOf(BAD_SCHEMA, '"sideways"'),
  },
];

describe("rtt scan with three broken manifests and a good one", () => {
  let ws = "";
  before(async () => {
    ws = makeTempDir();
    const init = await runRtt(["init"], { cwd: ws });
    assert.equal(init.code, 0, init.stderr);
    writeFile(ws, "bad-json/rtt.manifest.json", BAD_JSON);
    writeFile(ws, "bad-address/rtt.manifest.json", BAD_ADDRESS);
    writeFile(ws, "bad-schema/rtt.manifest.json", BAD_SCHEMA);
    writeFile(ws, "good/rtt.manifest.json", manifest(GOOD));
  });

  it("the positions the test expects are where the offending tokens are", () => {
    // Sanity of the fixture itself, so the assertions below compare against real places.
    assert.deepEqual(positionOf(BAD_JSON, '"direction"'), { line: 6, column: 5 });
    assert.deepEqual(positionOf(BAD_ADDRESS, "apii"), { line: 4, column: 26 });
    assert.deepEqual(positionOf(BAD_SCHEMA, '"sideways"'), { line: 6, column: 18 });
  });

  it("rtt scan exits 1 with one file:line:col diagnostic per broken file", async () => {
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^scanned 9 files in 7 folders: 5 manifests → 2 symbols; 3 errors, 0 warnings \(5 read, 0 unchanged\) in \d+ ms\n$/,
    );
    const located = r.stderr.split("\n").filter((line) => DIAGNOSTIC_LINE.test(line));
    assert.deepEqual(
      located.map((line) => DIAGNOSTIC_LINE.exec(line)?.slice(1, 6)),
      EXPECTED.map((d) => [d.file, String(d.line), String(d.column), "error", d.code]),
    );
    assert.equal(r.stderr, EXPECTED.map(human).join(""));
  });

  it("rtt ls symbols --json still lists the good symbol and the sample", async () => {
    assert.deepEqual(await listedSaddrs(ws), [GOOD, SAMPLE]);
  });

  it("rtt scan --json exits 1 and its diagnostics carry file, line and column (from the cache too)", async () => {
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 1);
    const report = parseJson(r.stdout) as Record<string, unknown>;
    assert.equal(typeof report.duration_ms, "number");
    const { duration_ms: _, ...rest } = report;
    assert.deepEqual(rest, {
      root: ws,
      files: 9,
      dirs: 7,
      manifests: 5,
      sidecars: 0,
      symbols: 2,
      discovered: 0,
      // Nothing changed since the last scan: every outcome, problems included, is recalled.
      reread: 0,
      cached: 5,
      conflicts: [],
      errors: 3,
      warnings: 0,
      diagnostics: EXPECTED,
      catalog: join(ws, ".rtt/cache/catalog.json"),
      catalog_written: false,
      stopped: false,
    });
  });

  it("a broken panel.yaml (unknown key scann:) stops the scan at its line:col and keeps the catalog", async () => {
    const panelPath = join(ws, ".rtt/panel.yaml");
    const text = readFileSync(panelPath, "utf8").replace(/^scan:$/m, "scann:");
    writeFileSync(panelPath, text);
    const at = positionOf(text, "scann:");
    assert.deepEqual(at, { line: text.split("\n").indexOf("scann:") + 1, column: 1 });
    // Make the tree different, so that a scan that went ahead would show.
    writeFile(ws, "later/rtt.manifest.json", manifest("rtt://app/api/later@1.0.0"));
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `.rtt/panel.yaml:${at.line}:${at.column}: error RTT_ERR_DOC_SCHEMA: unknown field "scann"\n` +
        '  hint: did you mean "scan"?\n',
    );
    assert.deepEqual(await listedSaddrs(ws), [GOOD, SAMPLE]);
  });
});

describe("two manifests claiming one address", () => {
  const DUP = "rtt://app/api/dup@1.0.0";
  const first = manifest(DUP);
  const second = manifest(DUP, { direction: "consumer" });
  let ws = "";
  before(async () => {
    ws = makeTempDir();
    const init = await runRtt(["init"], { cwd: ws });
    assert.equal(init.code, 0, init.stderr);
    writeFile(ws, "one/rtt.manifest.json", first);
    writeFile(ws, "two/rtt.manifest.json", second);
  });

  it("with different contracts: RTT_ERR_SCAN_CONFLICT on both, neither catalogued, exit 1", async () => {
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 1);
    const report = parseJson(r.stdout) as Record<string, unknown>;
    const at = (text: string) => positionOf(text, `"${DUP}"`);
    const hint = "give one of them another version or variant, or delete one";
    assert.deepEqual(report.diagnostics, [
      {
        severity: "error",
        code: "RTT_ERR_SCAN_CONFLICT",
        message: `${DUP} is also declared by two/rtt.manifest.json with a different contract; neither is catalogued`,
        file: "one/rtt.manifest.json",
        ...at(first),
        hint,
      },
      {
        severity: "error",
        code: "RTT_ERR_SCAN_CONFLICT",
        message: `${DUP} is also declared by one/rtt.manifest.json with a different contract; neither is catalogued`,
        file: "two/rtt.manifest.json",
        ...at(second),
        hint,
      },
    ]);
    assert.deepEqual(report.conflicts, [
      { saddr: DUP, files: ["one/rtt.manifest.json", "two/rtt.manifest.json"], identical: false },
    ]);
    assert.equal(report.errors, 2);
    assert.equal(report.warnings, 0);
    assert.equal(report.symbols, 1);
    assert.deepEqual(await listedSaddrs(ws), [SAMPLE]);
  });

  it("made identical: a warning, the first copy kept, exit 0", async () => {
    writeFile(ws, "two/rtt.manifest.json", first);
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 0);
    const at = positionOf(first, `"${DUP}"`);
    assert.equal(
      r.stderr,
      `two/rtt.manifest.json:${at.line}:${at.column}: warning RTT_ERR_SCAN_CONFLICT: ` +
        `${DUP} is also declared, identically, by one/rtt.manifest.json; this copy is ignored\n` +
        "  hint: keep one manifest per address\n",
    );
    assert.match(
      r.stdout,
      /: 3 manifests → 2 symbols; 0 errors, 1 warning \(1 read, 2 unchanged\) in \d+ ms\n$/,
    );
    const ls = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
    assert.equal(ls.code, 0);
    const symbols = parseJson(ls.stdout) as { saddr: string; source: { file: string } }[];
    assert.deepEqual(
      symbols.map((s) => [s.saddr, s.source.file]),
      [
        [DUP, "one/rtt.manifest.json"],
        [SAMPLE, ".rtt/manifests/metrics.api.json"],
      ],
    );
  });
});

/**
 * Unknown `x-` keys with the real binary (issue 18): `rtt scan` warns about a misspelt key at
 * its line and column with the key it meant, catalogs the symbol all the same (exit 0), repeats
 * the warning from its cache, and leaves alone a custom driver's own keys.
 */
import assert from "node:assert/strict";
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

const TYPO = "rtt://app/proc/typo@1.0.0";
const TYPO_TEXT = manifest(TYPO, { direction: "both", "x-run": ["true"], "x-cdw": "bin" });
const CUSTOM = "rtt://app/bus/events@1.0.0";
const CUSTOM_TEXT = manifest(CUSTOM, { "x-driver": "mqtt", "x-mqtt-topic": "events/#" });

describe("rtt scan and unknown x- keys", () => {
  let ws = "";
  before(async () => {
    ws = makeTempDir();
    const init = await runRtt(["init"], { cwd: ws });
    assert.equal(init.code, 0, init.stderr);
    writeFile(ws, "typo/rtt.manifest.json", TYPO_TEXT);
    writeFile(ws, "custom/rtt.manifest.json", CUSTOM_TEXT);
  });

  const expected = () => ({
    severity: "warning",
    code: "RTT_ERR_DOC_SCHEMA",
    message: 'unknown key "x-cdw": RTT reads no such key',
    file: "typo/rtt.manifest.json",
    ...positionOf(TYPO_TEXT, '"x-cdw"'),
    hint: 'did you mean "x-cwd"?',
  });

  it("warns at the misspelt key with the key it meant, and catalogs both symbols (exit 0)", async () => {
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    const d = expected();
    assert.equal(
      r.stderr,
      `${d.file}:${d.line}:${d.column}: warning ${d.code}: ${d.message}\n  hint: ${d.hint}\n`,
    );
    assert.match(r.stdout, /0 errors, 1 warnings? /);
    const ls = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
    const listed = (parseJson(ls.stdout) as { saddr: string }[]).map((s) => s.saddr);
    assert.ok(listed.includes(TYPO) && listed.includes(CUSTOM), listed.join(", "));
  });

  it("a warm scan recalls the file and repeats the warning", async () => {
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    const report = parseJson(r.stdout) as { diagnostics: unknown[]; reread: number };
    assert.equal(report.reread, 0);
    assert.deepEqual(report.diagnostics, [expected()]);
  });

  it("the fixed key is quiet", async () => {
    writeFile(ws, "typo/rtt.manifest.json", TYPO_TEXT.replace('"x-cdw"', '"x-cwd"'));
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((parseJson(r.stdout) as { diagnostics: unknown[] }).diagnostics, []);
  });
});

/**
 * Manifest signatures with the real binary on a copy of the quickstart: `rtt keys generate` →
 * `rtt sign` → `rtt verify` → `rtt scan` → `rtt ls symbols --json` shows who signed what; a
 * byte changed after signing fails verify and is a scan error naming the file; strict mode makes
 * the scan warn about every symbol no trusted key vouches for.
 */
import assert from "node:assert/strict";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { copyQuickstart, describeRun, parseJson, removeTempDirs, runRtt } from "./helpers.ts";

after(removeTempDirs);

const LOGGER_FILE = "services/logger/rtt.manifest.json";
const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";

interface Listed {
  readonly saddr: string;
  readonly signed_by: string | null;
  readonly signer_trusted: boolean | null;
  readonly manifest: string;
}

describe("rtt keys, sign and verify on a copy of the quickstart", () => {
  let ws = "";
  let keyId = "";
  before(() => {
    ws = copyQuickstart();
  });

  it("rtt keys generate --name alice writes a 0600 private key and a trusted public key", async () => {
    const r = await runRtt(["keys", "generate", "--name", "alice", "--json"], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    const made = parseJson(r.stdout) as Record<string, string>;
    assert.match(made.key ?? "", /^[0-9a-f]{32}$/);
    keyId = made.key ?? "";
    assert.equal(made.private_key, join(ws, ".rtt/keys/alice.key"));
    assert.equal(made.public_key, join(ws, ".rtt/trust/alice.pub"));
    assert.equal(statSync(join(ws, ".rtt/keys/alice.key")).mode & 0o777, 0o600);
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY/);
    const again = await runRtt(["keys", "generate", "--name", "alice"], { cwd: ws });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /RTT_ERR_KEY/);
    const list = await runRtt(["keys", "list", "--json"], { cwd: ws });
    assert.equal(list.code, 0, describeRun(list));
    assert.deepEqual(parseJson(list.stdout), [
      { name: "alice", key: keyId, file: join(ws, ".rtt/trust/alice.pub") },
    ]);
  });

  it("rtt sign refuses a file that is not a valid manifest and changes no file", async () => {
    const broken = join(ws, "broken.json");
    writeFileSync(broken, '{ "symbol": { "type": "api" } }\n');
    const before = readFileSync(join(ws, LOGGER_FILE), "utf8");
    const r = await runRtt(["sign", "--key", "alice", LOGGER_FILE, "broken.json"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.json:1:\d+: not a valid manifest/);
    assert.match(r.stderr, /RTT_ERR_DOC_SCHEMA/);
    assert.equal(readFileSync(broken, "utf8"), '{ "symbol": { "type": "api" } }\n');
    assert.equal(readFileSync(join(ws, LOGGER_FILE), "utf8"), before);
  });

  it("rtt sign adds a signature member, keeping 2-space JSON and the file's mode", async () => {
    chmodSync(join(ws, LOGGER_FILE), 0o600);
    const r = await runRtt(["sign", "--key", "alice", LOGGER_FILE], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(r.stdout, `signed ${LOGGER_FILE} with key alice (${keyId})\n`);
    const text = readFileSync(join(ws, LOGGER_FILE), "utf8");
    const signed = JSON.parse(text) as { signature: { alg: string; key: string; sig: string } };
    assert.equal(text, `${JSON.stringify(signed, null, 2)}\n`);
    assert.equal(signed.signature.alg, "ed25519");
    assert.equal(signed.signature.key, keyId);
    assert.equal(statSync(join(ws, LOGGER_FILE)).mode & 0o777, 0o600);
  });

  it("rtt verify names the signer of each manifest and exits 0", async () => {
    const r = await runRtt(["verify"], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, new RegExp(`^${LOGGER_FILE}: signed by alice \\(${keyId}\\)$`, "m"));
    assert.match(r.stdout, /^services\/metrics\/rtt\.manifest\.json: unsigned$/m);
    assert.match(r.stdout, /5 manifests checked, 0 invalid/);
  });

  it("rtt ls symbols --json shows signed_by, signer_trusted and the manifest", async () => {
    const scan = await runRtt(["scan"], { cwd: ws });
    assert.equal(scan.code, 0, describeRun(scan));
    const r = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    const listed = parseJson(r.stdout) as Listed[];
    const logger = listed.find((s) => s.saddr === LOGGER);
    assert.deepEqual(logger && [logger.signed_by, logger.signer_trusted, logger.manifest], [
      keyId,
      true,
      LOGGER_FILE,
    ]);
    for (const s of listed.filter((s) => s.saddr !== LOGGER))
      assert.deepEqual([s.signed_by, s.signer_trusted], [null, null], s.saddr);
    const table = await runRtt(["ls", "symbols", LOGGER], { cwd: ws });
    assert.match(table.stdout, /SIGNED BY\n.*\balice\n/);
  });

  it("a byte changed after signing: verify exits 1, scan reports RTT_ERR_SIGNATURE naming the file", async () => {
    const path = join(ws, LOGGER_FILE);
    writeFileSync(path, readFileSync(path, "utf8").replace("logger.mjs", "logger.mjX"));
    const verify = await runRtt(["verify", LOGGER_FILE, "--json"], { cwd: ws });
    assert.equal(verify.code, 1, describeRun(verify));
    assert.deepEqual(parseJson(verify.stdout), {
      files: [{ state: "invalid", key: keyId, name: "alice", file: LOGGER_FILE }],
      invalid: 1,
    });
    const scan = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(scan.code, 1, describeRun(scan));
    const report = parseJson(scan.stdout) as {
      diagnostics: { code: string; file: string; message: string }[];
    };
    const bad = report.diagnostics.filter((d) => d.code === "RTT_ERR_SIGNATURE");
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.file, LOGGER_FILE);
    assert.match(bad[0]?.message ?? "", new RegExp(keyId));
    const ls = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
    assert.ok(!(parseJson(ls.stdout) as Listed[]).some((s) => s.saddr === LOGGER));
  });

  it("refuses the panel's own key name, and verify fails a named file that is no manifest", async () => {
    const panel = await runRtt(["keys", "generate", "--name", "panel"], { cwd: ws });
    assert.equal(panel.code, 2, describeRun(panel));
    assert.match(panel.stderr, /the panel's own key \(RTT_ERR_USAGE\)/);
    const r = await runRtt(["verify", "broken.json", "services/metrics/rtt.manifest.json"], {
      cwd: ws,
    });
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, /^broken\.json: INVALID: broken\.json:1:\d+: not a valid manifest/m);
    assert.match(r.stdout, /^services\/metrics\/rtt\.manifest\.json: unsigned$/m);
  });

  it("with strict_manifests, rtt scan warns about every symbol no trusted key signed", async () => {
    // Signed again, so the logger is the one symbol not warned about.
    const sign = await runRtt(["sign", "--key", "alice", LOGGER_FILE], { cwd: ws });
    assert.equal(sign.code, 0, describeRun(sign));
    const yaml = join(ws, ".rtt/panel.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8").replace("strict_manifests: false", "strict_manifests: true"),
    );
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 0, describeRun(r));
    const warned = r.stderr
      .split("\n")
      .filter((l) => / warning RTT_ERR_SIGNATURE: /.test(l))
      .map((l) => l.slice(0, l.indexOf(":")));
    assert.deepEqual(warned.sort(), [
      "services/events/rtt.manifest.json",
      "services/logger2/rtt.manifest.json",
      "services/metrics/rtt.manifest.json",
      "ui/rtt.manifest.json",
    ]);
    assert.match(
      r.stderr,
      /unsigned; strict_manifests is on, so it will not be routed unless allow_unsigned matches it/,
    );
  });
});

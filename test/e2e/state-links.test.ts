/**
 * Links under `.rtt/` (issue 15, finding 3; ADR 0021), with the real binary: a linked cache,
 * panel.log or audit ledger is refused with RTT_ERR_STATE_LINK, and nothing is read from or
 * written to where the link points.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type AuditEntry, appendAudit, generateSigningKey, loadTrustedKeys, Wal } from "@rtt/panel";
import { makeTempDir, removeTempDirs, runRtt } from "./helpers.ts";

after(removeTempDirs);

const ENTRY: AuditEntry = { action: "bind", route: "r1", why: "test", before: null, after: null };

async function initialised(): Promise<string> {
  const ws = makeTempDir();
  const r = await runRtt(["init"], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  return ws;
}

/** A folder outside the workspace, holding one file whose bytes must not change. */
function elsewhere(): { dir: string; file: string; before: string } {
  const dir = makeTempDir("rtt-elsewhere-");
  const file = join(dir, "precious.txt");
  writeFileSync(file, "someone else's file\n");
  return { dir, file, before: "someone else's file\n" };
}

describe("the scan and links out of the workspace", () => {
  it("ln -s / evil/deep/x/root; rtt scan: one warning, the machine is not walked", async () => {
    const ws = await initialised();
    mkdirSync(join(ws, "evil/deep/x"), { recursive: true });
    symlinkSync("/", join(ws, "evil/deep/x/root"));
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as {
      files: number;
      diagnostics: { file: string; code: string }[];
    };
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.file} ${d.code}`),
      ["evil/deep/x/root RTT_ERR_SCAN_SYMLINK"],
    );
    assert.ok(report.files < 20, `${report.files} files walked`);
  });
});

describe("state under .rtt/ is never reached through a link", () => {
  it("a linked .rtt/cache: the scan refuses and writes nothing there", async () => {
    const ws = await initialised();
    const out = elsewhere();
    rmSync(join(ws, ".rtt/cache"), { recursive: true, force: true });
    symlinkSync(out.dir, join(ws, ".rtt/cache"));
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout + r.stderr, /RTT_ERR_STATE_LINK/);
    assert.match(r.stdout + r.stderr, /\.rtt\/cache is a symbolic link/);
    assert.match(r.stdout, /scan stopped: fix what is reported above first/);
    assert.deepEqual(readdirSync(out.dir), ["precious.txt"]);
    assert.equal(readFileSync(out.file, "utf8"), out.before);
  });

  it("a linked catalog file: scan refuses, and ls will not read it", async () => {
    const ws = await initialised();
    const out = elsewhere();
    symlinkSync(out.file, join(ws, ".rtt/cache/catalog.json"));
    const scan = await runRtt(["scan"], { cwd: ws });
    assert.equal(scan.code, 1);
    assert.match(scan.stdout + scan.stderr, /\.rtt\/cache\/catalog\.json is a symbolic link/);
    const ls = await runRtt(["ls", "symbols"], { cwd: ws });
    assert.equal(ls.code, 1);
    assert.match(ls.stderr, /RTT_ERR_STATE_LINK/);
    assert.equal(readFileSync(out.file, "utf8"), out.before);
  });

  it("a linked .rtt/panel.log: panel start refuses and appends nothing to the target", async () => {
    const ws = await initialised();
    const out = elsewhere();
    symlinkSync(out.file, join(ws, ".rtt/panel.log"));
    const r = await runRtt(["panel", "start"], { cwd: ws });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /RTT_ERR_STATE_LINK/);
    assert.match(r.stderr, /\.rtt\/panel\.log is a symbolic link/);
    assert.equal(readFileSync(out.file, "utf8"), out.before);
    assert.equal(existsSync(join(ws, ".rtt/sockets/panel.sock")), false, "no panel was started");
  });

  it("a dangling .rtt/audit/ledger.ndjson link: nothing is created where it points", async () => {
    const ws = await initialised();
    const out = elsewhere();
    const target = join(out.dir, "ledger.ndjson");
    mkdirSync(join(ws, ".rtt/audit"));
    symlinkSync(target, join(ws, ".rtt/audit/ledger.ndjson"));
    assert.throws(
      () => appendAudit(join(ws, ".rtt/audit/ledger.ndjson"), ENTRY),
      (e: Error & { code?: string }) =>
        e.code === "RTT_ERR_STATE_LINK" && /ledger\.ndjson is a symbolic link/.test(e.message),
    );
    const audit = await runRtt(["audit", "--verify"], { cwd: ws });
    assert.notEqual(audit.code, 0);
    assert.match(audit.stderr + audit.stdout, /RTT_ERR_STATE_LINK/);
    assert.equal(existsSync(target), false);
    assert.deepEqual(readdirSync(out.dir), ["precious.txt"]);
  });

  it("a linked .rtt/audit folder: the head is not written there either", async () => {
    const ws = await initialised();
    const out = elsewhere();
    symlinkSync(out.dir, join(ws, ".rtt/audit"));
    assert.throws(
      () => appendAudit(join(ws, ".rtt/audit/ledger.ndjson"), ENTRY),
      /\.rtt\/audit is a symbolic link/,
    );
    assert.deepEqual(readdirSync(out.dir), ["precious.txt"]);
  });

  it("a linked .rtt/wal or WAL segment: the WAL does not open", async () => {
    const ws = await initialised();
    const out = elsewhere();
    rmSync(join(ws, ".rtt/wal"), { recursive: true });
    symlinkSync(out.dir, join(ws, ".rtt/wal"));
    assert.throws(() => Wal.open({ dir: join(ws, ".rtt/wal") }), /\.rtt\/wal is a symbolic link/);
    assert.deepEqual(readdirSync(out.dir), ["precious.txt"]);
    rmSync(join(ws, ".rtt/wal"));
    mkdirSync(join(ws, ".rtt/wal"));
    symlinkSync(out.file, join(ws, ".rtt/wal/wal-0000000000000001.log"));
    assert.throws(
      () => Wal.open({ dir: join(ws, ".rtt/wal") }),
      /wal-0000000000000001\.log is a symbolic link/,
    );
    assert.equal(readFileSync(out.file, "utf8"), out.before);
  });

  it("linked .rtt/keys or .rtt/trust: no key is written there, no signer read from there", async () => {
    const ws = await initialised();
    const out = elsewhere();
    symlinkSync(out.dir, join(ws, ".rtt/keys"));
    assert.throws(() => generateSigningKey(join(ws, ".rtt"), "alice"), /\.rtt\/keys is a symbolic/);
    rmSync(join(ws, ".rtt/keys"));
    symlinkSync(out.dir, join(ws, ".rtt/trust"));
    assert.throws(() => loadTrustedKeys(join(ws, ".rtt")), /\.rtt\/trust is a symbolic link/);
    assert.throws(() => generateSigningKey(join(ws, ".rtt"), "bob"), /\.rtt\/trust is a symbolic/);
    assert.deepEqual(readdirSync(out.dir), ["precious.txt"]);
    const scan = await runRtt(["scan"], { cwd: ws });
    assert.equal(scan.code, 1);
    assert.match(scan.stdout + scan.stderr, /\.rtt\/trust is a symbolic link/);
  });
});

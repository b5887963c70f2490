import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { panelKey } from "../trust/keys.ts";
import { Wal } from "../wal/wal.ts";
import { checkWorkspaceLedger } from "./anchor.ts";
import { AuditLedger } from "./ledger.ts";
import { headPath } from "./ledger-file.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A workspace's .rtt with `n` audited WAL commits, each written as the panel writes them. */
function workspace(n: number) {
  const rttDir = mkdtempSync(join(tmpdir(), "rtt-anchor-"));
  dirs.push(rttDir);
  const paths = { rttDir, audit: join(rttDir, "audit", "ledger.ndjson"), wal: join(rttDir, "wal") };
  const ledger = new AuditLedger(paths.audit, { signer: panelKey(rttDir), who: "uid=1(t)" });
  const wal = Wal.open({ dir: paths.wal });
  const commit = (i: number) => {
    ledger.append({ action: "bind", route: `r${i}`, why: "t", before: null, after: { i } });
    const tx = wal.begin({ n: i - 1 });
    wal.commit(tx, { n: i }, ledger.head);
  };
  for (let i = 1; i <= n; i++) commit(i);
  ledger.flushHead();
  return { paths, ledger, wal, commit };
}

test("an intact ledger whose head the WAL anchored verifies", () => {
  const { paths, wal } = workspace(3);
  wal.close();
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok);
  assert.equal(anchor, undefined);
});

test("a deleted ledger (and head) is reported as deleted", () => {
  const { paths, wal } = workspace(3);
  wal.close();
  rmSync(join(paths.rttDir, "audit"), { recursive: true });
  const { anchor } = checkWorkspaceLedger(paths);
  assert.equal(anchor?.problem, "deleted");
  assert.match(anchor?.message ?? "", /ledger seq 3/);
});

test("a ledger cut back with its head rewritten to match is behind the WAL's anchor", () => {
  const { paths, wal } = workspace(5);
  wal.close();
  const lines = readFileSync(paths.audit, "utf8").split("\n").slice(0, 2);
  writeFileSync(paths.audit, `${lines.join("\n")}\n`);
  const second = JSON.parse(lines[1] ?? "") as { seq: number; hash: string };
  writeFileSync(
    headPath(paths.audit),
    `${JSON.stringify({ seq: second.seq, hash: second.hash })}\n`,
  );
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok, "the chain and the rewritten head agree");
  assert.equal(anchor?.problem, "behind-anchor");
  assert.match(anchor?.message ?? "", /ends at seq 2.*seq 5/);
});

test("a head rewritten without the panel's key is reported, even when the records agree", () => {
  const { paths, wal } = workspace(2);
  wal.close();
  const head = JSON.parse(readFileSync(headPath(paths.audit), "utf8")) as Record<string, unknown>;
  writeFileSync(headPath(paths.audit), `${JSON.stringify({ seq: head.seq, hash: head.hash })}\n`);
  assert.equal(checkWorkspaceLedger(paths).anchor?.problem, "head-unsigned");
  const sig = head.sig as Record<string, string>;
  const forged = { ...head, sig: { ...sig, sig: Buffer.alloc(64, 1).toString("base64") } };
  writeFileSync(headPath(paths.audit), `${JSON.stringify(forged)}\n`);
  assert.equal(checkWorkspaceLedger(paths).anchor?.problem, "head-forged");
});

test("a ledger that restarts at seq 1 while the WAL anchored seq 4 is reported as restarted", () => {
  const { paths, wal } = workspace(4);
  wal.close();
  rmSync(join(paths.rttDir, "audit"), { recursive: true });
  // The panel goes on: a fresh ledger from seq 1, its commits anchored to it.
  const again = new AuditLedger(paths.audit, { signer: panelKey(paths.rttDir) });
  const wal2 = Wal.open({ dir: paths.wal });
  again.append({ action: "bind", route: "r9", why: "t", before: null, after: null });
  wal2.commit(wal2.begin({}), {}, again.head);
  again.flushHead();
  wal2.close();
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok, "the new ledger chains by itself");
  assert.equal(anchor?.problem, "restarted");
  assert.match(anchor?.message ?? "", /seq 1 after commit \d+ had seq 4/);
});

test("old records without claimed_by still verify; new ones keep the claim beside who", () => {
  const { paths, ledger, wal } = workspace(1);
  ledger.append({
    action: "bind",
    route: "r2",
    why: "t",
    before: null,
    after: null,
    who: "uid=0(root) pid=7",
    claimed_by: "alice@payroll-server",
    token: "tok-1",
  });
  ledger.flushHead();
  wal.close();
  const { verdict } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok);
  const [first, second] = verdict.records;
  assert.equal("claimed_by" in (first ?? {}), false);
  assert.equal(second?.who, "uid=0(root) pid=7");
  assert.equal(second?.claimed_by, "alice@payroll-server");
  assert.equal(second?.token, "tok-1");
});

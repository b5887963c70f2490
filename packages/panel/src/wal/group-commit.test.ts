/**
 * The group commit (ADR 0030): a hot swap's WAL commit and audit record are written, not fsynced;
 * the group fsyncs them off the loop; WAL commits anchor only durable audit records; a failed
 * group fsync cuts each file back to its last durable record, and both still verify and reopen.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AuditLedger } from "../audit/ledger.ts";
import { checkLedgerFile } from "../audit/ledger-file.ts";
import { FlakyDisk } from "./flaky-disk-fixture.ts";
import { GroupCommit } from "./group-commit.ts";
import { Wal } from "./wal.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rtt-group-commit-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const entry = (route: string) =>
  ({ action: "swap", route, why: "test", before: null, after: { to: route } }) as const;

/** A swap as target-moves.ts commits one: the record, then the commit, neither fsynced. */
function swap(wal: Wal, ledger: AuditLedger, n: number): number {
  const tx = wal.begin({ n });
  ledger.appendAll([entry(`r${n}`)], { sync: false });
  return wal.commit(tx, { n }, ledger.head, { sync: false });
}

describe("the group commit", () => {
  it("fsyncs what swaps wrote once for all of them, off the loop; anchors name durable records only", async () => {
    const dir = tempDir();
    const wal = Wal.open({ dir: join(dir, "wal") });
    const ledger = new AuditLedger(join(dir, "audit", "ledger.ndjson"), { who: "t" });
    const group = new GroupCommit([ledger, wal], () => {});
    ledger.append(entry("first"));
    const durable = ledger.head;
    const seqs = [1, 2, 3].map((n) => swap(wal, ledger, n));
    assert.ok(wal.unsynced && ledger.unsynced, "written, not fsynced");
    // Every commit anchored the record that was durable, not the swaps' own.
    assert.deepEqual(
      wal.commits.map((c) => c.audit),
      [durable, durable, durable],
    );
    assert.deepEqual(
      wal.commits.map((c) => c.seq),
      seqs,
    );
    group.written();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!wal.unsynced && !ledger.unsynced, "the group fsynced both");
    assert.equal(ledger.head?.seq, 4, "the head moves to the newest record once it is durable");
    const verdict = ledger.verify();
    assert.ok(verdict.ok, verdict.ok ? "" : verdict.message);
    await group.settle();
    wal.close();
    const reopened = Wal.open({ dir: join(dir, "wal") });
    assert.deepEqual(reopened.committed?.post, { n: 3 });
    reopened.close();
  });

  it("a synchronous commit (an apply's) makes every swap written before it durable too", () => {
    const dir = tempDir();
    const wal = Wal.open({ dir: join(dir, "wal") });
    const ledger = new AuditLedger(join(dir, "audit", "ledger.ndjson"), { who: "t" });
    swap(wal, ledger, 1);
    ledger.appendAll([entry("apply")]);
    const tx = wal.begin({ n: 2 });
    wal.commit(tx, { n: 2 }, ledger.head);
    assert.ok(!wal.unsynced && !ledger.unsynced);
    assert.equal(ledger.head?.seq, 2);
    wal.close();
  });

  it("a failed group fsync cuts each file back to its last durable record; both verify and reopen", async () => {
    const dir = tempDir();
    const walDisk = new FlakyDisk();
    const ledgerDisk = new FlakyDisk();
    const wal = Wal.open({ dir: join(dir, "wal"), io: walDisk });
    const file = join(dir, "audit", "ledger.ndjson");
    const ledger = new AuditLedger(file, { who: "t", io: ledgerDisk });
    const lines: string[] = [];
    const group = new GroupCommit([ledger, wal], (line) => lines.push(line));
    ledger.append(entry("durable"));
    const tx = wal.begin({ n: 0 });
    wal.commit(tx, { n: 0 }, ledger.head);
    const ledgerBefore = readFileSync(file);
    swap(wal, ledger, 1);
    swap(wal, ledger, 2);
    walDisk.failSyncs = 1;
    ledgerDisk.failSyncs = 1;
    group.written();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(lines[0] ?? "", /fsync failed, what it held is cut back/);
    assert.deepEqual(readFileSync(file), ledgerBefore, "the ledger is back at its durable record");
    assert.deepEqual(
      wal.commits.map((c) => c.post),
      [{ n: 0 }],
      "the lost commits left the rollback list",
    );
    // The next swap chains on and commits after the cut.
    swap(wal, ledger, 3);
    await group.settle();
    assert.equal(ledger.head?.seq, 2);
    const verdict = checkLedgerFile(file);
    assert.ok(verdict.ok, verdict.ok ? "" : verdict.message);
    wal.close();
    const reopened = Wal.open({ dir: join(dir, "wal") });
    assert.equal(reopened.report.truncatedBytes, 0);
    assert.deepEqual(
      reopened.commits.map((c) => c.post),
      [{ n: 0 }, { n: 3 }],
    );
    reopened.close();
  });
});

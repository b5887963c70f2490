/**
 * The audit ledger on a failing disk (issue 15, finding 6): a failed append is cut back to the
 * last whole line, so the ledger verifies and the next append chains on; a failed cut stops the
 * writer, which then refuses every append rather than write after a torn line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { RttError } from "@rtt/core";
import { FlakyDisk } from "../wal/flaky-disk-fixture.ts";
import { AuditLedger } from "./ledger.ts";
import { checkLedgerFile } from "./ledger-file.ts";

const dirs: string[] = [];
function tempLedger(): string {
  const dir = mkdtempSync(join(tmpdir(), "rtt-audit-disk-"));
  dirs.push(dir);
  return join(dir, "audit", "ledger.ndjson");
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const entry = (route: string) =>
  ({ action: "bind", route, why: "test", before: null, after: { lane: "shm" } }) as const;
const unwritable = (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_WAL_UNWRITABLE";

for (const fail of ["write", "fsync"] as const) {
  test(`a failed ${fail} of an append is cut back: the ledger verifies and the next append chains`, () => {
    const file = tempLedger();
    const disk = new FlakyDisk();
    disk.tearAfter = 40;
    const ledger = new AuditLedger(file, { who: "t", io: disk });
    ledger.append(entry("r1"));
    const before = readFileSync(file);
    if (fail === "write") disk.failWrites = 1;
    else disk.failSyncs = 1;
    assert.throws(() => ledger.append(entry("r2")), unwritable);
    assert.deepEqual(readFileSync(file), before);
    assert.equal(ledger.stopped, undefined);
    const r3 = ledger.append(entry("r3"));
    assert.equal(r3.seq, 2);
    const verdict = ledger.verify();
    assert.ok(verdict.ok, verdict.ok ? "" : verdict.message);
  });
}

test("when the cut back fails, the ledger is stopped and appends nothing after the torn line", () => {
  const file = tempLedger();
  const disk = new FlakyDisk();
  disk.tearAfter = 40;
  const ledger = new AuditLedger(file, { who: "t", io: disk });
  ledger.append(entry("r1"));
  disk.failWrites = 1;
  disk.failTruncates = 1;
  assert.throws(() => ledger.append(entry("r2")), unwritable);
  assert.match(ledger.stopped?.message ?? "", /until it restarts/);
  const torn = readFileSync(file);
  assert.throws(
    () => ledger.append(entry("r3")),
    (e) => e === ledger.stopped,
  );
  assert.deepEqual(readFileSync(file), torn, "nothing was appended after the torn line");
  const verdict = checkLedgerFile(file);
  assert.equal(verdict.ok, false);
  assert.equal(verdict.ok ? "" : verdict.problem, "truncated");
});

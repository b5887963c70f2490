/**
 * Salvaging a damaged ledger keeps what verifies, keeps the original beside it, and does not
 * make `rtt audit --verify` lie: dropped records stay reported (`salvaged`).
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { checkWorkspaceLedger } from "./anchor.ts";
import { AuditLedger } from "./ledger.ts";
import { salvageLedger } from "./salvage-ledger.ts";

const dirs: string[] = [];
function tempRtt(): { rttDir: string; audit: string; wal: string } {
  const rttDir = mkdtempSync(join(tmpdir(), "rtt-salvage-ledger-"));
  dirs.push(rttDir);
  return { rttDir, audit: join(rttDir, "audit", "ledger.ndjson"), wal: join(rttDir, "wal") };
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const entry = (route: string) =>
  ({ action: "bind", route, why: "test", before: null, after: { lane: "shm" } }) as const;
const AT = new Date(Date.UTC(2026, 11, 6, 21, 0));

async function ledgerOf(audit: string, n: number): Promise<AuditLedger> {
  const ledger = new AuditLedger(audit, { who: "t" });
  for (let i = 1; i <= n; i++) ledger.append(entry(`r${i}`));
  await ledger.settle();
  return ledger;
}

test("a last line cut off is dropped: the original kept aside, nothing noted, the ledger verifies and appends", async () => {
  const paths = tempRtt();
  await ledgerOf(paths.audit, 2);
  appendFileSync(paths.audit, '{"seq":3,"at":"2026');
  const original = readFileSync(paths.audit);
  const result = salvageLedger(paths.audit, AT);
  assert.equal(result.damaged, true);
  assert.deepEqual(result.kept.records, 2);
  assert.equal(result.dropped.lines, 1);
  assert.equal(result.noted, false);
  assert.equal(result.aside, `${paths.audit}.damaged-2026-12-06T21-00-00-000Z`);
  assert.deepEqual(readFileSync(result.aside ?? ""), original);
  const ledger = new AuditLedger(paths.audit, { who: "t" });
  assert.equal(ledger.append(entry("r3")).seq, 3);
  await ledger.settle();
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok);
  assert.equal(anchor, undefined);
  assert.equal(salvageLedger(paths.audit).damaged, false, "nothing left to salvage");
});

test("damage in the middle drops whole records: verify reports the salvage, also after new appends", async () => {
  const paths = tempRtt();
  await ledgerOf(paths.audit, 4);
  const lines = readFileSync(paths.audit, "utf8").split("\n");
  lines[1] = "garbage";
  writeFileSync(paths.audit, lines.join("\n"));
  const result = salvageLedger(paths.audit, AT);
  assert.equal(result.kept.lastSeq, 1);
  assert.equal(result.dropped.lines, 3);
  assert.deepEqual(result.dropped.seqs, [3, 4], "the seqs the dropped lines claim");
  assert.equal(result.noted, true);
  const ledger = new AuditLedger(paths.audit, { who: "t" });
  ledger.append(entry("r5"));
  await ledger.settle();
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  assert.ok(verdict.ok, "the kept records chain");
  assert.equal(anchor?.problem, "salvaged");
  assert.match(anchor?.message ?? "", /3 line\(s\) after seq 1 were dropped \(seq 3\.\.4/);
});

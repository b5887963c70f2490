import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { eventually } from "@rtt/core/testing";
import { AuditLedger } from "./ledger.ts";
import {
  appendAudit,
  checkLedgerFile,
  headPath,
  readHead,
  readRecordsFrom,
} from "./ledger-file.ts";
import { GENESIS_HASH, recordLine } from "./record.ts";

const dirs: string[] = [];
function tempLedger(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "rtt-audit-")));
  dirs.push(dir);
  return join(dir, "audit", "ledger.ndjson");
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("appendAudit writes one chained line per call with the injected clock, and keeps the head", () => {
  const file = tempLedger();
  let t = Date.UTC(2026, 10, 29, 12, 0, 0);
  const ledger = new AuditLedger(file, { clock: () => new Date(t++ * 1), who: "tester@host" });
  const a = ledger.append({
    action: "bind",
    route: "r1",
    why: "plan 1",
    before: null,
    after: { lane: "shm" },
  });
  const b = appendAudit(
    file,
    {
      action: "trip",
      route: "r1",
      why: "5 errors in 5 s",
      before: { state: "closed" },
      after: { state: "open" },
      who: "panel",
    },
    { clock: () => new Date("2026-11-29T12:00:05.000Z") },
  );
  assert.equal(a.seq, 1);
  assert.equal(a.prev, GENESIS_HASH);
  assert.equal(a.at, "2026-11-29T12:00:00.000Z");
  assert.equal(a.who, "tester@host");
  assert.equal(b.seq, 2);
  assert.equal(b.prev, a.hash);
  assert.equal(b.who, "panel");
  assert.equal(readFileSync(file, "utf8"), recordLine(a) + recordLine(b));
  assert.deepEqual(readHead(file), { seq: 2, hash: b.hash });
  assert.equal(statSync(headPath(file)).isFile(), true);
  const verdict = ledger.verify();
  assert.equal(verdict.ok, true);

  // Drop the last line: the chain still holds, the head does not.
  writeFileSync(file, recordLine(a));
  const cut = ledger.verify();
  assert.equal(cut.ok, false);
  if (!cut.ok) assert.equal(cut.problem, "head-mismatch");
});

/** Waits (up to 5 s) for the head file to say `head`: it is written off the event loop. */
async function headIs(file: string, head: unknown): Promise<void> {
  await eventually(() => isDeepStrictEqual(readHead(file), head), {
    what: `the head file to say ${JSON.stringify(head)}`,
    detail: () => `it says ${JSON.stringify(readHead(file))}`,
  });
}

test("a ledger object writes its head shortly after an append, off the caller's path; the lagging head verifies", async () => {
  const file = tempLedger();
  const ledger = new AuditLedger(file, { who: "tester@host" });
  const entry = { action: "swap", route: "r", why: "w", before: null, after: null } as const;
  const [first] = ledger.appendAll([entry]);
  // Not in the caller's turn (its answer goes out first), but soon.
  assert.equal(readHead(file), undefined);
  await headIs(file, { seq: 1, hash: first?.hash });
  // Two more at once: the head lags until it is written, and the ledger verifies meanwhile.
  ledger.append(entry);
  const last = ledger.append(entry);
  assert.deepEqual(readHead(file), { seq: 1, hash: first?.hash });
  assert.equal(checkLedgerFile(file).ok, true);
  await headIs(file, { seq: 3, hash: last.hash });
  // Someone else appends: the object reads the tail back instead of trusting what it wrote.
  const foreign = appendAudit(file, entry);
  assert.equal(ledger.append(entry).prev, foreign.hash);
});

test("appendAudit refuses to extend a ledger whose last record is damaged", () => {
  const file = tempLedger();
  appendAudit(file, { action: "bind", route: "r", why: "w", before: null, after: null });
  writeFileSync(file, readFileSync(file, "utf8").replace('"why":"w"', '"why":"W"'));
  assert.throws(
    () => appendAudit(file, { action: "unbind", route: "r", why: "w", before: null, after: null }),
    (e: unknown) => e instanceof Error && "code" in e && e.code === "RTT_ERR_AUDIT_TAMPERED",
  );
});

test("readRecordsFrom reads the complete records past an offset, leaving a line in progress", () => {
  const file = tempLedger();
  assert.deepEqual(readRecordsFrom(file, 0), { records: [], next: 0 });
  const entry = { action: "bind", route: "r", why: "w", before: null, after: null } as const;
  const a = appendAudit(file, entry);
  const first = readRecordsFrom(file, 0);
  assert.deepEqual(first, { records: [a], next: statSync(file).size });
  assert.deepEqual(readRecordsFrom(file, first.next), { records: [], next: first.next });
  const b = appendAudit(file, entry);
  const line = recordLine(appendAudit(file, entry));
  // The third record's line cut short, as an append in progress leaves it.
  writeFileSync(file, readFileSync(file, "utf8").slice(0, -line.length + 10));
  const more = readRecordsFrom(file, first.next);
  assert.deepEqual(more.records, [b]);
  assert.equal(more.next, first.next + recordLine(b).length);
  assert.throws(
    () => readRecordsFrom(file, statSync(file).size + 1),
    (e: unknown) => e instanceof Error && "code" in e && e.code === "RTT_ERR_AUDIT_TAMPERED",
  );
});

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import type { JsonValue } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import fc from "fast-check";
import {
  AUDIT_ACTIONS,
  type AuditEntry,
  AuditLedger,
  type AuditRecord,
  appendAudit,
  checkLedgerFile,
  GENESIS_HASH,
  headPath,
  readHead,
  recordHash,
  recordLine,
  verifyLedger,
} from "./ledger.ts";

const dirs: string[] = [];
function tempLedger(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "rtt-audit-")));
  dirs.push(dir);
  return join(dir, "audit", "ledger.ndjson");
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Values as JSON can hold them: -0 is written as 0, so a ledger record could never keep it.
const json: fc.Arbitrary<JsonValue> = fc
  .jsonValue({ maxDepth: 2 })
  .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue);
const entryArb: fc.Arbitrary<AuditEntry> = fc.record({
  action: fc.constantFrom(...AUDIT_ACTIONS),
  route: fc.string({ maxLength: 12 }),
  why: fc.string({ maxLength: 24 }),
  before: json,
  after: json,
  who: fc.constantFrom("alice@box", "panel", "bob@ci"),
});

/** Builds a ledger in memory exactly as appendAudit would (no disk: fast for properties). */
function build(entries: readonly AuditEntry[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  entries.forEach((e, i) => {
    const body = {
      seq: i + 1,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      who: e.who ?? "panel",
      action: e.action,
      route: e.route,
      why: e.why,
      before: e.before,
      after: e.after,
      prev,
    };
    const record = { ...body, hash: recordHash(body) };
    out.push(record);
    prev = record.hash;
  });
  return out;
}
const text = (records: readonly AuditRecord[]) => records.map(recordLine).join("");

const FIELDS = [
  "seq",
  "at",
  "who",
  "action",
  "route",
  "why",
  "before",
  "after",
  "prev",
  "hash",
] as const;

/** A different value of the same kind for `field`, so the line stays a well-formed record. */
function mutate(record: AuditRecord, field: (typeof FIELDS)[number]): AuditRecord {
  const flipHex = (h: string) => (h[0] === "0" ? "1" : "0") + h.slice(1);
  switch (field) {
    case "seq":
      return { ...record, seq: record.seq + 1 };
    case "action":
      return { ...record, action: record.action === "bind" ? "unbind" : "bind" };
    case "before":
    case "after":
      return { ...record, [field]: { was: record[field] } };
    case "prev":
    case "hash":
      return { ...record, [field]: flipHex(record[field]) };
    default:
      return { ...record, [field]: `${record[field]}x` };
  }
}

test("any sequence of appended records verifies, and the verdict's head is the last record", () => {
  fc.assert(
    fc.property(fc.array(entryArb, { maxLength: 12 }), (entries) => {
      const records = build(entries);
      const verdict = verifyLedger(text(records));
      assert.equal(verdict.ok, true);
      if (!verdict.ok) return;
      assert.deepEqual(verdict.records, records);
      const last = records.at(-1);
      assert.deepEqual(
        verdict.head,
        last === undefined ? undefined : { seq: last.seq, hash: last.hash },
      );
      if (last !== undefined) {
        assert.equal(
          verifyLedger(text(records), { head: { seq: last.seq, hash: last.hash } }).ok,
          true,
        );
      }
    }),
  );
});

test("editing any field of any record is detected at that record's line", () => {
  fc.assert(
    fc.property(
      fc.array(entryArb, { minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.constantFrom(...FIELDS),
      (entries, pick, field) => {
        const records = build(entries);
        const i = pick % records.length;
        const edited = records.map((r, j) => (j === i ? mutate(r, field) : r));
        const verdict = verifyLedger(text(edited));
        assert.equal(verdict.ok, false);
        if (verdict.ok) return;
        assert.equal(verdict.line, i + 1);
        assert.equal(verdict.problem, "edited");
      },
    ),
  );
});

test("an edit whose hash is recomputed breaks the chain at the next line, or the head if last", () => {
  fc.assert(
    fc.property(fc.array(entryArb, { minLength: 1, maxLength: 8 }), fc.nat(), (entries, pick) => {
      const records = build(entries);
      const i = pick % records.length;
      const forged = (() => {
        const { hash: _h, ...body } = mutate(records[i] as AuditRecord, "why");
        return { ...body, hash: recordHash(body) };
      })();
      const edited = records.map((r, j) => (j === i ? forged : r));
      const last = records.at(-1) as AuditRecord;
      const verdict = verifyLedger(text(edited), { head: { seq: last.seq, hash: last.hash } });
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      if (i < records.length - 1) {
        assert.equal(verdict.line, i + 2);
        assert.equal(verdict.problem, "broken-chain");
      } else {
        assert.equal(verdict.line, i + 1);
        assert.equal(verdict.problem, "head-mismatch");
      }
    }),
  );
});

test("deleting any record is detected: a middle one by the chain, the last one by the head", () => {
  fc.assert(
    fc.property(fc.array(entryArb, { minLength: 1, maxLength: 8 }), fc.nat(), (entries, pick) => {
      const records = build(entries);
      const i = pick % records.length;
      const kept = records.filter((_, j) => j !== i);
      const last = records.at(-1) as AuditRecord;
      const head = { seq: last.seq, hash: last.hash };
      const verdict = verifyLedger(text(kept), { head });
      assert.equal(verdict.ok, false);
      if (verdict.ok) return;
      assert.equal(verdict.line, i + 1);
      assert.equal(verdict.problem, i === records.length - 1 ? "head-mismatch" : "out-of-sequence");
      // Without the head, only a deleted tail goes unseen: the rest still chains.
      assert.equal(verifyLedger(text(kept)).ok, i === records.length - 1);
    }),
  );
});

test("swapping any two records is detected at the first of them", () => {
  fc.assert(
    fc.property(
      fc.array(entryArb, { minLength: 2, maxLength: 8 }),
      fc.nat(),
      fc.nat(),
      (entries, a, b) => {
        const records = build(entries);
        const i = a % records.length;
        let j = b % records.length;
        if (j === i) j = (i + 1) % records.length;
        const swapped = [...records];
        [swapped[i], swapped[j]] = [records[j] as AuditRecord, records[i] as AuditRecord];
        const verdict = verifyLedger(text(swapped));
        assert.equal(verdict.ok, false);
        if (verdict.ok) return;
        assert.equal(verdict.line, Math.min(i, j) + 1);
        assert.equal(verdict.problem, "out-of-sequence");
      },
    ),
  );
});

test("a cut-off last line, a non-JSON line and a foreign object are named", () => {
  const records = build([
    { action: "bind", route: "r1", why: "a", before: null, after: { to: "x" } },
    { action: "swap", route: "r1", why: "b", before: { to: "x" }, after: { to: "y" } },
    { action: "unbind", route: "r1", why: "c", before: { to: "y" }, after: null },
  ]);
  const full = text(records);
  const cut = verifyLedger(full.slice(0, -10));
  assert.deepEqual([cut.ok, !cut.ok && cut.line, !cut.ok && cut.problem], [false, 3, "truncated"]);
  const lines = full.split("\n");
  lines[1] = `${lines[1]?.slice(0, 20)}`;
  const broken = verifyLedger(lines.join("\n"));
  assert.deepEqual([!broken.ok && broken.line, !broken.ok && broken.problem], [2, "not-json"]);
  const foreign = verifyLedger(`${recordLine(records[0] as AuditRecord)}{"hello":1}\n`);
  assert.deepEqual([!foreign.ok && foreign.line, !foreign.ok && foreign.problem], [2, "malformed"]);
  assert.deepEqual(verifyLedger(""), { ok: true, records: [], head: undefined });
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

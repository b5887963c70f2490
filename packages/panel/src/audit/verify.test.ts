import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonValue } from "@rtt/core";
import fc from "fast-check";
import {
  AUDIT_ACTIONS,
  type AuditEntry,
  type AuditRecord,
  GENESIS_HASH,
  recordHash,
  recordLine,
} from "./record.ts";
import { verifyLedger } from "./verify.ts";

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

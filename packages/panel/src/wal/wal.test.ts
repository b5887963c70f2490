import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { JsonValue } from "@rtt/core";
import fc from "fast-check";
import { decodeRecord, encodeRecord, type ResourceIntent, type WalRecord } from "./record.ts";
import { replayRecords } from "./replay.ts";
import { salvageWal } from "./salvage.ts";
import { readWal, segmentName } from "./segments.ts";
import { Wal } from "./wal.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rtt-wal-"));
}

const lease = { pid: 1, startTime: "1" };
const res = (name: string): ResourceIntent => ({ kind: "segment", name, owner: "route:r", lease });

describe("record framing", () => {
  it("round-trips every record type, and any cut of it is short", () => {
    const records: WalRecord[] = [
      { type: "begin", seq: 1, txid: "a", pre: { links: [] } },
      { type: "op", seq: 2, txid: "a", action: { type: "resource", resource: res("s1") } },
      { type: "op", seq: 3, txid: "a", action: { type: "edit", edit: ["+", "r1"] } },
      { type: "commit", seq: 4, txid: "a", post: { links: ["r1"] } },
      { type: "abort", seq: 5, txid: "b" },
      { type: "resource-released", seq: 6, kind: "socket", name: "/tmp/x.sock" },
    ];
    for (const r of records) {
      const buf = encodeRecord(r);
      const d = decodeRecord(buf, 0);
      assert.ok(d.ok);
      assert.deepEqual(d.record, r);
      assert.equal(d.size, buf.length);
      for (let cut = 0; cut < buf.length; cut++) {
        const t = decodeRecord(buf.subarray(0, cut), 0);
        assert.equal(t.ok, false);
      }
    }
  });

  it("any JSON graph, non-ASCII text included, round-trips through a commit record", () => {
    // The payload is encoded straight into the record's buffer: its length must be the UTF-8
    // byte count, not the string's, or the CRC and the length cover the wrong bytes.
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "grapheme" }), (post, txid) => {
        const record: WalRecord = { type: "commit", seq: 7, txid, post: post as JsonValue };
        const buf = encodeRecord(record);
        const d = decodeRecord(buf, 0);
        assert.ok(d.ok);
        assert.deepEqual(d.record, JSON.parse(JSON.stringify(record)));
        assert.equal(d.size, buf.length);
        // With the post given as text: the same bytes, an anchor or none.
        assert.deepEqual(encodeRecord(record, JSON.stringify(post)), buf);
        const anchored: WalRecord = { ...record, audit: { seq: 3, hash: "a".repeat(64) } };
        assert.deepEqual(encodeRecord(anchored, JSON.stringify(post)), encodeRecord(anchored));
      }),
    );
  });

  it("never throws and never accepts a record with a flipped byte", () => {
    const buf = encodeRecord({ type: "commit", seq: 9, txid: "t", post: { a: [1, 2, "x"] } });
    fc.assert(
      fc.property(fc.nat({ max: buf.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const copy = Buffer.from(buf);
        copy[at] = (copy[at] ?? 0) ^ x;
        assert.equal(decodeRecord(copy, 0).ok, false);
      }),
    );
  });
});

describe("Wal", () => {
  it("round trip: what is committed is what reopening replays", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir });
      const t1 = wal.begin({ n: 0 });
      wal.recordResource(t1, res("seg-1"));
      const c1 = wal.commit(t1, { n: 1 });
      const t2 = wal.begin({ n: 1 });
      wal.recordResource(t2, res("seg-2"));
      wal.abort(t2);
      wal.released("segment", "seg-2");
      const t3 = wal.begin({ n: 1 }, "custom");
      assert.equal(t3, "custom");
      wal.recordResource(t3, res("seg-3"));
      wal.close();

      const again = Wal.open({ dir });
      const r = again.report;
      assert.equal(r.truncatedBytes, 0);
      assert.deepEqual(r.replay.committed, { seq: c1, txid: t1, post: { n: 1 } });
      assert.deepEqual(
        r.replay.partial.map((p) => p.txid),
        ["custom"],
      );
      assert.deepEqual(r.discarded, ["custom"]);
      assert.deepEqual(
        r.replay.ledger.map((e) => [e.name, e.status]),
        [
          ["seg-1", "committed"],
          ["seg-3", "partial"],
        ],
      );
      assert.deepEqual(
        r.replay.toReap.map((e) => e.name),
        ["seg-3"],
      );
      assert.deepEqual(again.rollbackTarget(c1).post, { n: 1 });
      assert.throws(() => again.rollbackTarget(2), { code: "RTT_ERR_WAL_STATE" });
      again.close();
      // The partial transaction was closed with an abort: it is not partial any more.
      const third = Wal.open({ dir });
      assert.deepEqual(third.report.replay.partial, []);
      assert.deepEqual(
        third.report.replay.toReap.map((e) => [e.name, e.status]),
        [["seg-3", "aborted"]],
      );
      third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects calls that do not fit: unknown tx, reused tx id, closed log", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir });
      assert.throws(() => wal.commit("nope", null), { code: "RTT_ERR_WAL_STATE" });
      wal.begin(null, "x");
      assert.throws(() => wal.begin(null, "x"), { code: "RTT_ERR_WAL_STATE" });
      wal.abort("x");
      wal.close();
      assert.throws(() => wal.released("pid", "1"), { code: "RTT_ERR_WAL_STATE" });
      assert.throws(() => wal.compact(), { code: "RTT_ERR_WAL_STATE" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rotates segments at the size limit and replays across them; rollback to any commit", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir, segmentBytes: 256 });
      const seqs: number[] = [];
      for (let n = 1; n <= 40; n++) {
        const t = wal.begin({ n: n - 1 });
        wal.op(t, { type: "edit", edit: n });
        seqs.push(wal.commit(t, { n }));
      }
      wal.close();
      const segs = readdirSync(dir).filter((f) => f.endsWith(".log"));
      assert.ok(segs.length > 5, `expected rotation, got ${segs.length} segment(s)`);
      assert.ok(segs.includes(segmentName(1)));
      const again = Wal.open({ dir, segmentBytes: 256 });
      assert.deepEqual(again.committed?.post, { n: 40 });
      seqs.forEach((s, i) => {
        assert.deepEqual(again.rollbackTarget(s).post, { n: i + 1 });
      });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("property: replay = post-graph of the last commit, open transactions partial", () => {
    type Tx = { ops: number; end: "commit" | "abort" | "none"; post: JsonValue };
    const txArb = fc.record({
      ops: fc.nat({ max: 3 }),
      end: fc.constantFrom("commit" as const, "abort" as const, "none" as const),
      // As JSON can hold it: -0 is stored as 0, so a graph can never keep it.
      post: fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as JsonValue),
    });
    fc.assert(
      fc.property(fc.array(txArb, { maxLength: 12 }), fc.boolean(), (txs: Tx[], interleave) => {
        const dir = tempDir();
        try {
          const wal = Wal.open({ dir, segmentBytes: 512 });
          let expected: JsonValue | undefined;
          const partial: string[] = [];
          const pending: (() => void)[] = [];
          for (const [i, tx] of txs.entries()) {
            const id = wal.begin({ before: i });
            for (let k = 0; k < tx.ops; k++) wal.recordResource(id, res(`s-${i}-${k}`));
            const end = () => {
              if (tx.end === "commit") {
                wal.commit(id, tx.post);
                expected = tx.post;
              } else if (tx.end === "abort") wal.abort(id);
              else partial.push(id);
            };
            // Interleaved: transactions overlap, each ends after the next one began.
            if (interleave) {
              pending.shift()?.();
              pending.push(end);
            } else end();
          }
          for (const end of pending) end();
          wal.close();
          const read = readWal(dir);
          const state = replayRecords(read.records);
          assert.equal(read.tail, undefined);
          // JSON round trip: -0 becomes 0, as it would in any JSON store.
          assert.deepEqual(
            state.committed?.post,
            expected === undefined ? undefined : JSON.parse(JSON.stringify(expected)),
          );
          assert.deepEqual(state.partial.map((p) => p.txid).sort(), [...partial].sort());
          const reopened = Wal.open({ dir });
          assert.deepEqual(reopened.report.discarded.slice().sort(), [...partial].sort());
          reopened.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });

  it("crash simulation: a cut at every byte of the last record, or flipped tail bytes, replays the previous commit", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir });
      const t1 = wal.begin({ g: 0 });
      wal.recordResource(t1, res("a"));
      wal.commit(t1, { g: 1 });
      const t2 = wal.begin({ g: 1 });
      wal.recordResource(t2, res("b"));
      const before = statSync(join(dir, segmentName(1))).size;
      wal.commit(t2, { g: 2 });
      wal.close();
      const path = join(dir, segmentName(1));
      const full = readFileSync(path);
      const last = full.length - before;
      assert.ok(last > 9);
      const check = (bytes: Buffer, cutAt: number | undefined) => {
        const d = tempDir();
        try {
          writeFileSync(join(d, segmentName(1)), bytes);
          const w = Wal.open({ dir: d });
          const r = w.report;
          assert.deepEqual(r.replay.committed?.post, { g: 1 });
          assert.deepEqual(
            r.replay.partial.map((p) => p.txid),
            [t2],
          );
          assert.deepEqual(
            r.replay.toReap.map((e) => e.name),
            ["b"],
          );
          if (cutAt !== undefined) assert.equal(r.truncatedBytes, cutAt - before);
          w.close();
          // Truncated away on open: the file now ends at the previous record (+ the discard abort).
          const after = readWal(d);
          assert.equal(after.tail, undefined);
          assert.ok(after.records.every((x) => x.seq <= r.replay.lastSeq + 1));
        } finally {
          rmSync(d, { recursive: true, force: true });
        }
      };
      for (let cut = before; cut < full.length; cut++) check(full.subarray(0, cut), cut);
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.nat({ max: last - 1 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 255 }),
          (ats, x) => {
            const copy = Buffer.from(full);
            for (const at of ats) copy[before + at] = (copy[before + at] ?? 0) ^ x;
            check(copy, undefined);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("damage in the middle is RTT_ERR_WAL_CORRUPT (records after it are not trusted), salvage keeps the prefix", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir });
      const marks: number[] = [];
      for (let n = 1; n <= 4; n++) {
        const t = wal.begin(null);
        wal.commit(t, { n });
        marks.push(statSync(join(dir, segmentName(1))).size);
      }
      wal.close();
      const path = join(dir, segmentName(1));
      const buf = readFileSync(path);
      const at = (marks[0] ?? 0) + 12; // inside the second transaction's begin record
      buf[at] = (buf[at] ?? 0) ^ 0xff;
      writeFileSync(path, buf);
      assert.throws(() => Wal.open({ dir }), {
        code: "RTT_ERR_WAL_CORRUPT",
        message: /not trusted/,
      });
      // The refused open left the log and the lock as they were.
      assert.equal(readFileSync(path).length, buf.length);
      const result = salvageWal(dir, new Date(Date.UTC(2026, 11, 6, 20, 30)));
      assert.equal(result.aside, join(`${dir}.damaged-2026-12-06T20-30-00-000Z`));
      assert.deepEqual(result.kept, { records: 2, lastSeq: 2, bytes: marks[0] });
      assert.equal(result.dropped.bytes, buf.length - (marks[0] ?? 0));
      assert.deepEqual(result.dropped.seqs, [4, 5, 6, 7, 8], "intact records after the damage");
      // The damaged original is kept whole beside the WAL.
      assert.deepEqual(readFileSync(join(result.aside ?? "", segmentName(1))), buf);
      const salvaged = Wal.open({ dir });
      assert.deepEqual(salvaged.committed?.post, { n: 1 });
      assert.equal(salvaged.report.truncatedBytes, 0);
      salvaged.commit(salvaged.begin(null), { n: 5 });
      salvaged.close();
      assert.equal(salvageWal(dir).damaged, false, "nothing left to salvage");
      rmSync(result.aside ?? "", { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("damage in a segment that is not the last is RTT_ERR_WAL_CORRUPT", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir, segmentBytes: 100 });
      for (let n = 1; n <= 10; n++) wal.commit(wal.begin(null), { n });
      wal.close();
      const first = join(dir, segmentName(1));
      const buf = readFileSync(first);
      writeFileSync(first, buf.subarray(0, buf.length - 3));
      assert.throws(() => Wal.open({ dir }), { code: "RTT_ERR_WAL_CORRUPT" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("compaction", () => {
  /** Replay's view that compaction must keep (commits beyond `keep` aside). */
  const view = (wal: Wal, keep: number) => ({
    committed: wal.report.replay.committed,
    commits: wal.report.replay.commits.slice(-keep),
    ledger: wal.report.replay.ledger,
    lastSeq: wal.report.replay.lastSeq,
  });

  it("property: replay after compaction equals replay before it, also when a crash kept old segments", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant("commit" as const),
            fc.constant("abort" as const),
            fc.constant("release" as const),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("clean", "old-segments-left", "oldest-segment-left"),
        (script, keep, crash) => {
          const dir = tempDir();
          try {
            const wal = Wal.open({ dir, segmentBytes: 256 });
            let n = 0;
            for (const step of script) {
              const tx = wal.begin({ n });
              wal.recordResource(tx, res(`seg-${++n}`));
              if (step === "abort") wal.abort(tx);
              else wal.commit(tx, { n });
              if (step === "release") wal.released("segment", `seg-${n}`);
            }
            wal.close();
            const before = Wal.open({ dir, segmentBytes: 256 });
            const expected = view(before, keep);
            const segments = readdirSync(dir)
              .filter((f) => f.startsWith("wal-"))
              .sort();
            const saved = new Map(segments.map((f) => [f, readFileSync(join(dir, f))]));
            const { removedSegments } = before.compact(keep);
            assert.equal(removedSegments, segments.length);
            before.close();
            // A crash after the checkpoint but before (all) the deletes: put old segments back
            // (all of them, or only the oldest, leaving a gap in the sequence).
            const restore = crash === "old-segments-left" ? segments : segments.slice(0, 1);
            if (crash !== "clean")
              for (const f of restore) writeFileSync(join(dir, f), saved.get(f) ?? "");
            const after = Wal.open({ dir, segmentBytes: 256 });
            const got = view(after, keep);
            assert.deepEqual(got.committed, expected.committed);
            assert.deepEqual(got.commits, expected.commits);
            assert.deepEqual(got.ledger, expected.ledger);
            assert.equal(got.lastSeq, expected.lastSeq + 1, "the checkpoint is one more record");
            after.close();
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("compaction keeps the newest commits that changed the state, and the newest commit (property)", () => {
    fc.assert(
      fc.property(
        // Each commit's post: a topology (a letter) and something journaled beside it.
        fc.array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (topologies, keep) => {
          const dir = tempDir();
          try {
            const wal = Wal.open({ dir });
            topologies.forEach((t, i) => {
              wal.commit(wal.begin({ t, i }), { t, i });
            });
            const key = (post: JsonValue) => (post as { t: string }).t;
            const all = wal.commits;
            const targets = all.filter(
              (c, i) => i === 0 || key(c.post) !== key(all[i - 1]?.post ?? null),
            );
            const expected = [...targets.slice(-keep)];
            if (expected.at(-1) !== all.at(-1)) expected.push(all.at(-1) as (typeof all)[number]);
            wal.compact(keep, key);
            assert.deepEqual(wal.commits, expected);
            wal.close();
            const after = Wal.open({ dir });
            assert.deepEqual(after.commits, expected);
            assert.deepEqual(after.committed, all.at(-1));
            after.close();
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a breaker flapping between applies does not push the apply's commit out", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir });
      const key = (post: JsonValue) => (post as { t: string }).t;
      wal.commit(wal.begin({}), { t: "first apply" });
      wal.commit(wal.begin({}), { t: "second apply" });
      for (let i = 0; i < 100; i++) wal.commit(wal.begin({}), { t: "second apply", breaker: i });
      wal.compact(2, key);
      assert.deepEqual(
        wal.commits.map((c) => c.post),
        [{ t: "first apply" }, { t: "second apply" }, { t: "second apply", breaker: 99 }],
      );
      wal.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the log small: compacting after many applies leaves one segment", () => {
    const dir = tempDir();
    try {
      const wal = Wal.open({ dir, segmentBytes: 1024 });
      for (let i = 0; i < 200; i++) wal.commit(wal.begin({ i }), { i: i + 1 });
      const big = wal.totalBytes;
      wal.compact(3);
      assert.ok(wal.totalBytes < big / 10, `${wal.totalBytes} < ${big} / 10`);
      assert.deepEqual(
        wal.commits.map((c) => (c.post as { i: number }).i),
        [198, 199, 200],
      );
      const tx = wal.begin({ i: 200 });
      assert.throws(() => wal.compact(), { code: "RTT_ERR_WAL_STATE" });
      wal.commit(tx, { i: 201 });
      wal.close();
      const again = Wal.open({ dir });
      assert.deepEqual(again.committed?.post, { i: 201 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `salvageWal` (rtt panel start --salvage): whatever the damage, the salvaged WAL opens, keeps
 * a prefix of the commits, and the damaged originals are kept beside it byte for byte.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { salvageWal } from "./salvage.ts";
import { SEGMENT_RE, segmentName } from "./segments.ts";
import { Wal } from "./wal.ts";

function walWithCommits(n: number, segmentBytes = 8 * 1024 * 1024): string {
  const root = mkdtempSync(join(tmpdir(), "rtt-salvage-"));
  const dir = join(root, "wal");
  const wal = Wal.open({ dir, segmentBytes });
  for (let i = 1; i <= n; i++) wal.commit(wal.begin(null), { n: i });
  wal.close();
  return dir;
}

const segments = (dir: string) =>
  readdirSync(dir)
    .filter((n) => SEGMENT_RE.test(n))
    .sort();

const commitsOf = (dir: string): number[] => {
  const wal = Wal.open({ dir });
  try {
    return wal.commits.map((c) => (c.post as { n: number }).n);
  } finally {
    wal.close();
  }
};

/** `buf` with a byte flipped (by `x`), cut at `at`, or `x` bytes of garbage inserted there. */
function damaged(buf: Buffer, kind: "flip" | "cut" | "garbage", at: number, x: number): Buffer {
  if (kind === "cut") return buf.subarray(0, at);
  if (kind === "garbage")
    return Buffer.concat([buf.subarray(0, at), Buffer.alloc(x, 0xab), buf.subarray(at)]);
  const copy = Buffer.from(buf);
  copy[at] = (buf[at] ?? 0) ^ x;
  return copy;
}

describe("salvageWal", () => {
  it("damage in a segment before the last: that segment's prefix stays, later segments are moved aside", () => {
    const dir = walWithCommits(12, 200);
    const root = join(dir, "..");
    try {
      const names = segments(dir);
      assert.ok(names.length >= 3, "several segments");
      const first = join(dir, names[0] ?? "");
      const buf = readFileSync(first);
      const damaged = Buffer.from(buf);
      damaged[buf.length - 5] = (damaged[buf.length - 5] ?? 0) ^ 0xff;
      writeFileSync(first, damaged);
      assert.throws(() => Wal.open({ dir }), { code: "RTT_ERR_WAL_CORRUPT" });
      const s = salvageWal(dir, new Date(0));
      assert.equal(s.damaged, true);
      assert.deepEqual(
        s.dropped.parts.map((p) => p.segment),
        names,
        "the damaged segment, then every later one",
      );
      assert.deepEqual(segments(dir), [names[0]]);
      for (const name of names.slice(1)) assert.ok(existsSync(join(s.aside ?? "", name)));
      assert.deepEqual(readFileSync(join(s.aside ?? "", names[0] ?? "")), damaged);
      const kept = commitsOf(dir);
      assert.deepEqual(
        kept,
        Array.from({ length: kept.length }, (_, i) => i + 1),
      );
      assert.ok(s.dropped.seqs.length > 0, "the later segments' records are listed as dropped");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("property: after any cut, flipped byte or appended garbage, the salvaged WAL opens with a prefix of the commits, originals kept", () => {
    const damage = fc.oneof(
      fc.record({
        kind: fc.constant("flip" as const),
        at: fc.nat(),
        x: fc.integer({ min: 1, max: 255 }),
      }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), x: fc.constant(0) }),
      fc.record({
        kind: fc.constant("garbage" as const),
        at: fc.nat(),
        x: fc.integer({ min: 1, max: 64 }),
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), damage, (n, d) => {
        const dir = walWithCommits(n);
        const root = join(dir, "..");
        try {
          const path = join(dir, segmentName(1));
          const buf = readFileSync(path);
          const bad = damaged(buf, d.kind, d.at % buf.length, d.x);
          writeFileSync(path, bad);
          const s = salvageWal(dir, new Date(0));
          if (s.damaged) assert.deepEqual(readFileSync(join(s.aside ?? "", segmentName(1))), bad);
          else assert.deepEqual(readFileSync(path), bad, "nothing to drop: nothing touched");
          assert.equal(salvageWal(dir).damaged, false, "a second salvage finds nothing");
          // (Opening may append aborts for partial transactions: checked after the above.)
          const kept = commitsOf(dir);
          assert.deepEqual(
            kept,
            Array.from({ length: kept.length }, (_, i) => i + 1),
          );
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      // A cut at a record boundary leaves a partial transaction: nothing to drop.
      { numRuns: 60, examples: [[6, { kind: "cut", at: 1817095988, x: 0 }]] },
    );
  });
});

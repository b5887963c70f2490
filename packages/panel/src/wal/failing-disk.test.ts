/**
 * The WAL on a disk that fails (issue 15, finding 6): a failed write or fsync is cut back to the
 * last good record, a failed cut stops the writer, and the log always reopens without damage.
 * Failures are injected through `WalOptions.io`; `enospc.test.ts` fills a real tmpfs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { toServiceError } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { FlakyDisk } from "./flaky-disk-fixture.ts";
import { readWal, segmentName } from "./segments.ts";
import { Wal } from "./wal.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rtt-wal-disk-"));
}

const unwritable = (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_WAL_UNWRITABLE";

function commitOne(wal: Wal, n: number): number {
  const tx = wal.begin({ n });
  wal.op(tx, { type: "edit", edit: { n } });
  return wal.commit(tx, { n });
}

/** Reopens `dir` and checks nothing was cut: the log is whole. */
function reopenWhole(dir: string): Wal {
  const wal = Wal.open({ dir });
  assert.equal(wal.report.truncatedBytes, 0, "reopening found no torn record");
  assert.equal(wal.report.tail, undefined);
  return wal;
}

describe("WAL on a failing disk", () => {
  it("a torn write of a commit is cut back, the transaction can abort, the next commit works", () => {
    const dir = tempDir();
    const disk = new FlakyDisk();
    try {
      const wal = Wal.open({ dir, io: disk });
      commitOne(wal, 1);
      const size = statSync(join(dir, segmentName(1))).size;
      const tx = wal.begin({ n: 2 });
      disk.failWrites = 1;
      assert.throws(() => wal.commit(tx, { n: 2 }), unwritable);
      assert.equal(statSync(join(dir, segmentName(1))).size > size, true, "the begin stays");
      assert.equal(wal.committed?.post && (wal.committed.post as { n: number }).n, 1);
      wal.abort(tx);
      const seq = commitOne(wal, 3);
      wal.close();
      const again = reopenWhole(dir);
      assert.deepEqual(
        again.commits.map((c) => c.post),
        [{ n: 1 }, { n: 3 }],
      );
      assert.equal(again.committed?.seq, seq);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a failed fsync cuts back to the last good fsync and cancels the open transaction", () => {
    const dir = tempDir();
    const disk = new FlakyDisk();
    try {
      const wal = Wal.open({ dir, io: disk });
      const first = commitOne(wal, 1);
      const tx = wal.begin({ n: 2 });
      wal.op(tx, { type: "edit", edit: "x" });
      disk.failSyncs = 1;
      assert.throws(() => wal.commit(tx, { n: 2 }), unwritable);
      assert.equal(wal.nextSeq, first + 1, "the lost records' seqs are given again");
      assert.throws(() => wal.op(tx, { type: "edit", edit: "y" }), unwritable);
      assert.equal(wal.abort(tx), undefined, "a cancelled transaction's abort writes nothing");
      commitOne(wal, 3);
      wal.close();
      const again = reopenWhole(dir);
      assert.deepEqual(
        again.commits.map((c) => c.post),
        [{ n: 1 }, { n: 3 }],
      );
      assert.deepEqual(again.report.replay.partial, []);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when the cut back fails too, the WAL is stopped: every later call says why", () => {
    const dir = tempDir();
    const disk = new FlakyDisk();
    try {
      const wal = Wal.open({ dir, io: disk });
      commitOne(wal, 1);
      const tx = wal.begin({ n: 2 });
      disk.failWrites = 1;
      disk.failTruncates = 1;
      assert.throws(() => wal.commit(tx, { n: 2 }), unwritable);
      assert.ok(wal.stopped);
      assert.match(wal.stopped.message, /ENOSPC.*ftruncate.*until it restarts/);
      // What a gRPC caller of a commit gets for it (the daemon's handlers send toServiceError).
      assert.equal(toServiceError(wal.stopped).code, grpc.status.UNAVAILABLE);
      // The disk works again, but nothing is appended after the torn record.
      const size = statSync(join(dir, segmentName(1))).size;
      for (const call of [() => wal.begin({ n: 3 }), () => wal.flush()])
        assert.throws(call, (e) => e === wal.stopped);
      // A release is best effort (a lost one only makes a restart reap what is gone): the
      // panel can still stop.
      assert.equal(wal.released("socket", "/x"), undefined);
      assert.equal(statSync(join(dir, segmentName(1))).size, size);
      wal.close();
      // A restart cuts the torn tail (it is the last thing in the log) and works.
      const again = Wal.open({ dir });
      assert.ok(again.report.truncatedBytes > 0);
      assert.deepEqual(
        again.commits.map((c) => c.post),
        [{ n: 1 }],
      );
      commitOne(again, 4);
      again.close();
      reopenWhole(dir).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("property: any pattern of failed writes and fsyncs leaves a log that reopens whole with exactly the commits that returned", () => {
    const step = fc.record({
      fail: fc.constantFrom("none", "none", "write", "sync"),
      tear: fc.nat({ max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const dir = tempDir();
        const disk = new FlakyDisk();
        try {
          const wal = Wal.open({ dir, io: disk, segmentBytes: 300 });
          const committed: number[] = [];
          steps.forEach(({ fail, tear }, n) => {
            disk.tearAfter = tear;
            let tx: string | undefined;
            try {
              tx = wal.begin({ n });
              if (fail === "write") disk.failWrites = 1;
              if (fail === "sync") disk.failSyncs = 1;
              wal.commit(tx, { n });
              committed.push(n);
            } catch (error) {
              assert.ok(unwritable(error), String(error));
              if (tx !== undefined) wal.abort(tx);
            } finally {
              disk.failWrites = 0;
              disk.failSyncs = 0;
            }
          });
          wal.close();
          readWal(dir); // throws RTT_ERR_WAL_CORRUPT on damage
          const again = reopenWhole(dir);
          assert.deepEqual(
            again.commits.map((c) => (c.post as { n: number }).n),
            committed,
          );
          again.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});

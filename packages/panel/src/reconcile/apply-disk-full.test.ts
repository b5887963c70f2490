// A commit the WAL cannot write (issue 15, finding 6) changes nothing: the batch rolls back to
// exactly the old graph and links, a QuickConnect switches the source back to its old target;
// once the WAL is stopped (its cut back failed too), every later apply is refused with
// RTT_ERR_WAL_UNWRITABLE before any driver is asked for anything.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type RouteSpec, RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { readRecordsFrom } from "../audit/ledger-file.ts";
import { FlakyDisk } from "../wal/flaky-disk-fixture.ts";
import { Wal } from "../wal/wal.ts";
import { clearReceived, received } from "./memory-drivers.ts";
import { catalog, d1, d2, meta, N, ROUTES, setUp, wireFast } from "./reconciler-fixtures.ts";

const R1_ELSEWHERE: RouteSpec[] = [
  { id: "r1", from: "rtt://t/bus/s1", to: "rtt://t/extension/d2", params: { tag: "x" } },
  ROUTES[1] as RouteSpec,
];

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The ledger's records as `action route`, oldest first. */
const ledger = (dir: string) =>
  readRecordsFrom(join(dir, "audit", "ledger.ndjson"), 0).records.map(
    (r) => `${r.action} ${r.route}`,
  );

describe("a commit the WAL cannot write", () => {
  after(() => clearReceived());
  for (const fail of ["write", "fsync"] as const) {
    for (const scenario of ["create", "replace"] as const) {
      test(`${scenario}: a failed ${fail} of the commit rolls back to the old graph; the next apply commits`, async () => {
        const disk = new FlakyDisk();
        let armed = false;
        const t = setUp({
          io: disk,
          onStep: (step) => {
            if (step !== "commit" || !armed) return;
            armed = false;
            if (fail === "write") disk.failWrites = 1;
            else disk.failSyncs = 1;
          },
        });
        const { reconciler, wal, pool } = t;
        try {
          if (scenario === "replace") await t.wire(ROUTES);
          armed = true;
          const before = reconciler.graph;
          const committed = wal.committed;
          const counts = pool.linkCounts();
          const target = scenario === "create" ? ROUTES : R1_ELSEWHERE;
          const result = await reconciler.apply(t.planFor(target), catalog, meta);
          await reconciler.retired();
          const failed = result.batches.find((b) => b.outcome === "rolled-back");
          assert.equal(failed?.error?.code, "RTT_ERR_WAL_UNWRITABLE");
          assert.deepEqual(reconciler.graph, before);
          assert.equal(wal.committed, committed);
          assert.equal(
            total(pool.linkCounts()),
            total(counts),
            "no link beyond the committed routes'",
          );
          assert.equal(wal.stopped, undefined);
          // Audited before the commit, so the ledger says the change did not happen.
          const tail = ledger(t.dir).slice(-(failed?.routes.length ?? 0) * 2);
          assert.deepEqual(tail, [
            ...(failed?.routes ?? []).map((r) => `${scenario === "create" ? "bind" : "swap"} ${r}`),
            ...(failed?.routes ?? []).map((r) => `aborted ${r}`),
          ]);
          // The disk works again: the same apply commits.
          const again = await reconciler.apply(t.planFor(target), catalog, meta);
          assert.ok(
            again.batches.every((b) => b.outcome === "committed"),
            JSON.stringify(again.batches),
          );
          wal.close();
          const reopened = Wal.open({ dir: join(t.dir, "wal") });
          assert.equal(reopened.report.truncatedBytes, 0);
          assert.deepEqual(reopened.committed?.post, reconciler.graph);
          reopened.close();
        } finally {
          await t.tearDown();
        }
      });
    }
  }

  test("once the cut back failed too, every later apply is refused before any driver is asked", async () => {
    const disk = new FlakyDisk();
    const t = setUp({
      io: disk,
      onStep: (step) => {
        if (step !== "commit") return;
        disk.failWrites = 1;
        disk.failTruncates = 1;
      },
    });
    const { reconciler, wal, pool } = t;
    try {
      const first = await reconciler.apply(t.planFor(ROUTES), catalog, meta);
      assert.equal(first.batches[0]?.error?.code, "RTT_ERR_WAL_UNWRITABLE");
      assert.ok(wal.stopped);
      const counts = pool.linkCounts();
      await assert.rejects(
        reconciler.apply(t.planFor(ROUTES), catalog, meta),
        (e) => e instanceof RttError && e.code === "RTT_ERR_WAL_UNWRITABLE" && e === wal.stopped,
      );
      assert.equal(total(pool.linkCounts()), total(counts), "no driver opened anything");
    } finally {
      await t.tearDown();
    }
  });
});

/** Every message of the stream arrived exactly once, in order at each target. */
async function everyMessageOnce(): Promise<void> {
  const seqs = (saddr: string) => received(saddr).map((m) => Number(m.split(" ")[1]));
  await eventually(() => seqs(d1.saddr).length + seqs(d2.saddr).length >= N, {
    what: `${N} messages in all`,
  });
  await new Promise((r) => setTimeout(r, 100)); // no duplicates arrive late
  for (const saddr of [d1.saddr, d2.saddr]) {
    const got = seqs(saddr);
    assert.deepEqual(
      got,
      [...got].sort((a, b) => a - b),
      `in order at ${saddr}`,
    );
  }
  assert.deepEqual(
    [...seqs(d1.saddr), ...seqs(d2.saddr)].sort((a, b) => a - b),
    Array.from({ length: N }, (_, i) => i + 1),
  );
}

describe("a QuickConnect whose commit the WAL cannot write", () => {
  after(() => clearReceived());
  test("switches the source back to its old target: the route stays on d1, every message once", async () => {
    const disk = new FlakyDisk();
    let armed = true;
    const t = setUp({
      io: disk,
      onStep: (step) => {
        if (step !== "flip" || !armed) return;
        armed = false;
        disk.failWrites = 1;
      },
    });
    const { reconciler, wal, pool } = t;
    try {
      armed = false;
      await wireFast(t);
      armed = true;
      const committed = wal.committed;
      await assert.rejects(
        reconciler.quickConnect("f", d2, "mb", meta),
        (e) => e instanceof RttError && e.code === "RTT_ERR_WAL_UNWRITABLE",
      );
      assert.equal(reconciler.graph.edges.f?.to.saddr, d1.saddr);
      assert.equal(wal.committed, committed);
      assert.deepEqual(ledger(t.dir).slice(-2), ["swap f", "aborted f"]);
      await reconciler.retired();
      assert.equal(total(pool.linkCounts()), 2, "the new target's link is closed");
      await everyMessageOnce();
      const receivedAtD1 = received(d1.saddr).length;
      assert.ok(receivedAtD1 > 0);
      // The disk works again: the same move commits.
      const moved = await reconciler.quickConnect("f", d2, "mb", meta);
      assert.equal(moved.changed, true);
      assert.deepEqual(wal.committed?.post, reconciler.graph);
    } finally {
      await t.tearDown();
    }
  });
});

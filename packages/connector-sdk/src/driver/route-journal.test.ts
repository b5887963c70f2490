import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { readProcStat } from "../process-identity.ts";
import { DeliveredMark, RouteJournal, readDeliveredMark } from "./route-journal.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-journal-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `route-${++n}`);

const SOURCE = "rtt://t/bus/a@1.0.0";

function open(dir: string, bound = 4, source = SOURCE): RouteJournal {
  const j = RouteJournal.open(dir, bound, source);
  assert.ok(j instanceof RouteJournal, JSON.stringify(j));
  return j;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("route journal", () => {
  test("a successor replays exactly what the target has not marked", () => {
    const dir = freshDir();
    const journal = open(dir);
    assert.equal(journal.append(bytes("a\nbb\n"), 5), 5);
    assert.equal(journal.append(bytes("ccc\nd"), 9), 10);
    const mark = new DeliveredMark(dir);
    mark.record(2); // "a\n" reached the target's program
    // The driver dies here: no close, the files are all there is.
    const successor = RouteJournal.open(dir, 4, SOURCE);
    assert.deepEqual(successor, { busy: `another link of this driver (pid ${process.pid})` });
    journal.close();
    const next = open(dir);
    assert.equal(next.end, 10);
    assert.equal(next.delivered, 2);
    const { from, bytes: rest } = next.undelivered();
    assert.equal(from, 2);
    assert.equal(text(rest), "bb\nccc\nd");
    // New bytes continue the stream where the journal ended.
    assert.equal(next.append(bytes("\n"), 11), 11);
    next.close();
    mark.close();
  });

  test("the bound counts noted messages until the mark passes them", () => {
    const dir = freshDir();
    const journal = open(dir, 2);
    const mark = new DeliveredMark(dir);
    journal.append(bytes("x\ny\nz\n"), 6);
    journal.note(2);
    assert.equal(journal.full, false);
    journal.note(4);
    assert.equal(journal.full, true);
    journal.refresh();
    assert.equal(journal.unacked, 2, "nothing marked yet");
    mark.record(2);
    journal.refresh();
    assert.equal(journal.unacked, 1);
    assert.equal(journal.full, false);
    journal.note(6);
    mark.record(6);
    journal.refresh();
    assert.equal(journal.unacked, 0);
    journal.close();
    mark.close();
  });

  test("segments wholly before the mark are deleted; a mark that goes back replays from the oldest kept", () => {
    const dir = freshDir();
    const journal = open(dir);
    const mark = new DeliveredMark(dir);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    // 9 MiB of 1 MiB messages: segments at 0, 4 MiB, 8 MiB (each starts at a message).
    for (let i = 1; i <= 9; i++) journal.append(chunk, i * 1024 * 1024);
    const segments = () => readdirSync(dir).filter((f) => f.startsWith("seg-")).length;
    assert.equal(segments(), 3);
    mark.record(5 * 1024 * 1024);
    journal.refresh();
    assert.equal(segments(), 2, "the first segment ends at 4 MiB, before the mark");
    mark.record(1); // an old target's last word after a swap
    journal.refresh();
    assert.equal(journal.delivered, 5 * 1024 * 1024, "in memory the mark does not go back");
    journal.close();
    const next = open(dir);
    assert.equal(next.undelivered().from, 4 * 1024 * 1024, "the oldest byte still kept");
    next.close();
    mark.close();
  });

  test("segments start at messages: one rolls at the first boundary past its size, not inside a message", () => {
    const dir = freshDir();
    const journal = open(dir);
    const mib = 1024 * 1024;
    const chunk = new Uint8Array(mib).fill(0x62);
    // Messages of 3 MiB: the read that passes 4 MiB ends inside one, the roll waits for its end.
    for (let i = 1; i <= 5; i++) journal.append(chunk, Math.floor((i * mib) / (3 * mib)) * 3 * mib);
    const starts = readdirSync(dir)
      .filter((f) => f.startsWith("seg-"))
      .map((f) => Number(f.slice(4)))
      .sort((a, b) => a - b);
    assert.deepEqual(starts, [0, 3 * mib]);
    journal.close();
  });

  test("seal cuts off an abandoned program's unfinished message", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("a\npart"), 2);
    journal.seal(2);
    assert.equal(journal.end, 2);
    journal.append(bytes("new\n"), 6);
    journal.close();
    const next = open(dir);
    assert.equal(text(next.undelivered().bytes), "a\nnew\n");
    next.close();
  });

  test("a journal of another source symbol is not replayed: the new source starts at its end", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("old\n"), 4);
    journal.close();
    const other = open(dir, 4, "rtt://t/bus/b@1.0.0");
    assert.equal(other.undelivered().bytes.length, 0);
    assert.equal(readDeliveredMark(dir), 4, "the old source's bytes count as delivered");
    other.append(bytes("b1\n"), 7);
    other.close();
    const again = open(dir, 4, "rtt://t/bus/b@1.0.0");
    assert.equal(text(again.undelivered().bytes), "b1\n", "the same source replays as before");
    again.close();
  });

  test("a journal owned by a live process elsewhere is busy; a dead owner's is taken over", () => {
    const dir = freshDir();
    open(dir).close();
    const init = { pid: 1, startTime: readProcStat(1)?.startTime };
    writeFileSync(join(dir, "owner.json"), JSON.stringify(init));
    assert.deepEqual(RouteJournal.open(dir, 4, SOURCE), {
      busy: "the source end in pid 1",
    });
    // The same pid started at another time is another process: its journal is free.
    writeFileSync(join(dir, "owner.json"), JSON.stringify({ ...init, startTime: "1" }));
    open(dir).close();
  });

  test("property: a mark reads back what was recorded; any other 16 bytes read as 0 or a checked value", () => {
    const dir = freshDir();
    const mark = new DeliveredMark(dir);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (offset) => {
        mark.record(offset);
        assert.equal(readDeliveredMark(dir), offset);
      }),
    );
    mark.close();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), (garbage) => {
        writeFileSync(join(dir, "delivered"), garbage);
        const read = readDeliveredMark(dir);
        if (garbage.length !== 16) assert.equal(read, 0);
        else {
          const b = Buffer.from(garbage);
          const valid = (b.readBigUInt64LE(0) ^ 0x5254_544a_4e4c_4d4bn) === b.readBigUInt64LE(8);
          assert.equal(read, valid ? Number(b.readBigUInt64LE(0)) : 0);
        }
      }),
    );
    assert.equal(readDeliveredMark(join(dir, "missing")), 0);
  });
});

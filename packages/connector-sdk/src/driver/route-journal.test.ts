import assert from "node:assert/strict";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { mapFile } from "@rtt/fabric";
import fc from "fast-check";
import { readProcStat } from "../process-identity.ts";
import { DeliveredMark, RouteJournal, readDeliveredMark } from "./route-journal.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-journal-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `route-${++n}`);

const SOURCE = "rtt://t/bus/a@1.0.0";
/** The mark's check words, as the files hold them (route-journal.ts). */
const FIRST_FORMAT_CHECK = 0x5254_544a_4e4c_4d4bn;
const SECOND_FORMAT = 0x3256_4b52_414d_4a52n;

function open(dir: string, bound = 4, source = SOURCE): RouteJournal {
  const j = RouteJournal.open(dir, bound, source);
  assert.ok(j instanceof RouteJournal, JSON.stringify(j));
  return j;
}

const mib = 1024 * 1024;

/** A fresh journal of 9 MiB appended in reads of 1 MiB (segments at 0, 4 and 8 MiB), and its mark. */
function nineMiB(): { dir: string; journal: RouteJournal; mark: DeliveredMark } {
  const dir = freshDir();
  const journal = open(dir);
  const chunk = new Uint8Array(mib).fill(0x61);
  for (let i = 1; i <= 9; i++) journal.append(chunk);
  return { dir, journal, mark: new DeliveredMark(dir) };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("route journal", () => {
  test("a segment or source file replaced by a link is refused, its target untouched", () => {
    const dir = join(root, ".rtt", "run", "routes", `linked-${++n}`);
    const journal = open(dir);
    journal.append(bytes("a\n"));
    journal.close();
    const outside = join(root, `outside-${n}`);
    writeFileSync(outside, "precious\n");
    for (const name of [readdirSync(dir).find((f) => f.startsWith("seg-")), "journal-source"]) {
      const file = join(dir, name as string);
      rmSync(file);
      symlinkSync(outside, file);
      assert.throws(
        () => open(dir, 4, "rtt://t/bus/other@1.0.0").append(bytes("stolen\n")),
        (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_STATE_LINK",
      );
      rmSync(file);
      writeFileSync(file, name === "journal-source" ? SOURCE : "a\n");
    }
    assert.equal(readFileSync(outside, "utf8"), "precious\n");
  });

  test("a successor replays exactly what the target has not marked", () => {
    const dir = freshDir();
    const journal = open(dir);
    assert.equal(journal.append(bytes("a\nbb\n")), 5);
    assert.equal(journal.append(bytes("ccc\nd")), 10);
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
    assert.equal(next.append(bytes("\n")), 11);
    next.close();
    mark.close();
  });

  test("a target that did not acknowledge what it took puts the mark back where it opened (ADR 0024)", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("a\nbb\nccc\n"));
    const first = new DeliveredMark(dir);
    first.record(2); // "a\n": its program exited 0 after EOF, acknowledging it
    first.close();
    const second = new DeliveredMark(dir);
    second.record(5);
    second.record(9); // taken by its pipe; the program is killed holding them
    assert.equal(second.rewind(), 2);
    assert.equal(readDeliveredMark(dir), 2);
    second.close();
    journal.close();
    const next = open(dir);
    assert.equal(text(next.undelivered().bytes), "bb\nccc\n", "replayed to the next target");
    next.close();
  });

  test("a rewind leaves the mark alone once another end of the route has marked since", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("a\nbb\nccc\n"));
    const old = new DeliveredMark(dir);
    old.record(2);
    const moved = new DeliveredMark(dir); // a move's new target
    moved.record(5);
    assert.equal(old.rewind(), undefined);
    assert.equal(readDeliveredMark(dir), 5);
    old.close();
    moved.close();
    journal.close();
  });

  test("the bound counts noted messages until the mark passes them", () => {
    const dir = freshDir();
    const journal = open(dir, 2);
    const mark = new DeliveredMark(dir);
    journal.append(bytes("x\ny\nz\n"));
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

  test("a segment goes once the one after it is also before the mark; a mark that went back further replays from the oldest kept", () => {
    const { dir, journal, mark } = nineMiB();
    const segments = () => readdirSync(dir).filter((f) => f.startsWith("seg-")).length;
    assert.equal(segments(), 3);
    mark.record(5 * mib);
    journal.refresh();
    assert.equal(segments(), 3, "one segment of slack behind the mark's");
    mark.record(9 * mib - 10);
    journal.refresh();
    assert.equal(segments(), 2, "the first segment ends at 4 MiB, a whole segment before");
    mark.record(1); // an old target's last word after a swap
    journal.refresh();
    assert.equal(journal.delivered, 9 * mib - 10, "in memory the mark does not go back");
    journal.close();
    const next = open(dir);
    const replay = next.undelivered();
    assert.equal(replay.from, 4 * mib, "the oldest byte still kept");
    assert.equal(replay.atMark, false, "not at the mark: maybe mid-message");
    next.close();
    mark.close();
  });

  test("a trimmed segment leaves the journal at once and its file goes in the background; a leftover goes at the next open", async () => {
    const { dir, journal, mark } = nineMiB();
    mark.record(9 * mib);
    journal.refresh();
    const names = () => readdirSync(dir).filter((f) => /^(seg|gone)-/.test(f));
    assert.deepEqual(
      names().filter((f) => f.startsWith("seg-")),
      ["seg-0000000004194304", "seg-0000000008388608"],
    );
    const noneGone = () => !names().some((f) => f.startsWith("gone-"));
    await eventually(noneGone, { what: "the trimmed segment's file deleted" });
    journal.close();
    // A driver killed before its unlink ran: the file is no segment, and the next open deletes it.
    writeFileSync(join(dir, "gone-0000000000000000"), "a segment's bytes");
    const next = open(dir);
    assert.equal(next.undelivered().from, 9 * mib);
    await eventually(noneGone, { what: "the leftover deleted by the open" });
    next.close();
    mark.close();
  });

  test("seal truncates into an earlier segment when a roll came after the boundary", () => {
    const dir = freshDir();
    const journal = open(dir);
    const line = bytes(`${"x".repeat(mib - 1)}\n`);
    for (let i = 0; i < 3; i++) journal.append(line); // 3 MiB of whole lines
    journal.append(bytes("y".repeat(mib + 10))); // an unfinished message, past a roll at 4 MiB
    assert.equal(readdirSync(dir).filter((f) => f.startsWith("seg-")).length, 2);
    journal.seal(3 * mib);
    assert.equal(journal.end, 3 * mib);
    assert.equal(readdirSync(dir).filter((f) => f.startsWith("seg-")).length, 1);
    journal.append(bytes("z\n"));
    journal.close();
    const next = open(dir);
    assert.equal(next.end, 3 * mib + 2);
    assert.ok(text(next.undelivered().bytes).endsWith("x\nz\n"));
    next.close();
  });

  test("seal cuts off an abandoned program's unfinished message", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("a\npart"));
    journal.seal(2);
    assert.equal(journal.end, 2);
    journal.append(bytes("new\n"));
    journal.close();
    const next = open(dir);
    assert.equal(text(next.undelivered().bytes), "a\nnew\n");
    next.close();
  });

  test("a journal of another source symbol is not replayed: the new source starts at its end", () => {
    const dir = freshDir();
    const journal = open(dir);
    journal.append(bytes("old\n"));
    journal.close();
    const other = open(dir, 4, "rtt://t/bus/b@1.0.0");
    assert.equal(other.undelivered().bytes.length, 0);
    assert.equal(readDeliveredMark(dir), 4, "the old source's bytes count as delivered");
    other.append(bytes("b1\n"));
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
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          fc.uint8Array({ minLength: 0, maxLength: 20 }),
        ),
        (garbage) => {
          writeFileSync(join(dir, "delivered"), garbage);
          const read = readDeliveredMark(dir);
          if (garbage.length !== 16) assert.equal(read, 0);
          else {
            const b = Buffer.from(garbage);
            const offset = b.readBigUInt64LE(0);
            const check = b.readBigUInt64LE(8);
            const valid =
              (check === (FIRST_FORMAT_CHECK ^ offset) || check === SECOND_FORMAT) &&
              offset <= BigInt(Number.MAX_SAFE_INTEGER);
            assert.equal(read, valid ? Number(offset) : 0);
          }
        },
      ),
    );
    assert.equal(readDeliveredMark(join(dir, "missing")), 0);
  });

  test("a mark of the first format is read, and the next target end marks on from it", () => {
    const dir = freshDir();
    const mark = new DeliveredMark(dir);
    mark.close();
    const first = Buffer.alloc(16);
    first.writeBigUInt64LE(12_345n, 0);
    first.writeBigUInt64LE(12_345n ^ FIRST_FORMAT_CHECK, 8);
    writeFileSync(join(dir, "delivered"), first);
    assert.equal(readDeliveredMark(dir), 12_345);
    const next = new DeliveredMark(dir);
    assert.equal(readDeliveredMark(dir), 12_345, "rewritten in the second format, same offset");
    assert.equal(readFileSync(join(dir, "delivered")).readBigUInt64LE(8), SECOND_FORMAT);
    next.record(20_000);
    assert.equal(readDeliveredMark(dir), 20_000);
    next.close();
  });

  test("with the native addon a mark is a store into the mapped file, seen by a fresh read at once", {
    skip:
      process.env.RTT_NO_NATIVE === "1" ? "the native addon is disabled (RTT_NO_NATIVE=1)" : false,
  }, () => {
    const dir = freshDir();
    const mark = new DeliveredMark(dir);
    const probe = Buffer.alloc(16);
    writeFileSync(join(dir, "probe"), probe);
    const fd = openSync(join(dir, "probe"), "r+");
    const mapped = mapFile(fd, 16);
    closeSync(fd);
    assert.ok(mapped !== undefined, "the native addon maps files (npm run build -w @rtt/fabric)");
    mapped.close();
    for (let offset = 1; offset < 2_000; offset += 7) {
      mark.record(offset);
      assert.equal(readDeliveredMark(dir), offset);
    }
    mark.close();
    mark.record(5); // after close: nothing, and no crash on the unmapped buffer
    assert.equal(readDeliveredMark(dir), 1_996);
  });
});

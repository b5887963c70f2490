import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RouteJournal } from "@rtt/connector-sdk";
import { JournaledSource } from "./journaled-source.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const openJournal = (dir: string): RouteJournal => {
  const journal = RouteJournal.open(dir, 100, "test");
  assert.ok(journal instanceof RouteJournal);
  return journal;
};

describe("JournaledSource", () => {
  it("drops a message JetStream sends again after a crash between journal and ack", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-nats-journal-"));
    dirs.push(dir);
    const state = join(dir, "source");
    const journal = openJournal(dir);
    const first = new JournaledSource(journal, state, () => {});
    const a = first.take(7, Buffer.from("a"));
    assert.ok(a !== undefined);
    assert.equal(first.take(7, Buffer.from("a")), undefined, "the same sequence twice");
    // The driver died before its ack: the next one replays the record and skips the resend.
    first.close();
    journal.close();
    const reopened = openJournal(dir);
    const second = new JournaledSource(reopened, state, () => {});
    const replayed = second.replay();
    assert.deepEqual(
      replayed.map((m) => [Buffer.from(m.payload).toString(), m.correlation]),
      [["a", a.correlation]],
    );
    assert.equal(second.take(7, Buffer.from("a")), undefined);
    const b = second.take(8, Buffer.from("b"));
    assert.ok(b !== undefined && b.correlation > a.correlation);
    second.close();
    reopened.close();
  });

  it("takes what a closed link pulled but never journaled when it comes back behind newer messages", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-nats-journal-"));
    dirs.push(dir);
    const state = join(dir, "source");
    const journal = openJournal(dir);
    const first = new JournaledSource(journal, state, () => {});
    assert.ok(first.take(7, Buffer.from("a")) !== undefined);
    // 8 and 9 were pulled, never taken: the link closed. The next link gets 10 at once, and
    // 8 and 9 only after ack_wait.
    first.close();
    journal.close();
    const reopened = openJournal(dir);
    const second = new JournaledSource(reopened, state, () => {});
    second.replay();
    assert.ok(second.take(10, Buffer.from("c")) !== undefined);
    assert.ok(second.take(8, Buffer.from("b")) !== undefined, "8 was never journaled");
    assert.ok(second.take(9, Buffer.from("b2")) !== undefined, "9 was never journaled");
    assert.equal(second.take(7, Buffer.from("a")), undefined, "7 was");
    assert.equal(second.take(8, Buffer.from("b")), undefined, "8 is now");
    second.close();
    reopened.close();
  });

  it("forgets what the ack floor covers, and still knows it was journaled", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-nats-journal-"));
    dirs.push(dir);
    const state = join(dir, "source");
    const journal = openJournal(dir);
    const source = new JournaledSource(journal, state, () => {});
    for (const seq of [1, 2, 3, 5, 8]) assert.ok(source.take(seq, Buffer.from("x")) !== undefined);
    source.ackFloor(4);
    assert.equal(source.kept, 2, "5 and 8 stay above the floor");
    source.ackFloor(2);
    assert.equal(source.kept, 2, "a lower floor (a server that lost its state) changes nothing");
    source.close();
    // A crash mid-append leaves a torn last record: it is cut, and appends stay aligned.
    appendFileSync(join(state, "nats-journaled"), Buffer.from([0, 0, 1]));
    const again = new JournaledSource(journal, state, () => {});
    assert.deepEqual(
      [1, 4, 5, 6, 7, 8].map((seq) => again.journaled(seq)),
      [true, true, true, false, false, true],
    );
    assert.ok(again.take(6, Buffer.from("y")) !== undefined);
    again.close();
    const third = new JournaledSource(journal, state, () => {});
    assert.equal(third.journaled(6), true);
    assert.equal(third.journaled(7), false);
    third.close();
    journal.close();
  });
});

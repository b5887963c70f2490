import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
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
});

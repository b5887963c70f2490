import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { JournalTee } from "./journal-tee.ts";
import { DeliveredMark, RouteJournal } from "./route-journal.ts";
import { memberItem } from "./shared-sources.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-shared-sources-"));
after(() => rmSync(root, { recursive: true, force: true }));

function journal(name: string): RouteJournal {
  const j = RouteJournal.open(join(root, name), 100, "rtt://t/bus/a@1.0.0");
  assert.ok(j instanceof RouteJournal);
  return j;
}

describe("a journaled shared chunk as one route sees it", () => {
  test("its own correlation id, nothing from before its join, none without a journal", () => {
    const tee = new JournalTee(() => {});
    tee.join(journal("a"));
    tee.undelivered();
    tee.append(Buffer.from("one\n"));
    tee.note(4);
    const b = journal("b");
    b.append(Buffer.from("earlier\n"));
    new DeliveredMark(b.dir).record(8);
    b.refresh();
    const member = tee.join(b);
    const payload = Buffer.from("x");
    assert.equal(memberItem({ payload, correlation: 4 }, member), undefined, "before its join");
    assert.deepEqual(memberItem({ payload, correlation: 9 }, member), {
      payload,
      correlation: 13,
    });
    assert.equal(memberItem({ payload, correlation: 9 }, undefined), payload, "unjournaled");
    assert.equal(memberItem(payload, member), payload, "no correlation to map");
  });
});

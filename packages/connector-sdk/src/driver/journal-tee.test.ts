import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import type { RxMessage } from "./define-connector.ts";
import { JournalTee, type SourceJournal } from "./journal-tee.ts";
import { DeliveredMark, RouteJournal } from "./route-journal.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-tee-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const SOURCE = "rtt://t/bus/a@1.0.0";

function journal(bound = 1000, dir = join(root, `route-${++n}`)): RouteJournal {
  const j = RouteJournal.open(dir, bound, SOURCE);
  assert.ok(j instanceof RouteJournal, JSON.stringify(j));
  return j;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** What the process connector does with a read: journal it, then note each line's end. */
class LineFeeder {
  readonly tee: JournalTee;
  #pending = "";
  #fed: number;
  constructor(tee: JournalTee) {
    this.tee = tee;
    this.#fed = tee.end;
  }
  /** The lines the read completed, with their end offsets in the tee's stream. */
  feed(chunk: string): { line: string; end: number }[] {
    const read = bytes(chunk);
    this.tee.append(read);
    // Written over at once, as a reused read slab is (SourceJournal.append): what the tee kept
    // of it must be its own copy.
    read.fill(0x3f);
    this.#fed += bytes(chunk).length;
    this.#pending += chunk;
    const out: { line: string; end: number }[] = [];
    let end = this.#fed - bytes(this.#pending).length;
    for (let nl = this.#pending.indexOf("\n"); nl >= 0; nl = this.#pending.indexOf("\n")) {
      const line = this.#pending.slice(0, nl);
      end += bytes(line).length + 1;
      this.#pending = this.#pending.slice(nl + 1);
      this.tee.note(end);
      out.push({ line, end });
    }
    return out;
  }
}

/** The bytes of the journal still undelivered, as text. */
const journaled = (j: RouteJournal) => text(j.undelivered().bytes);

describe("journal tee", () => {
  test("the first route's journal is the tee's stream: same offsets, its backlog replayed", () => {
    const a = journal();
    a.append(bytes("old\n"));
    a.note(4);
    const tee = new JournalTee(() => {});
    const member = tee.join(a);
    assert.equal(tee.end, 4);
    assert.equal(text(tee.undelivered().bytes), "old\n");
    const lines = new LineFeeder(tee).feed("x\ny\n");
    assert.deepEqual(
      lines.map((l) => member.correlation(l.end)),
      [6, 8],
    );
    assert.equal(journaled(a), "old\nx\ny\n");
  });

  test("a route joining mid-message gets that whole message, later ones, and its own offsets", () => {
    const a = journal();
    const b = journal();
    b.append(bytes("b0\n"));
    new DeliveredMark(b.dir).record(3);
    b.refresh();
    const tee = new JournalTee(() => {});
    const ma = tee.join(a);
    tee.undelivered();
    const feeder = new LineFeeder(tee);
    const first = feeder.feed("one\ntw");
    const mb = tee.join(b);
    const rest = feeder.feed("o\nthree\n");
    // "one" ended before b joined: not b's. "two" began before, ended after: b's, whole.
    assert.equal(mb.correlation(first[0]?.end ?? 0), undefined);
    assert.deepEqual(
      rest.map((l) => mb.correlation(l.end)),
      [3 + 4, 3 + 4 + 6],
    );
    assert.deepEqual(
      rest.map((l) => ma.correlation(l.end)),
      [8, 14],
    );
    assert.equal(journaled(b), "two\nthree\n");
    assert.equal(journaled(a), "one\ntwo\nthree\n");
    assert.equal(b.unacked, 2);
    assert.equal(a.unacked, 3);
  });

  test("an earlier program's undelivered bytes in a joining route's journal are cut off, said", () => {
    const a = journal();
    const b = journal();
    b.append(bytes("stale\nhalf"));
    const said: string[] = [];
    const tee = new JournalTee((l) => said.push(l));
    tee.join(a);
    tee.undelivered();
    new LineFeeder(tee).feed("x\n");
    tee.join(b);
    assert.equal(b.end, 0);
    assert.match(said.join("\n"), /10 undelivered byte\(s\) of an earlier program cut off/);
  });

  test("a resuming route gets its own backlog and the stream since its journal ended, then live", () => {
    // Both routes' journals as the crashed driver's tee left them: the same stream, mid-message.
    const dirA = join(root, `route-${++n}`);
    const dirB = join(root, `route-${++n}`);
    for (const dir of [dirA, dirB]) {
      const old = journal(1000, dir);
      old.append(bytes("m1\nm2\npar"));
      old.close();
    }
    const a = journal(1000, dirA);
    const b = journal(1000, dirB);
    assert.ok(b.resumed, "b holds this source's bytes from before");
    // What a connector whose program was adopted does (stdout-reader.ts #replayOwn), for lines.
    const given: (readonly Uint8Array[] | undefined)[] = [];
    const replayer = (j: SourceJournal, history: readonly Uint8Array[] | undefined) => {
      given.push(history);
      for (const chunk of history ?? []) j.append(chunk);
      const { from, bytes: rest } = j.undelivered();
      const out: RxMessage[] = [];
      let at = 0;
      for (let nl = rest.indexOf(0x0a); nl >= 0; nl = rest.indexOf(0x0a, at)) {
        out.push({ payload: rest.subarray(at, nl), correlation: from + nl + 1 });
        at = nl + 1;
      }
      return out;
    };
    const tee = new JournalTee(() => {});
    tee.replayWith(replayer);
    tee.join(a);
    tee.undelivered();
    const feeder = new LineFeeder(tee);
    feeder.feed("tial\nm4\nm");
    const member = tee.join(b);
    assert.equal(given.length, 1);
    assert.deepEqual(
      member.takeBacklog().map((m) => [text(m.payload), m.correlation]),
      [
        ["m1", 3],
        ["m2", 6],
        ["partial", 14],
        ["m4", 17],
      ],
    );
    assert.deepEqual(member.takeBacklog(), [], "taken once");
    // The unfinished message was kept, not copied twice: the live stream finishes it.
    const [m5] = feeder.feed("5\n");
    assert.equal(member.correlation(m5?.end as number), b.end);
    assert.equal(journaled(b), "m1\nm2\npartial\nm4\nm5\n");
    assert.equal(journaled(b), journaled(a));
  });

  test("any route's journal at its bound makes the tee full; its mark frees it", () => {
    const a = journal(1000);
    const b = journal(2);
    const tee = new JournalTee(() => {});
    tee.join(a);
    tee.undelivered();
    const feeder = new LineFeeder(tee);
    const mb = tee.join(b);
    const lines = feeder.feed("1\n2\n");
    assert.equal(tee.full, true, "b holds two unmarked messages: its bound");
    new DeliveredMark(b.dir).record(mb.correlation(lines[0]?.end ?? 0) ?? 0);
    tee.refresh();
    assert.equal(tee.full, false);
  });

  test("a route that left gets nothing more; a seal cuts every member's unfinished message", () => {
    const a = journal();
    const b = journal();
    const tee = new JournalTee(() => {});
    tee.join(a);
    tee.undelivered();
    const feeder = new LineFeeder(tee);
    const mb = tee.join(b);
    feeder.feed("1\n");
    mb.leave();
    feeder.feed("2\n3");
    assert.equal(journaled(b), "1\n");
    assert.equal(tee.members, 1);
    tee.seal(4);
    assert.equal(journaled(a), "1\n2\n");
    assert.equal(tee.end, 4);
  });

  test("property: a joining route's journal holds exactly the messages it is given, where it says", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9]{0,12}$/), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.string({ maxLength: 8 }).map((s) => s.replaceAll("\n", "")),
        (lines, cuts, joinAt, before) => {
          const a = journal();
          const b = journal();
          b.append(bytes(`${before}\n`));
          new DeliveredMark(b.dir).record(b.end);
          b.refresh();
          const tee = new JournalTee(() => {});
          tee.join(a);
          tee.undelivered();
          const feeder = new LineFeeder(tee);
          const stream = lines.map((l) => `${l}\n`).join("");
          const chunks: string[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const size = cuts[i % cuts.length] ?? 1;
            chunks.push(stream.slice(at, at + size));
            at += size;
          }
          const joinChunk = joinAt % (chunks.length + 1);
          let mb: ReturnType<JournalTee["join"]> | undefined;
          const given: { line: string; at: number }[] = [];
          chunks.forEach((chunk, i) => {
            if (i === joinChunk) mb = tee.join(b);
            for (const l of feeder.feed(chunk)) {
              const at = mb?.correlation(l.end);
              if (at !== undefined) given.push({ line: l.line, at });
            }
          });
          // The member's journal past its own mark is exactly its messages, each ending at its id.
          const mine = b.undelivered();
          assert.equal(text(mine.bytes), given.map((g) => `${g.line}\n`).join(""));
          let end = mine.from;
          for (const g of given) {
            end += bytes(g.line).length + 1;
            assert.equal(g.at, end);
          }
          a.close();
          b.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});

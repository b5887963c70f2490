import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as turn } from "node:timers/promises";
import { defineConnector } from "./define-connector.ts";
import { MEMBER_QUEUE, SharedSource } from "./shared-source.ts";

/**
 * A source of 0, 1, 2, ... that counts how far rx was pulled and whether it was closed; with
 * `takeNow`, its rx also hands the next one over synchronously (RxTakeNow): always ready.
 */
function counter(limit = Number.POSITIVE_INFINITY, takeNow = false) {
  const seen = { pulled: 0, closes: 0, released: [] as string[] };
  async function* items(link: { closed: boolean }) {
    while (!link.closed && seen.pulled < limit) yield Buffer.from(String(seen.pulled++));
  }
  const connector = defineConnector<{ closed: boolean }>({
    name: "counter",
    version: "1.0.0",
    probe: () => [],
    open: () => ({ closed: false }),
    tx: () => {},
    rx: (link) =>
      takeNow
        ? Object.assign(items(link), {
            takeNow: () =>
              !link.closed && seen.pulled < limit ? Buffer.from(String(seen.pulled++)) : undefined,
          })
        : items(link),
    rxRelease: (_link, chunk) => {
      seen.released.push(text(chunk));
    },
    close: (link) => {
      seen.closes++;
      link.closed = true;
    },
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  const handle = { closed: false };
  return { seen, source: new SharedSource("k", handle, connector, () => {}) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await turn();
}

const text = (item: unknown) => Buffer.from(item as Uint8Array).toString();

describe("SharedSource: one rx, a queue per route", () => {
  test("nothing is read until every member consumes: all see the first chunk", async () => {
    const { seen, source } = counter();
    const one = source.join(true);
    const two = source.join(false);
    const it1 = one.connector.rx(source.handle)[Symbol.asyncIterator]();
    await settle();
    assert.equal(seen.pulled, 0, "the second route is not consuming yet");
    const it2 = two.connector.rx(source.handle)[Symbol.asyncIterator]();
    assert.equal(text((await it1.next()).value), "0");
    assert.equal(text((await it2.next()).value), "0");
    await one.connector.close(source.handle, { detach: false });
    await two.connector.close(source.handle, { detach: false });
  });

  test("a full pacing member pauses the source; a refusing one never does", async () => {
    const { seen, source } = counter();
    const pacing = source.join(true);
    const refusing = source.join(false);
    let overflowed = 0;
    refusing.member.onOverflow = () => overflowed++;
    const itPacing = pacing.connector.rx(source.handle)[Symbol.asyncIterator]();
    refusing.connector.rx(source.handle)[Symbol.asyncIterator](); // consumes, never pulls
    await settle();
    assert.equal(seen.pulled, MEMBER_QUEUE, "the pacing member's full queue stopped the reads");
    assert.equal(overflowed, 0);
    // The pacing route takes everything: the reads go on; the stalled refusing route overflows.
    for (let i = 0; i < 3 * MEMBER_QUEUE; i++)
      assert.equal(text((await itPacing.next()).value), String(i));
    await settle();
    assert.ok(seen.pulled >= 3 * MEMBER_QUEUE);
    assert.equal(overflowed, seen.pulled - MEMBER_QUEUE, "each chunk past its queue is refused");
    await pacing.connector.close(source.handle, { detach: false });
    await refusing.connector.close(source.handle, { detach: false });
  });

  test("a source that hands chunks over at once (takeNow) stops at a pacing member's full queue, refusing none", async () => {
    const { seen, source } = counter(Number.POSITIVE_INFINITY, true);
    const pacing = source.join(true);
    let overflowed = 0;
    pacing.member.onOverflow = () => overflowed++;
    const it = pacing.connector.rx(source.handle)[Symbol.asyncIterator]();
    await settle();
    assert.equal(seen.pulled, MEMBER_QUEUE, "the full queue stopped the reads");
    // One taken: room for one, and one more is read — not two, the second refused.
    assert.equal(text((await it.next()).value), "0");
    await settle();
    assert.equal(overflowed, 0, "a pacing member's chunk is never refused");
    assert.equal(seen.pulled, MEMBER_QUEUE + 1);
    for (let i = 1; i < 3 * MEMBER_QUEUE; i++)
      assert.equal(text((await it.next()).value), String(i));
    assert.equal(overflowed, 0);
    await pacing.connector.close(source.handle, { detach: false });
  });

  test("a refusing member alone: the source runs at its reader's pace, not its consumer's", async () => {
    const { seen, source } = counter(5000);
    const refusing = source.join(false);
    let overflowed = 0;
    refusing.member.onOverflow = () => overflowed++;
    refusing.connector.rx(source.handle)[Symbol.asyncIterator]();
    for (let i = 0; i < 200 && seen.pulled < 5000; i++) await turn();
    assert.equal(seen.pulled, 5000);
    assert.equal(overflowed, 5000 - MEMBER_QUEUE);
    await refusing.connector.close(source.handle, { detach: false });
  });

  test("a chunk is released to the connector only while no chunk went to two routes", async () => {
    const { seen, source } = counter(4);
    const one = source.join(true);
    const it1 = one.connector.rx(source.handle)[Symbol.asyncIterator]();
    const first = (await it1.next()).value as Uint8Array;
    one.connector.rxRelease?.(source.handle, first);
    assert.deepEqual(seen.released, ["0"], "one route: its release is the connector's");
    const two = source.join(true);
    const it2 = two.connector.rx(source.handle)[Symbol.asyncIterator]();
    const a = (await it1.next()).value as Uint8Array;
    const b = (await it2.next()).value as Uint8Array;
    assert.equal(a, b, "both routes were handed the same chunk");
    one.connector.rxRelease?.(source.handle, a);
    two.connector.rxRelease?.(source.handle, b);
    await one.connector.close(source.handle, { detach: false });
    const later = (await it2.next()).value as Uint8Array;
    two.connector.rxRelease?.(source.handle, later);
    assert.deepEqual(
      seen.released,
      ["0"],
      "once fanned out, never again: a chunk two routes read is released by neither",
    );
    await two.connector.close(source.handle, { detach: false });
  });

  test("the handle closes with the last member; the end of rx reaches every member", async () => {
    const { seen, source } = counter(3);
    const one = source.join(true);
    const two = source.join(true);
    const it1 = one.connector.rx(source.handle)[Symbol.asyncIterator]();
    const it2 = two.connector.rx(source.handle)[Symbol.asyncIterator]();
    for (const it of [it1, it2]) {
      const got: string[] = [];
      for (let r = await it.next(); r.done !== true; r = await it.next()) got.push(text(r.value));
      assert.deepEqual(got, ["0", "1", "2"]);
    }
    await one.connector.close(source.handle, { detach: false });
    assert.equal(seen.closes, 0);
    assert.equal(source.closed, false);
    await two.connector.close(source.handle, { detach: false });
    assert.equal(seen.closes, 1);
    assert.equal(source.closed, true);
  });
});

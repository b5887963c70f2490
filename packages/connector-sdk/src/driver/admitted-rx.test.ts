import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { DROP_POLICIES, type DropPolicy } from "@rtt/core";
import { FrameFlag, RouteAdmission, TokenBucket } from "@rtt/fabric";
import fc from "fast-check";
import { AdmittedRx } from "./admitted-rx.ts";

interface Setup {
  readonly policy: DropPolicy;
  readonly rate: number;
  readonly burst: number;
  readonly buffer: number;
}

/** A source of 0..n-1 that counts how far it was pulled; `slow` items make it wait a tick first. */
function source(n: number, slow: (i: number) => boolean) {
  const state = { pulled: 0 };
  async function* items(): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      if (slow(i)) await yieldToLoop();
      state.pulled = i + 1;
      yield i;
    }
  }
  return { state, iterator: items() };
}

function admissionOf(s: Setup): RouteAdmission<number> {
  return new RouteAdmission<number>({
    policy: s.policy,
    bucket: new TokenBucket({ rate: s.rate, burst: s.burst }, () => performance.now()),
    bufferLimit: s.buffer,
  });
}

/** Drains `rx` as a link's pump does. */
async function drain(rx: AdmittedRx<number>): Promise<{ item: number; flags: number }[]> {
  const out: { item: number; flags: number }[] = [];
  for (;;) {
    const next = await rx.next();
    if (next.done === true) return out;
    out.push({ item: next.value, flags: rx.flags });
  }
}

describe("AdmittedRx: a link's rx through its route's admission", () => {
  const setupArb = fc.record({
    policy: fc.constantFrom(...DROP_POLICIES),
    // Fast enough that a run takes milliseconds of real time.
    rate: fc.integer({ min: 5_000, max: 50_000 }),
    burst: fc.integer({ min: 1, max: 16 }),
    buffer: fc.integer({ min: 1, max: 16 }),
  });

  test("property: every item is accounted for once, order is kept, buffer loses nothing and bounds the source", async () => {
    await fc.assert(
      fc.asyncProperty(
        setupArb,
        fc.integer({ min: 0, max: 120 }),
        fc.func(fc.boolean()),
        async (s, n, slow) => {
          const admission = admissionOf(s);
          const src = source(n, (i) => slow(i));
          const rx = new AdmittedRx(src.iterator, admission);
          const out: { item: number; flags: number }[] = [];
          for (;;) {
            const next = await rx.next();
            const c = admission.counters;
            // Pulled but not handed out = queued (or just released): never more than the buffer.
            const held =
              src.state.pulled - out.length - (next.done === true ? 0 : 1) - c.dropped - c.nacked;
            assert.ok(held <= (s.policy === "buffer" ? s.buffer : 0), `held ${held}`);
            if (next.done === true) break;
            out.push({ item: next.value, flags: rx.flags });
          }
          const c = admission.counters;
          assert.equal(c.offered, n);
          assert.equal(c.sent + c.marked + c.dropped + c.nacked + c.buffered, c.offered);
          assert.equal(c.buffered, 0, "rx ended: the queue drained before done");
          assert.equal(out.length, c.sent + c.marked);
          assert.equal(out.filter((o) => o.flags === FrameFlag.MARKED).length, c.marked);
          assert.ok(out.every((o) => o.flags === 0 || o.flags === FrameFlag.MARKED));
          for (let i = 1; i < out.length; i++) {
            assert.ok((out[i]?.item ?? 0) > (out[i - 1]?.item ?? 0), "out of order");
          }
          if (s.policy === "buffer") {
            assert.deepEqual(
              out.map((o) => o.item),
              Array.from({ length: n }, (_, i) => i),
              "the buffer policy loses nothing",
            );
          }
          if (s.policy === "mark") assert.equal(out.length, n);
          if (s.policy !== "mark") assert.equal(c.marked, 0);
          if (s.policy !== "taildrop" && s.policy !== "buffer") assert.equal(c.dropped, 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("property: taken as the pump takes (nextNow first, then next), the same accounting and order", async () => {
    await fc.assert(
      fc.asyncProperty(
        setupArb,
        fc.integer({ min: 0, max: 120 }),
        fc.func(fc.integer({ min: 1, max: 8 })),
        async (s, n, burst) => {
          // 0..n-1 in bursts: takeNow hands over what the last burst made ready, next() waits
          // a turn for the next burst.
          let made = 0;
          let taken = 0;
          const iterator = {
            takeNow: (): number | undefined => (taken < made ? taken++ : undefined),
            async next(): Promise<IteratorResult<number, undefined>> {
              if (taken === made && made < n) {
                await yieldToLoop();
                made = Math.min(n, made + burst(made));
              }
              return taken < made
                ? { done: false, value: taken++ }
                : { done: true, value: undefined };
            },
          };
          const admission = admissionOf(s);
          const rx = new AdmittedRx(iterator, admission, () => {}, iterator.takeNow);
          const out: { item: number; flags: number }[] = [];
          for (;;) {
            let item = rx.nextNow();
            if (item === undefined) {
              const next = await rx.next();
              if (next.done === true) break;
              item = next.value;
            }
            out.push({ item, flags: rx.flags });
          }
          const c = admission.counters;
          assert.equal(c.offered, n);
          assert.equal(c.sent + c.marked + c.dropped + c.nacked + c.buffered, c.offered);
          assert.equal(c.buffered, 0);
          assert.equal(out.length, c.sent + c.marked);
          assert.equal(out.filter((o) => o.flags === FrameFlag.MARKED).length, c.marked);
          for (let i = 1; i < out.length; i++)
            assert.ok((out[i]?.item ?? 0) > (out[i - 1]?.item ?? 0), "out of order");
          if (s.policy === "buffer" || s.policy === "mark") assert.equal(out.length, n);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("over the rate, taildrop drops: a burst of items gets the burst through", async () => {
    const admission = admissionOf({ policy: "taildrop", rate: 0.001, burst: 5, buffer: 1 });
    const src = source(100, () => false);
    const out = await drain(new AdmittedRx(src.iterator, admission));
    assert.deepEqual(
      out.map((o) => o.item),
      [0, 1, 2, 3, 4],
    );
    assert.equal(admission.counters.dropped, 95);
  });

  test("buffer: a full queue stops pulling the source until tokens come back", async () => {
    const admission = admissionOf({ policy: "buffer", rate: 20, burst: 2, buffer: 3 });
    const src = source(1000, () => false);
    const rx = new AdmittedRx(src.iterator, admission);
    assert.equal((await rx.next()).value, 0);
    assert.equal((await rx.next()).value, 1);
    const third = rx.next(); // waits: no token; items 2..4 queue, then the source is left alone
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(src.state.pulled, 5, "2 sent + 3 queued, nothing more pulled");
    assert.equal(admission.counters.buffered, 3);
    assert.equal((await third).value, 2, "released when a token came back (50 ms at 20/s)");
    rx.close();
    assert.equal((await rx.next()).done, true);
    const c = admission.counters;
    assert.equal(c.buffered, 0);
    assert.equal(c.dropped, 2, "still queued at close: dropped and counted");
  });

  test("an rx that always has a chunk, all refused, still lets timers run; close ends it", async () => {
    const admission = admissionOf({ policy: "taildrop", rate: 0.001, burst: 1, buffer: 1 });
    async function* forever(): AsyncGenerator<number> {
      for (let i = 0; ; i++) yield i;
    }
    const rx = new AdmittedRx(forever(), admission);
    assert.equal((await rx.next()).value, 0, "the one token");
    const pending = rx.next(); // drops everything from here on
    await new Promise((r) => setTimeout(r, 5)); // never fires if next() holds the event loop
    rx.close();
    assert.equal((await pending).done, true);
    assert.ok(admission.counters.dropped > 0);
  });

  test("close wakes a waiting next()", async () => {
    const admission = admissionOf({ policy: "buffer", rate: 0.001, burst: 1, buffer: 1 });
    const src = source(10, () => false);
    const rx = new AdmittedRx(src.iterator, admission);
    await rx.next();
    const waiting = rx.next(); // the next token is ~1000 s away
    await new Promise((r) => setTimeout(r, 5));
    rx.close();
    assert.equal((await waiting).done, true);
  });
});

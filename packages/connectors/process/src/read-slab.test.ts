import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { READ_BYTES, ReadSlab } from "./read-slab.ts";

/** As the kernel would: a read fills `n` bytes of the buffer `next()` gave with `value`. */
function read(slab: ReadSlab, n: number, value: number): Uint8Array {
  const buffer = slab.next();
  assert.ok(buffer.length >= READ_BYTES, "a read always gets a whole pipe's room");
  buffer.fill(value, 0, n);
  return slab.took(buffer, n);
}

/** `view` still holds what its read filled it with (a read over it fills it whole: its ends tell). */
function intact(view: Uint8Array, value: number): boolean {
  return view.length === 0 || (view[0] === value && view[view.length - 1] === value);
}

describe("stdout's read slab", () => {
  it("keeps every read as it was filled; a read follows the last in memory unless a slab ran out", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: READ_BYTES }), { maxLength: 60, size: "max" }),
        (sizes) => {
          const slab = new ReadSlab();
          const kept: Uint8Array[] = [];
          for (const [k, n] of sizes.entries()) {
            const got = read(slab, n, k & 0xff);
            // Held and never released: no slab is read into twice.
            ReadSlab.hold(got);
            const last = kept.at(-1);
            if (last !== undefined && last.buffer === got.buffer)
              assert.equal(got.byteOffset, last.byteOffset + last.length);
            kept.push(got);
          }
          for (const [k, got] of kept.entries())
            assert.ok(intact(got, k & 0xff), `read ${k} was written over`);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("never reads into a slab while a view of it is held, however holds and releases interleave", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            size: fc.integer({ min: 1, max: READ_BYTES }),
            // How many views of the read are handed on (a read's messages), 0..3.
            views: fc.nat({ max: 3 }),
            // Which held views are released after this read (an index into those held, each).
            releases: fc.array(fc.nat(), { maxLength: 2 }),
          }),
          { minLength: 40, maxLength: 150 },
        ),
        (reads) => {
          const slab = new ReadSlab();
          const held: { view: Uint8Array; value: number }[] = [];
          for (const [k, r] of reads.entries()) {
            const value = k & 0xff;
            const got = read(slab, r.size, value);
            for (let v = 0; v < r.views; v++) {
              const view = got.subarray(v, Math.max(v, got.length - v));
              ReadSlab.hold(view);
              held.push({ view, value });
            }
            for (const h of held)
              assert.ok(intact(h.view, h.value), "a held view was written over");
            for (const pick of r.releases) {
              if (held.length === 0) break;
              const [gone] = held.splice(pick % held.length, 1);
              ReadSlab.release((gone as { view: Uint8Array }).view);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("reads into the same slabs again once every view of them is released", () => {
    const slab = new ReadSlab();
    for (let k = 0; k < 200; k++) {
      const got = read(slab, READ_BYTES, k & 0xff);
      ReadSlab.hold(got);
      ReadSlab.release(got);
    }
    // 200 reads of 64 KiB are 12.5 MiB: without reuse, 13 slabs of 1 MiB.
    assert.ok(slab.made <= 2, `${slab.made} slabs made`);
  });

  it("gives a slab up when a release matches no hold, rather than trust its count", () => {
    const slab = new ReadSlab();
    const first = read(slab, READ_BYTES, 1);
    ReadSlab.hold(first);
    ReadSlab.release(first);
    ReadSlab.release(first); // one too many: the count can no longer be believed
    for (let k = 0; k < 16; k++) read(slab, READ_BYTES, 2);
    const again = read(slab, READ_BYTES, 3);
    assert.notEqual(again.buffer, first.buffer, "the slab with the bad count is not reused");
    assert.ok(first.every((b) => b === 1));
  });

  it("does nothing for views of other memory", () => {
    const other = new Uint8Array(8);
    ReadSlab.hold(other);
    ReadSlab.release(other);
    ReadSlab.release(other);
  });
});

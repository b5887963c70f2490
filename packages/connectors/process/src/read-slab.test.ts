import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { READ_BYTES, ReadSlab } from "./read-slab.ts";

describe("stdout's read slab", () => {
  it("keeps every read as it was filled; a read follows the last in memory unless a slab ran out", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: READ_BYTES }), { maxLength: 60 }), (sizes) => {
        const slab = new ReadSlab();
        const kept: Uint8Array[] = [];
        for (const [k, n] of sizes.entries()) {
          const buffer = slab.next();
          assert.ok(buffer.length >= READ_BYTES, "a read always gets a whole pipe's room");
          // As the kernel would: the read fills n bytes of the buffer.
          buffer.fill(k & 0xff, 0, n);
          const read = slab.took(buffer, n);
          const last = kept.at(-1);
          if (last !== undefined && last.buffer === read.buffer)
            assert.equal(read.byteOffset, last.byteOffset + last.length);
          kept.push(read);
        }
        for (const [k, read] of kept.entries())
          assert.ok(
            read.every((b) => b === (k & 0xff)),
            `read ${k} was written over`,
          );
      }),
      { numRuns: 50 },
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { READ_BYTES, ReadSlab } from "./read-slab.ts";
import { StdoutReader } from "./stdout-reader.ts";

const noop = () => {};

/** An unjournaled reader of lines, as a route's source end without a journal has. */
const linesReader = () =>
  new StdoutReader({ framing: "lines", name: "test", broken: noop, truncated: noop });

/** Lines without a newline in them, as the program writes them. */
const line = fc.string({ maxLength: 40 }).map((s) => s.replaceAll("\n", " "));

describe("stdout reader", () => {
  it("reads queued a read an entry come out a line at a time, each once, in order, however reads and takes interleave", () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.nat({ max: 5 }), { maxLength: 20 }),
        (lines, cuts, takesBetween) => {
          const reader = linesReader();
          const onStdout = reader.nextStream();
          const stream = Buffer.from(lines.map((l) => `${l}\n`).join(""));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const out: string[] = [];
          const take = () =>
            reader.take((payload, end) => {
              assert.equal(end, 0, "not journaled: every end is 0");
              return Buffer.from(payload).toString();
            });
          let at = 0;
          let read = 0;
          for (const p of [...points, stream.length]) {
            // Each read is a copy of its own, as the read slab hands them over.
            onStdout(Uint8Array.prototype.slice.call(stream, at, p));
            at = p;
            for (let k = 0; k < (takesBetween[read++ % (takesBetween.length || 1)] ?? 0); k++) {
              const next = take();
              if (next !== undefined) out.push(next);
            }
          }
          for (let next = take(); next !== undefined; next = take()) out.push(next);
          assert.deepEqual(out, lines);
          assert.equal(take(), undefined);
        },
      ),
    );
  });

  it("never lets a read slab be read into while a message or an unfinished line of it is unreleased", () => {
    fc.assert(
      fc.property(
        // Lines up to two reads long: unfinished lines span reads and slabs.
        fc.array(fc.integer({ min: 0, max: 2 * READ_BYTES }), { minLength: 20, maxLength: 40 }),
        // Mostly large reads (a slab fills), some tiny ones (a newline read alone).
        fc.array(
          fc.oneof(
            { arbitrary: fc.integer({ min: 4096, max: READ_BYTES }), weight: 4 },
            { arbitrary: fc.integer({ min: 1, max: 64 }), weight: 1 },
          ),
          { minLength: 1, maxLength: 30 },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        (lengths, readSizes, picks) => {
          const reader = linesReader();
          const onStdout = reader.nextStream();
          const slab = new ReadSlab();
          // Line k is `lengths[k]` bytes of one printable byte each (never a newline): told apart.
          const fillOf = (k: number) => 0x20 + (k % 90);
          const stream = Buffer.concat(
            lengths.map((n, k) => Buffer.concat([Buffer.alloc(n, fillOf(k)), Buffer.from("\n")])),
          );
          // Taken and not yet released, as the pump holds them: each checked before its release.
          const taken: { payload: Uint8Array; k: number }[] = [];
          let next = 0;
          let turn = 0;
          const check = ({ payload, k }: { payload: Uint8Array; k: number }) => {
            assert.equal(payload.length, lengths[k], `line ${k}'s length`);
            if (payload.length > 0) {
              assert.equal(payload[0], fillOf(k), `line ${k} was written over`);
              assert.equal(payload[payload.length - 1], fillOf(k), `line ${k} was written over`);
            }
          };
          const takeSome = () => {
            const pick = picks[turn++ % picks.length] as number;
            for (let t = 0; t < pick % 4; t++) {
              const payload = reader.take((p) => p);
              if (payload === undefined) break;
              taken.push({ payload, k: next++ });
            }
            for (const t of taken) check(t);
            // Released out of order, some of them: others stay held a while.
            for (let r = 0; r < pick % 3 && taken.length > 0; r++) {
              const [gone] = taken.splice((pick >> 2) % taken.length, 1);
              reader.release((gone as { payload: Uint8Array }).payload);
            }
          };
          for (let at = 0, r = 0; at < stream.length; r++) {
            // As program.ts's onread does: the kernel fills the buffer the slab gave.
            const buffer = slab.next();
            const n = Math.min(readSizes[r % readSizes.length] as number, stream.length - at);
            buffer.set(stream.subarray(at, at + n));
            at += n;
            onStdout(slab.took(buffer, n));
            takeSome();
          }
          for (let payload = reader.take((p) => p); payload !== undefined; ) {
            taken.push({ payload, k: next++ });
            payload = reader.take((p) => p);
          }
          for (const t of taken) check(t);
          assert.equal(next, lengths.length, "every line came out once");
        },
      ),
      { numRuns: 40 },
    );
  });
});

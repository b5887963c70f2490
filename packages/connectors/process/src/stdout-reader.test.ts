import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { StdoutReader } from "./stdout-reader.ts";

const noop = () => {};

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
          const reader = new StdoutReader({
            framing: "lines",
            name: "test",
            broken: noop,
            truncated: noop,
          });
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
});

/**
 * Stream lanes coalesce the frames written in one go into one writev (stream-lane.ts). What
 * must not change: every frame arrives whole, once, in order, with its own sequence number,
 * however the writes are grouped into bursts — and an `end()` in the same go as a burst sends
 * the burst before EOS.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import fc from "fast-check";
import {
  connectWriter,
  type Frame,
  type LaneKind,
  type LaneReader,
  type LaneWriter,
  listenReader,
} from "../src/index.ts";

async function pair(kind: LaneKind): Promise<{ writer: LaneWriter; reader: LaneReader }> {
  const l = await listenReader(kind);
  const writer = await connectWriter(l.address);
  return { writer, reader: await l.accepted };
}

/** Payload i: its length and bytes say which write it was. */
function payload(i: number, size: number): Uint8Array {
  return new Uint8Array(size).fill(i & 0xff);
}

/** Writes each burst in one synchronous run (waiting for 'drain' only between bursts). */
async function writeBursts(writer: LaneWriter, bursts: number[][]): Promise<void> {
  let i = 0;
  for (const burst of bursts) {
    let room = true;
    for (const size of burst) room = writer.write(payload(i++, size));
    if (!room) await new Promise((resolve) => writer.once("drain", resolve));
    else await yieldToEventLoop();
  }
}

const bursts = fc.array(fc.array(fc.integer({ min: 0, max: 9000 }), { maxLength: 40 }), {
  minLength: 1,
  maxLength: 8,
});

for (const kind of ["uds", "tcp"] as const) {
  describe(`${kind} lane, frames written in bursts`, () => {
    it("arrive whole, once, in order, numbered one by one; end() after a burst sends it first (property)", async () => {
      await fc.assert(
        fc.asyncProperty(bursts, async (groups) => {
          const { writer, reader } = await pair(kind);
          const frames: Frame[] = [];
          reader.on("frame", (f: Frame) => frames.push({ ...f, payload: Buffer.from(f.payload) }));
          const ended = new Promise<void>((resolve, reject) => {
            reader.once("end", resolve);
            reader.once("error", reject);
          });
          await writeBursts(writer, groups.slice(0, -1));
          // The last burst and end() in the same synchronous run: the corked frames go first.
          let i = groups.slice(0, -1).flat().length;
          for (const size of groups.at(-1) ?? []) writer.write(payload(i++, size));
          await writer.end();
          await ended;
          const sizes = groups.flat();
          assert.equal(frames.length, sizes.length);
          frames.forEach((f, n) => {
            assert.equal(f.seq, n + 1);
            assert.deepEqual(f.payload, Buffer.from(payload(n, sizes[n] as number)));
          });
        }),
        { numRuns: 25 },
      );
    });
  });
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { maxRecord, SpscRing, segmentSize } from "./ring.ts";

function ring(capacity: number): { ring: SpscRing; buffer: SharedArrayBuffer } {
  const buffer = new SharedArrayBuffer(segmentSize(capacity));
  return { ring: SpscRing.format(buffer, capacity), buffer };
}

const fillWith = (n: number, length: number) => (data: Uint8Array, offset: number) => {
  for (let i = 0; i < length; i++) data[offset + i] = (n + i) & 0xff;
};

describe("SpscRing", () => {
  it("refuses capacities that are not powers of two, and segments that are not rings", () => {
    assert.throws(() => ring(5000), /power of two/);
    assert.throws(() => SpscRing.attach(new SharedArrayBuffer(segmentSize(4096))), /bad magic/);
  });

  it("a full ring refuses a record without writing anything; reading frees the space", () => {
    const { ring: r } = ring(4096);
    const big = maxRecord(4096);
    // Two of the largest records fit (each is under half the ring); a third does not.
    assert.equal(r.tryWrite(big, fillWith(1, big)), true);
    assert.equal(r.tryWrite(big, fillWith(2, big)), true);
    const used = r.used();
    assert.equal(r.tryWrite(big, fillWith(3, big)), false);
    assert.equal(r.used(), used);
    const seen: number[] = [];
    assert.equal(
      r.read((rec) => seen.push(rec.length), 1),
      1,
    );
    assert.deepEqual(seen, [big]);
    assert.equal(r.tryWrite(big, fillWith(3, big)), true);
  });

  it("property: any interleaving of writes and reads delivers every record, whole and in order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constant(-1)), {
          minLength: 1,
          maxLength: 300,
        }),
        (ops) => {
          const { ring: r } = ring(4096);
          const sent: number[] = [];
          const got: number[] = [];
          let next = 0;
          const check = (rec: Uint8Array) => {
            const n = got.length;
            const length = sent[n] as number;
            assert.equal(rec.length, length);
            for (let i = 0; i < length; i++) assert.equal(rec[i], (n + i) & 0xff);
            got.push(length);
          };
          for (const op of ops) {
            if (op < 0) r.read(check);
            else if (r.tryWrite(op, fillWith(next, op))) {
              sent.push(op);
              next++;
            }
          }
          r.read(check);
          assert.deepEqual(got, sent);
          assert.equal(r.used(), 0);
        },
      ),
    );
  });

  it("property: read(…, until) takes exactly the records published before `until` was seen", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 1500 }),
            fc.constant("snapshot" as const),
            fc.constant("read" as const),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        (ops) => {
          const { ring: r } = ring(4096);
          let written = 0;
          let read = 0;
          // The snapshot: the write index and how many records were written before it.
          let seen = { index: r.consumed(), records: 0 };
          for (const op of ops) {
            if (op === "snapshot") seen = { index: r.written(), records: written };
            else if (op === "read") {
              const n = r.read(() => {}, Number.POSITIVE_INFINITY, seen.index);
              // Up to the snapshot; none when everything before it was read already.
              assert.equal(n, Math.max(0, seen.records - read));
              read += n;
            } else if (r.tryWrite(op, fillWith(written, op))) written++;
          }
          read += r.read(() => {});
          assert.equal(read, written);
        },
      ),
    );
  });

  it("two threads, 200,000 records through a 4 KiB ring: every byte arrives in order", async () => {
    const { ring: r, buffer } = ring(4096);
    const count = 200_000;
    const producer = new Worker(
      `
      const { workerData } = require("node:worker_threads");
      const { buffer, count } = workerData;
      const control = new Int32Array(buffer, 0, 1024);
      const data = new Uint8Array(buffer, 4096, 4096);
      const view = new DataView(buffer, 4096, 4096);
      // A plain-JS replica of SpscRing.tryWrite, so the worker needs no TypeScript loader.
      let n = 0;
      while (n < count) {
        const length = (n * 7919) % 700;
        const write = Atomics.load(control, 16) >>> 0, read = Atomics.load(control, 32) >>> 0;
        const pos = write & 4095, need = (4 + length + 7) & ~7, toEnd = 4096 - pos, pad = need > toEnd ? toEnd : 0;
        if (need + pad > 4096 - ((write - read) >>> 0)) continue;
        let at = pos;
        if (pad) { view.setUint32(pos, 0xffffffff, true); at = 0; }
        view.setUint32(at, length, true);
        for (let i = 0; i < length; i++) data[at + 4 + i] = (n + i) & 0xff;
        Atomics.store(control, 16, (write + pad + need) | 0);
        n++;
      }`,
      { eval: true, workerData: { buffer, count } },
    );
    let got = 0;
    let bad = 0;
    while (got < count) {
      r.read((rec) => {
        const length = (got * 7919) % 700;
        if (rec.length !== length) bad++;
        else for (let i = 0; i < length; i++) if (rec[i] !== ((got + i) & 0xff)) bad++;
        got++;
      });
      if (!r.hasData()) await new Promise((resolve) => setImmediate(resolve));
    }
    await producer.terminate();
    assert.equal(got, count);
    assert.equal(bad, 0);
  });
});

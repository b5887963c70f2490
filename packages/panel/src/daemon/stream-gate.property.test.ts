/**
 * The stream gate against a model: over any sequence of streams opening and ending on a few
 * connections, a stream is refused exactly when the total or its connection's count is at its
 * cap, a slot given back twice counts once, and once every stream ended nothing is held.
 */
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { StreamGate } from "./stream-gate.ts";

type Op = { kind: "open"; peer: number } | { kind: "end"; pick: number; twice: boolean };

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("open" as const), peer: fc.nat({ max: 3 }) }),
    fc.record({ kind: fc.constant("end" as const), pick: fc.nat(), twice: fc.boolean() }),
  ),
  { maxLength: 200 },
);

describe("StreamGate: properties", () => {
  it("refuses exactly past either cap, and frees each slot once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        ops,
        (max, per, seq) => {
          const gate = new StreamGate({ max, perConnection: per }, { collect: undefined });
          const held: { peer: number; release: () => void }[] = [];
          const onPeer = (p: number) => held.filter((h) => h.peer === p).length;
          for (const op of seq as Op[]) {
            if (op.kind === "open") {
              const full = held.length >= max || onPeer(op.peer) >= per;
              const slot = gate.take(`rtt-caller-${op.peer}`);
              if (full) {
                assert.ok(slot instanceof RttError);
                assert.equal(slot.code, "RTT_ERR_API_BUSY");
              } else {
                assert.equal(typeof slot, "function");
                held.push({ peer: op.peer, release: slot as () => void });
              }
            } else if (held.length > 0) {
              const [h] = held.splice(op.pick % held.length, 1);
              h?.release();
              if (op.twice) h?.release();
            }
            assert.equal(gate.open, held.length);
          }
          for (const h of held.splice(0)) h.release();
          assert.equal(gate.open, 0);
          // Every slot is free again: as many streams as the caps allow are taken.
          const again = Array.from({ length: Math.min(max, per) }, () => gate.take("rtt-caller-9"));
          assert.ok(again.every((s) => typeof s === "function"));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("StreamGate: after a burst", () => {
  it("collects once the last of a burst's streams ended and none opened for a while", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      let collected = 0;
      const gate = new StreamGate(
        { max: 1024, perConnection: 256 },
        { collect: () => collected++ },
      );
      const burst = () =>
        Array.from({ length: 100 }, (_, i) => gate.take(`p${i % 4}`) as () => void);
      const first = burst();
      for (const release of first) release();
      mock.timers.tick(1000);
      // A stream opened in the quiet time puts the collection off until it too has ended.
      const late = gate.take("p9") as () => void;
      mock.timers.tick(5000);
      assert.equal(collected, 0);
      late();
      mock.timers.tick(2000);
      assert.equal(collected, 1);
      // A few streams are no burst: nothing to collect after them.
      const few = Array.from({ length: 10 }, () => gate.take("p1") as () => void);
      for (const release of few) release();
      mock.timers.tick(10_000);
      assert.equal(collected, 1);
    } finally {
      mock.timers.reset();
    }
  });
});

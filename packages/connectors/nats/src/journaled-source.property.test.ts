import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RouteJournal } from "@rtt/connector-sdk";
import fc from "fast-check";
import { JournaledSource } from "./journaled-source.ts";

/** What JetStream may do to a journaled end, in any order. */
type Step =
  | { readonly op: "deliver"; readonly seq: number }
  | { readonly op: "floor"; readonly upTo: number }
  | { readonly op: "crash"; readonly torn: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("deliver"), seq: fc.integer({ min: 1, max: 60 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("floor"), upTo: fc.integer({ min: 0, max: 60 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("crash"), torn: fc.integer({ min: 0, max: 7 }) }),
  },
);

describe("JournaledSource, property", () => {
  it("takes each sequence exactly once across any deliveries, ack floors and crashes", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const dir = mkdtempSync(join(tmpdir(), "rtt-nats-journal-prop-"));
        const state = join(dir, "source");
        const journal = RouteJournal.open(dir, 1_000_000, "prop");
        assert.ok(journal instanceof RouteJournal);
        try {
          let source = new JournaledSource(journal, state, () => {});
          const taken = new Set<number>();
          for (const s of steps) {
            if (s.op === "deliver") {
              const out = source.take(s.seq, Buffer.from(String(s.seq)));
              assert.equal(out !== undefined, !taken.has(s.seq), `sequence ${s.seq}`);
              taken.add(s.seq);
            } else if (s.op === "floor") {
              // JetStream's floor only covers what was acked, and this end acks what it took.
              let floor = 0;
              while (floor < s.upTo && taken.has(floor + 1)) floor++;
              source.ackFloor(floor);
            } else {
              source.close();
              if (s.torn > 0)
                appendFileSync(join(state, "nats-journaled"), Buffer.alloc(s.torn, 0xff));
              source = new JournaledSource(journal, state, () => {});
            }
          }
          for (let seq = 1; seq <= 60; seq++) assert.equal(source.journaled(seq), taken.has(seq));
          source.close();
        } finally {
          journal.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});

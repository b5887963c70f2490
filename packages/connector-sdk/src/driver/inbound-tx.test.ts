/**
 * The inbound side with a connector that borrows (ConnectorSpec.txBorrows): `tx` is handed the
 * shm ring's view and copies only what it keeps; while a tx runs on past its call the frames
 * behind it wait in the ring. Over a small ring whose slots are written again and again, every
 * message must still reach tx intact, in order, once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually } from "@rtt/core/testing";
import { connectWriter, type LaneReader, listenReader, loadShm } from "@rtt/fabric";
import { defineConnector } from "./define-connector.ts";
import { InboundTx } from "./inbound-tx.ts";
import { LatencyProbes } from "./latency-probes.ts";
import { LinkScope } from "./link-scope.ts";

const MESSAGES = 600;

function payload(n: number): Uint8Array {
  // 700..1,600 bytes, each byte a function of n: a view read after its slot was reused shows.
  return new Uint8Array(700 + ((n * 37) % 900)).fill(n & 0xff);
}

describe("inbound tx with a borrowing connector", {
  skip: loadShm() === undefined ? "native addon not built" : false,
}, () => {
  for (const [what, borrows] of [
    ["borrowing", true],
    ["copying", false],
  ] as const)
    it(`${what}: every frame reaches tx intact, in order, though tx often finishes later`, async () => {
      const got: string[] = [];
      const connector = defineConnector<null>({
        name: "borrower",
        version: "1.0.0",
        txBorrows: borrows,
        probe: () => [],
        open: () => null,
        // What it keeps past its return it copies first, as the contract asks.
        tx: (_link, bytes) => {
          const kept = Uint8Array.prototype.slice.call(bytes);
          const note = (): void => {
            got.push(`${kept.length}:${kept[0]}:${kept.at(-1)}`);
          };
          if (got.length % 3 !== 0) return note();
          return sleep(1).then(note);
        },
        rx: async function* () {},
        close: () => {},
        health: () => ({ ok: true, lag_ms: 0 }),
      });
      const scope = new LinkScope("l1", () => {});
      const inbound = new InboundTx(
        scope,
        connector,
        null,
        new LatencyProbes(scope.counters),
        undefined,
      );
      const listener = await listenReader("shm", { capacity: 16 * 1024 });
      const writer = await connectWriter(listener.address);
      const reader: LaneReader = await listener.accepted;
      inbound.attach(reader);
      for (let n = 1; n <= MESSAGES; n++)
        if (!writer.write(payload(n))) await new Promise((r) => writer.once("drain", r));
      await eventually(() => got.length === MESSAGES, { what: "every message taken by tx" });
      assert.deepEqual(
        got,
        Array.from({ length: MESSAGES }, (_, k) => {
          const p = payload(k + 1);
          return `${p.length}:${p[0]}:${p.at(-1)}`;
        }),
      );
      await writer.end();
      inbound.close();
    });
});

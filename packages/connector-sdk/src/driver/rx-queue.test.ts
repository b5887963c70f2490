import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { RxQueue } from "./rx-queue.ts";

function message(n: number) {
  return { payload: new Uint8Array([n]), correlation: n };
}

test("RxQueue: drain yields in push order, waits for pushes, and ends after what is queued", async () => {
  const queue = new RxQueue();
  queue.push(message(1));
  queue.push(message(2));
  const seen: number[] = [];
  const drained = (async () => {
    for await (const m of queue.drain()) seen.push(m.correlation);
  })();
  await yieldToLoop();
  assert.deepEqual(seen, [1, 2]);
  queue.push(message(3));
  await yieldToLoop();
  assert.deepEqual(seen, [1, 2, 3], "a waiting drain wakes at the next push");
  queue.push(message(4));
  queue.end();
  queue.push(message(5));
  await drained;
  assert.deepEqual(seen, [1, 2, 3, 4], "what was queued before end, nothing pushed after");
});

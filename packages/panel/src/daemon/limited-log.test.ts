import assert from "node:assert/strict";
import { it } from "node:test";
import { limitedLog } from "./limited-log.ts";

it("writes at most `max` lines a window, then says how many it left out", () => {
  const lines: string[] = [];
  let clock = 0;
  const log = limitedLog((l) => lines.push(l), { max: 3, windowMs: 1000, now: () => clock });
  for (let i = 0; i < 10; i++) log(`refused ${i}`);
  assert.deepEqual(lines, ["refused 0", "refused 1", "refused 2"]);
  clock = 999;
  log("refused 10");
  assert.equal(lines.length, 3);
  clock = 1000;
  log("refused 11");
  log("refused 12");
  assert.deepEqual(lines.slice(3), [
    "refused 11 (8 more like it before were not logged)",
    "refused 12",
  ]);
});

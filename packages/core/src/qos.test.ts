import assert from "node:assert/strict";
import { test } from "node:test";
import { isLaneKind, LANE_KINDS } from "./qos.ts";

test("isLaneKind accepts exactly the lane kinds", () => {
  for (const kind of LANE_KINDS) assert.ok(isLaneKind(kind), kind);
  for (const text of ["", "SHM", "shm ", "unix", "udp", "toString"]) {
    assert.equal(isLaneKind(text), false, JSON.stringify(text));
  }
});

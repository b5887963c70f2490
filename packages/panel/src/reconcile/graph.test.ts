import assert from "node:assert/strict";
import { test } from "node:test";
import { wiredOneWay } from "../daemon/route-fixtures.ts";
import { failedOverOf, graphJson, graphOf } from "./graph.ts";

test("the graph journals the wired routes on a failover target, sorted, and reads them back", () => {
  const a = wiredOneWay("a");
  const b = wiredOneWay("b");
  const graph = graphOf([b, a], {}, {}, ["b", "gone", "a"]);
  assert.deepEqual(graph.failed_over, ["a", "b"], "only wired routes, sorted");
  assert.deepEqual(failedOverOf(JSON.parse(JSON.stringify(graphJson(graph)))), ["a", "b"]);
  assert.equal("failed_over" in graphOf([a]), false, "absent when none");
  assert.deepEqual(failedOverOf(graphJson(graphOf([a]))), []);
  assert.deepEqual(failedOverOf({ failed_over: ["x", 3, null] }), ["x"]);
});

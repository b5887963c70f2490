/**
 * panel.proto is the panel API's only contract for clients in other languages: every field says
 * what it is, and the loaded service has every method this API promises.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { PANEL_PROTO_PATH, panelPackage } from "@rtt/connector-sdk";

test("every field of panel.proto has a comment", () => {
  const lines = readFileSync(PANEL_PROTO_PATH, "utf8").split("\n");
  let fields = 0;
  lines.forEach((line, i) => {
    // A field: `type name = N;` inside a message (map and repeated included).
    if (!/^\s+(repeated\s+)?[\w.<>, ]+\s+\w+\s*=\s*\d+;/.test(line)) return;
    fields++;
    assert.match(lines[i - 1] ?? "", /^\s*\/\//, `line ${i + 1} has no comment: ${line.trim()}`);
  });
  assert.ok(fields >= 70, `only ${fields} fields found: is the pattern still right?`);
});

test("the loaded Panel service has every method of the API", () => {
  assert.deepEqual(Object.keys(panelPackage().Panel.service).sort(), [
    "ApplyPlan",
    "Audit",
    "Heal",
    "Health",
    "ListRoutes",
    "ListSymbols",
    "PlanRoutes",
    "QuickConnect",
    "Rollback",
    "Scan",
    "Shutdown",
    "Status",
    "Trip",
  ]);
});

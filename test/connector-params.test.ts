// A built-in connector that declares the route parameters its open reads (ConnectorSpec.params:
// what a fan-out source is keyed on, ADR 0025) lists exactly those its sources read.
import assert from "node:assert/strict";
import { it } from "node:test";
import { fileConnector } from "@rtt/connector-file";
import { natsConnector } from "@rtt/connector-nats";
import { processConnector } from "@rtt/connector-process";
import { paramsRead } from "./support/connector-params.ts";

it("the process, file and nats connectors declare every route parameter they read", () => {
  for (const [dir, connector] of [
    ["process", processConnector],
    ["file", fileConnector],
    ["nats", natsConnector],
  ] as const)
    assert.deepEqual([...(connector.params ?? ["(none declared)"])].sort(), paramsRead(dir), dir);
});

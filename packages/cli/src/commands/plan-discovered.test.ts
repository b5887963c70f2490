/**
 * `rtt plan` shows where a discovered end came from (ADR 0026): instead of a manifest, every
 * indexer claim it was merged from, next to the argv it would run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Contract, type JsonValue, symbolFromContract } from "@rtt/core";
import { EMPTY_TOPOLOGY, makePlan, NOT_STRICT } from "@rtt/panel";
import { printPlan } from "./plan.ts";

const run = (argv: string[]): Record<string, JsonValue> => ({ "x-run": argv, "x-cwd": "." });

test("a discovered end is shown with its provenance and argv; a manifest's with its manifest", () => {
  const tool: Contract = {
    saddr: "rtt://app/proc/tool@0.0.0",
    type: "proc",
    direction: "provider",
    ...run(["tool", "--serve"]),
  };
  const logger: Contract = {
    saddr: "rtt://obs/proc/logger@1.0.0",
    type: "proc",
    direction: "consumer",
    ...run(["node", "logger.mjs"]),
  };
  const catalog = [
    symbolFromContract(tool, {
      file: "app/pyproject.toml",
      line: 7,
      scanner: "indexer:python",
      score: 0.9,
      provenance: [
        { indexer: "python", file: "app/pyproject.toml", line: 7 },
        { indexer: "python", file: "app/setup.cfg", line: 3 },
      ],
    }),
    symbolFromContract(logger, { file: "obs/rtt.manifest.json", scanner: "manifest", score: 1 }),
  ];
  const plan = makePlan(
    {
      catalog,
      routes: [{ id: "r", from: tool.saddr, to: logger.saddr }],
      policy: {},
      prefer: [],
      security: NOT_STRICT,
    },
    EMPTY_TOPOLOGY,
    0,
  );
  let text = "";
  printPlan({ write: (t) => (text += t), isTTY: false, color: false }, plan, catalog);
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith("    from "));
  assert.deepEqual(lines.slice(at, at + 6), [
    "    from no manifest (score 0.9; `rtt adopt` writes one)",
    "      discovered by indexer:python at app/pyproject.toml:7",
    "      discovered by indexer:python at app/setup.cfg:3",
    '      runs ["tool","--serve"] in app',
    "    to manifest obs/rtt.manifest.json",
    '      runs ["node","logger.mjs"] in obs',
  ]);
});

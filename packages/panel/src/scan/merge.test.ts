/**
 * The merge of ADR 0026 on one worked example: what is merged, what is outranked, and the
 * reasons `rtt scan --explain` prints for each.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Contract, type JsonValue, symbolFromContract } from "@rtt/core";
import type { IndexerClaim } from "./indexing.ts";
import { resolveAll } from "./merge.ts";

const SADDR = "rtt://app/proc/tool@0.0.0";

function claim(
  indexer: string,
  file: string,
  line: number,
  score: number,
  extra: Record<string, JsonValue>,
): IndexerClaim {
  return {
    indexer,
    saddr: SADDR,
    discovery: {
      contract: { saddr: SADDR, type: "proc", direction: "provider", ...extra },
      score,
      provenance: { indexer, file, line },
    },
  };
}

describe("merging one address's claims", () => {
  it("merges the top score field by field and records why each claim fared as it did", () => {
    const r = resolveAll(
      [],
      [
        claim("shell", "app/bin/tool", 1, 0.6, { "x-run": ["./bin/tool"] }),
        claim("python", "app/sub/setup.cfg", 4, 0.9, { capabilities: ["push"], "x-cwd": ".." }),
        claim("python", "app/pyproject.toml", 7, 0.9, {
          capabilities: ["pull"],
          "x-run": ["tool"],
          "x-cwd": ".",
        }),
      ],
      () => ({}),
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.symbols.length, 1);
    const s = r.symbols[0];
    assert.deepEqual(s?.source, {
      file: "app/pyproject.toml",
      line: 7,
      scanner: "indexer:python",
      score: 0.9,
      provenance: [
        { indexer: "python", file: "app/pyproject.toml", line: 7 },
        { indexer: "python", file: "app/sub/setup.cfg", line: 4 },
      ],
    });
    assert.deepEqual(s?.capabilities, ["pull", "push"]);
    // Both say the folder app/: the same x-cwd, written against app/pyproject.toml's folder.
    assert.deepEqual(s?.extensions, { "x-cwd": ".", "x-run": ["tool"] });
    assert.deepEqual(
      r.claims.map((c) => [c.verdict, c.source, `${c.file}:${c.line}`, c.reason]),
      [
        [
          "merged",
          "indexer:python",
          "app/pyproject.toml:7",
          "merged with the other 1 claim(s) of score 0.9: no field differs",
        ],
        [
          "merged",
          "indexer:python",
          "app/sub/setup.cfg:4",
          "merged with the other 1 claim(s) of score 0.9: no field differs",
        ],
        [
          "outranked",
          "indexer:shell",
          "app/bin/tool:1",
          "score 0.6 < 0.9 of indexer:python at app/pyproject.toml:7",
        ],
      ],
    );
  });

  it("names the differing field and both places when the top score disagrees", () => {
    const r = resolveAll(
      [],
      [
        claim("node", "web/package.json", 3, 0.9, { "x-run": ["node", "a.js"] }),
        claim("python", "web/pyproject.toml", 9, 0.9, { "x-run": ["python", "-m", "a"] }),
      ],
      () => ({}),
    );
    assert.deepEqual(r.symbols, []);
    assert.deepEqual(
      r.claims.map((c) => [c.verdict, c.reason]),
      [
        [
          "conflict",
          "x-run differs between indexer:node at web/package.json:3 and indexer:python at web/pyproject.toml:9, at the same score 0.9",
        ],
        [
          "conflict",
          "x-run differs between indexer:node at web/package.json:3 and indexer:python at web/pyproject.toml:9, at the same score 0.9",
        ],
      ],
    );
  });
});

describe("a file a manifest runs", () => {
  it("is shadowed: the program is declared already, under the manifest's address", () => {
    const manifest = symbolFromContract(
      {
        saddr: "rtt://core/bus/events@1.0.0",
        type: "bus",
        direction: "provider",
        "x-run": ["python3", "emit.py"],
        "x-cwd": "bin",
      } as Contract,
      { file: "services/events/rtt.manifest.json", scanner: "manifest", score: 1 },
    );
    const script = claim("shebang", "services/events/bin/emit.py", 1, 0.6, {});
    const elsewhere = claim("shebang", "services/events/emit.py", 1, 0.6, {});
    const run = resolveAll(
      [{ symbol: manifest, at: { line: 1, column: 1 } }],
      [script],
      () => ({}),
    );
    assert.deepEqual(
      run.symbols.map((s) => s.saddr),
      ["rtt://core/bus/events@1.0.0"],
    );
    const record = run.claims.find((c) => c.source === "indexer:shebang");
    assert.equal(record?.verdict, "shadowed");
    assert.equal(record?.reason, "the manifest services/events/rtt.manifest.json runs this file");
    const notRun = resolveAll(
      [{ symbol: manifest, at: { line: 1, column: 1 } }],
      [elsewhere],
      () => ({}),
    );
    assert.deepEqual(
      notRun.symbols.map((s) => s.saddr),
      [SADDR, "rtt://core/bus/events@1.0.0"],
    );
  });
});

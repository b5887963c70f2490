/**
 * The merge rules of ADR 0026 as laws over random claims: the order of indexers and files never
 * changes the catalog; a manifest always wins its address; claims of the top score that differ
 * in a field are always reported and never picked, and those that do not merge (capabilities
 * united, provenance concatenated).
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { describe, it } from "node:test";
import { canonicalJson, type JsonValue, symbolFromContract } from "@rtt/core";
import fc from "fast-check";
import type { Claim } from "./claims.ts";
import type { IndexerClaim } from "./indexing.ts";
import { resolveAll } from "./merge.ts";

const ADDRESSES = ["rtt://p/proc/a@0.0.0", "rtt://p/proc/b@0.0.0", "rtt://q/proc/a@1.0.0"];
const FILES = ["a/pyproject.toml", "a/setup.cfg", "b/package.json"];

interface Drawn {
  readonly saddr: string;
  readonly indexer: string;
  readonly file: string;
  readonly line: number;
  readonly score: number;
  readonly direction: "provider" | "consumer";
  readonly run?: string[];
  readonly cwd?: string;
  readonly caps?: string[];
}

const drawn: fc.Arbitrary<Drawn> = fc.record(
  {
    saddr: fc.constantFrom(...ADDRESSES),
    indexer: fc.constantFrom("python", "node", "shell"),
    file: fc.constantFrom(...FILES),
    line: fc.integer({ min: 1, max: 4 }),
    score: fc.constantFrom(0.6, 0.8, 0.9),
    direction: fc.constantFrom("provider", "consumer"),
    run: fc.constantFrom(["./a"], ["./b"]),
    cwd: fc.constantFrom(".", "..", "a"),
    caps: fc.uniqueArray(fc.constantFrom("pull", "push", "stream"), { maxLength: 2 }),
  },
  { requiredKeys: ["saddr", "indexer", "file", "line", "score", "direction"] },
);

function claimOf(d: Drawn): IndexerClaim {
  return {
    indexer: d.indexer,
    saddr: d.saddr,
    discovery: {
      contract: {
        saddr: d.saddr,
        type: "proc",
        direction: d.direction,
        ...(d.caps === undefined ? {} : { capabilities: d.caps }),
        ...(d.run === undefined ? {} : { "x-run": d.run }),
        ...(d.cwd === undefined ? {} : { "x-cwd": d.cwd }),
      },
      score: d.score,
      provenance: { indexer: d.indexer, file: d.file, line: d.line },
    },
  };
}

function manifestOf(saddr: string, file: string): Claim {
  const run: Record<string, JsonValue> = { "x-run": ["./declared"] };
  return {
    symbol: symbolFromContract(
      { saddr, type: "proc", direction: "provider", ...run },
      { file, scanner: "manifest", score: 1 },
    ),
    at: { line: 2, column: 3 },
  };
}

const noTags = () => ({});

/** What two top-score claims disagree on, judged independently of merge.ts. */
function disagree(top: readonly Drawn[]): boolean {
  const meaning = (d: Drawn): Record<string, JsonValue | undefined> => ({
    direction: d.direction,
    "x-run": d.run,
    "x-cwd": d.cwd === undefined ? undefined : posix.join(posix.dirname(d.file), d.cwd),
  });
  for (const key of ["direction", "x-run", "x-cwd"]) {
    const values = new Set(
      top.map((d) => meaning(d)[key]).flatMap((v) => (v === undefined ? [] : [canonicalJson(v)])),
    );
    if (values.size > 1) return true;
  }
  return false;
}

describe("merging claims (ADR 0026)", () => {
  it("gives the same catalog whatever the order of indexers and files", () => {
    fc.assert(
      fc.property(
        fc.array(drawn, { maxLength: 8 }),
        fc.subarray(ADDRESSES, { maxLength: 1 }),
        fc.integer(),
        (claims, declared, seed) => {
          const manifests = declared.map((s) => manifestOf(s, "m/rtt.manifest.json"));
          const shuffled = [...claims]
            .map((c, i) => ({ c, k: Math.sin(seed + i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.c);
          const one = resolveAll(manifests, claims.map(claimOf), noTags);
          const two = resolveAll(manifests, shuffled.map(claimOf), noTags);
          assert.deepEqual(two, one);
        },
      ),
    );
  });

  it("lets a manifest win its address over every indexer claim", () => {
    fc.assert(
      fc.property(
        fc.array(drawn, { maxLength: 8 }),
        fc.constantFrom(...ADDRESSES),
        (claims, at) => {
          const r = resolveAll(
            [manifestOf(at, "m/rtt.manifest.json")],
            claims.map(claimOf),
            noTags,
          );
          const s = r.symbols.find((x) => x.saddr === at);
          assert.equal(s?.source.scanner, "manifest");
          assert.deepEqual(s?.extensions, { "x-run": ["./declared"] });
          for (const c of r.claims.filter((x) => x.saddr === at && x.source !== "manifest"))
            assert.equal(c.verdict, "shadowed");
          assert.ok(!r.conflicts.some((c) => c.saddr === at));
        },
      ),
    );
  });

  it("reports top-score claims that differ and picks none; merges those that do not", () => {
    fc.assert(
      fc.property(fc.array(drawn, { minLength: 1, maxLength: 8 }), (claims) => {
        const r = resolveAll([], claims.map(claimOf), noTags);
        for (const saddr of new Set(claims.map((c) => c.saddr))) {
          const mine = claims.filter((c) => c.saddr === saddr);
          const best = Math.max(...mine.map((c) => c.score));
          const top = mine.filter((c) => c.score === best);
          const symbol = r.symbols.find((s) => s.saddr === saddr);
          if (disagree(top)) {
            assert.equal(symbol, undefined, `${saddr} must not be catalogued`);
            assert.ok(r.conflicts.some((c) => c.saddr === saddr && !c.identical));
            for (const c of top) {
              assert.ok(
                r.diagnostics.some(
                  (d) =>
                    d.code === "RTT_ERR_SCAN_CONFLICT" &&
                    d.file === c.file &&
                    d.line === c.line &&
                    d.message.startsWith(saddr),
                ),
                `${c.file}:${c.line} reported`,
              );
            }
            continue;
          }
          assert.equal(symbol?.source.score, best);
          assert.deepEqual(
            symbol?.capabilities,
            [...new Set(top.flatMap((c) => c.caps ?? []))].sort(),
          );
          assert.deepEqual(
            new Set(symbol?.source.provenance?.map((p) => `${p.indexer} ${p.file}:${p.line}`)),
            new Set(top.map((c) => `${c.indexer} ${c.file}:${c.line}`)),
          );
        }
      }),
    );
  });
});

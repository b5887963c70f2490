/**
 * The laws of the indexer key: it survives the scan state's JSON round trip, and a later scan
 * counts stale exactly the indexers new or revised since — or everything, when the workspace
 * moved or an indexer is gone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  indexerKeyOf,
  parseIndexerKey,
  sameIndexerKey,
  staleIndexers,
} from "./indexer-revisions.ts";
import type { Indexer } from "./indexers/indexer.ts";

const indexer = (name: string, revision: number): Indexer => ({
  name,
  revision,
  wants: () => true,
  read: () => [],
  discover: () => [],
});

/** Indexers of distinct names, each with a revision. */
const registry = fc
  .dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), fc.integer({ min: 1, max: 4 }), {
    maxKeys: 6,
  })
  .map((revisions) => Object.entries(revisions).map(([name, r]) => indexer(name, r)));

describe("indexer revisions", () => {
  it("keeps its key through the scan state's JSON", () => {
    fc.assert(
      fc.property(registry, fc.string(), (indexers, root) => {
        const key = indexerKeyOf(indexers, root);
        const read = parseIndexerKey(JSON.parse(JSON.stringify(key)));
        assert.ok(sameIndexerKey(read, key));
        assert.ok(sameIndexerKey(key, indexerKeyOf([...indexers].reverse(), root)));
      }),
    );
  });

  it("counts stale the new and revised indexers, or all when one is gone", () => {
    fc.assert(
      fc.property(registry, registry, (before, now) => {
        const previous = indexerKeyOf(before, "/w");
        const stale = staleIndexers(previous, indexerKeyOf(now, "/w"), now);
        const gone = before.some((b) => !now.some((n) => n.name === b.name));
        if (gone) return assert.equal(stale, "all");
        const revised = now.filter(
          (n) => !before.some((b) => b.name === n.name && b.revision === n.revision),
        );
        assert.deepEqual(stale, revised);
        assert.equal(staleIndexers(previous, indexerKeyOf(now, "/moved"), now), "all");
      }),
    );
  });

  it("is no key when the state kept another shape", () => {
    for (const value of [undefined, null, "claims in /w", { root: "/w" }, { revisions: {} }])
      assert.equal(parseIndexerKey(value), undefined);
    assert.equal(parseIndexerKey({ root: "/w", revisions: { a: "1" } }), undefined);
  });
});

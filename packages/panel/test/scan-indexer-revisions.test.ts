/**
 * The scan's cache of indexer facts is keyed by each indexer's name and revision: an indexer
 * that finds more in the same bytes (a new RTT version) bumps its revision, and a warm scan then
 * reads the files it wants again — and only those — instead of keeping what the old code found.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { scanWorkspace } from "../src/index.ts";
import type { Indexer } from "../src/scan/indexers/indexer.ts";
import { claimIndexer } from "./claim-indexer.ts";
import { type Fixture, makeWorkspace, manifest } from "./workspace-fixture.ts";

const fixtures: Fixture[] = [];
function workspace(): Fixture {
  const f = makeWorkspace({ init: false });
  fixtures.push(f);
  return f;
}
after(() => {
  for (const f of fixtures) f.remove();
});

const line = (o: Record<string, unknown>) => JSON.stringify(o);

/** `claims` as an older release shipped it: it wants the same files and finds nothing in them. */
function blindClaims(): Indexer & { reads: Map<string, number> } {
  const current = claimIndexer();
  return {
    ...current,
    read(input) {
      current.read(input);
      return [];
    },
  };
}

/** An indexer of `.other` files, to tell which files a scan read again. */
function otherIndexer(): Indexer & { reads: Map<string, number> } {
  return { ...claimIndexer("other"), wants: (e) => e.kind === "file" && e.name.endsWith(".other") };
}

describe("indexer revisions", () => {
  it("reads again the files of a revised indexer, and only those", async () => {
    const w = workspace();
    w.write("a.claim", `${line({ name: "one", score: 0.6 })}\n`);
    w.write("b.other", `${line({ name: "two", score: 0.6, ns: "other" })}\n`);
    w.write("svc/rtt.manifest.json", manifest("rtt://svc/proc/svc@1.0.0"));
    const old = await scanWorkspace(w.paths, { indexers: [blindClaims(), otherIndexer()] });
    assert.deepEqual(
      old.symbols.map((s) => s.saddr),
      ["rtt://other/proc/two@0.0.0", "rtt://svc/proc/svc@1.0.0"],
    );

    const revised = { ...claimIndexer(), revision: 2 };
    const other = otherIndexer();
    const warm = await scanWorkspace(w.paths, { indexers: [revised, other] });
    assert.deepEqual(Object.fromEntries(revised.reads), { "a.claim": 1 });
    assert.deepEqual(Object.fromEntries(other.reads), {}, "the other indexer's facts are recalled");
    assert.deepEqual([warm.reread, warm.cached], [1, 2]);
    assert.deepEqual(
      warm.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/one@0.0.0", "rtt://other/proc/two@0.0.0", "rtt://svc/proc/svc@1.0.0"],
    );
    assert.equal(warm.catalogWritten, true);

    const again = await scanWorkspace(w.paths, { indexers: [revised, other] });
    assert.deepEqual([again.reread, again.catalogWritten], [0, false]);
    assert.equal(revised.reads.get("a.claim"), 1, "the new facts are cached under the revision");
  });

  it("reads every file again when an indexer is gone: its read warnings go with it", async () => {
    const w = workspace();
    w.write("a.claim", `${line({ name: "one", score: 0.6 })}\n`);
    const failing: Indexer = {
      ...claimIndexer("failing"),
      read: () => {
        throw new Error("boom");
      },
    };
    const first = await scanWorkspace(w.paths, { indexers: [claimIndexer(), failing] });
    assert.equal(first.diagnostics.length, 1, "the failing indexer's read is reported");
    const claims = claimIndexer();
    const without = await scanWorkspace(w.paths, { indexers: [claims] });
    assert.deepEqual(without.diagnostics, []);
    assert.equal(claims.reads.get("a.claim"), 1);
  });

  it("reads every indexed file again over a state that kept indexer names only", async () => {
    const w = workspace();
    w.write("a.claim", `${line({ name: "one", score: 0.6 })}\n`);
    await scanWorkspace(w.paths, { indexers: [blindClaims()] });
    // The key as releases before revisions wrote it.
    const state = JSON.parse(readFileSync(w.paths.scanState, "utf8"));
    state.indexers = `claims in ${w.paths.root}`;
    writeFileSync(w.paths.scanState, JSON.stringify(state));
    const claims = claimIndexer();
    const report = await scanWorkspace(w.paths, { indexers: [claims] });
    assert.equal(claims.reads.get("a.claim"), 1);
    assert.deepEqual(
      report.symbols.map((s) => s.saddr),
      ["rtt://claims/proc/one@0.0.0"],
    );
  });
});

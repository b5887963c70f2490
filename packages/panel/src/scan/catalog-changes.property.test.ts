/**
 * catalogChanges' laws: no change between a catalog and itself (in any order); `+` and `-` are
 * exactly the addresses only after and only before; `~` exactly those in both whose records
 * differ; each address once, sorted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CatalogSymbol } from "@rtt/core";
import fc from "fast-check";
import { catalogChanges } from "./catalog-changes.ts";

/** A symbol reduced to what the diff looks at: its address and its record's text. */
const symbol = fc
  .record({ saddr: fc.constantFrom("a", "b", "c", "d", "e"), hash: fc.constantFrom("1", "2") })
  .map(({ saddr, hash }) => ({ saddr, contract_hash: hash }) as unknown as CatalogSymbol);
const catalog = fc.uniqueArray(symbol, { selector: (s) => s.saddr, maxLength: 5 });

describe("catalogChanges", () => {
  it("finds nothing between a catalog and a reordering of it", () => {
    fc.assert(
      fc.property(catalog, (c) => {
        assert.deepEqual(catalogChanges(c, [...c].reverse()), []);
      }),
    );
  });

  it("reports each address as appeared, changed or vanished, as the two catalogs say", () => {
    fc.assert(
      fc.property(catalog, catalog, (before, after) => {
        const changes = catalogChanges(before, after);
        const was = new Map(before.map((s) => [s.saddr, s.contract_hash]));
        const now = new Map(after.map((s) => [s.saddr, s.contract_hash]));
        const expected = [...new Set([...was.keys(), ...now.keys()])].sort().flatMap((saddr) => {
          if (!was.has(saddr)) return [{ change: "+", saddr }];
          if (!now.has(saddr)) return [{ change: "-", saddr }];
          return was.get(saddr) === now.get(saddr) ? [] : [{ change: "~", saddr }];
        });
        assert.deepEqual(changes, expected);
      }),
    );
  });
});

/**
 * The SBOM's laws over random catalogs and committed topologies: every document is valid
 * CycloneDX 1.6, the same state gives the same bytes whatever order the catalog and drivers
 * come in, and two different wirings never share a serial.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { inputsArb, topologyArb, topologyPairArb } from "../plan/plan-fixtures.ts";
import { type Topology, topologyHash } from "../plan/topology.ts";
import { type SbomInput, sbomDocument } from "./document.ts";
import type { DriverInfo } from "./drivers.ts";
import { assertValidSbom } from "./sbom-fixtures.ts";

const catalogArb = inputsArb.map((i) => i.catalog);

function inputOf(catalog: SbomInput["catalog"], topology: Topology): SbomInput {
  const names = new Set<string>();
  for (const e of Object.values(topology.edges)) names.add(e.from.driver).add(e.to.driver);
  const drivers: DriverInfo[] = [...names].map((name) => ({
    name,
    entry: { path: `${name}.ts`, sha256: "0".repeat(64) },
  }));
  return {
    rttVersion: "0.1.0",
    catalog,
    committed: { seq: 1, topology },
    drivers,
    manifests: new Map(),
  };
}

describe("sbomDocument laws", () => {
  it("is always valid CycloneDX 1.6", async () => {
    await fc.assert(
      fc.asyncProperty(catalogArb, topologyArb, async (catalog, topology) => {
        await assertValidSbom(sbomDocument(inputOf(catalog, topology)));
      }),
      { numRuns: 40 },
    );
  });

  it("gives the same bytes whatever the order of the catalog and the drivers", () => {
    fc.assert(
      fc.property(catalogArb, topologyArb, (catalog, topology) => {
        const input = inputOf(catalog, topology);
        const reordered = {
          ...input,
          catalog: [...input.catalog].reverse(),
          drivers: [...input.drivers].reverse(),
        };
        assert.equal(sbomDocument(reordered), sbomDocument(input));
      }),
    );
  });

  it("gives two different wirings two different serials", () => {
    fc.assert(
      fc.property(catalogArb, topologyPairArb, (catalog, [a, b]) => {
        fc.pre(topologyHash(a) !== topologyHash(b));
        const serial = (t: Topology): unknown =>
          (JSON.parse(sbomDocument(inputOf(catalog, t))) as { serialNumber: unknown }).serialNumber;
        assert.notEqual(serial(a), serial(b));
      }),
    );
  });
});

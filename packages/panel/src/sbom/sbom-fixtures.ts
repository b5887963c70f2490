/**
 * Test-only: a small workspace state for the SBOM's tests (a one-way and a request/response
 * route, a signed symbol, a wired end the catalog lost, a driver that cannot be found) and the
 * CycloneDX 1.6 strict validator the document must pass.
 */
import assert from "node:assert/strict";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { type CatalogSymbol, type Contract, symbolFromContract } from "@rtt/core";
import { type Edge, endOf, topologyOf } from "../plan/topology.ts";
import type { SbomInput } from "./document.ts";

/** A contract with its manifest's `x-` keys (how a driver runs or opens it). */
type Manifest = Contract & { readonly [key: `x-${string}`]: unknown };

function symbol(contract: Manifest, file: string): CatalogSymbol {
  return symbolFromContract(contract, { file, scanner: "manifest", score: 1 });
}

export const EVENTS = symbol(
  {
    saddr: "rtt://core/bus/events@1.0.0",
    type: "bus",
    direction: "provider",
    "x-run": ["node", "events.mjs"],
  },
  "services/events/rtt.manifest.json",
);
export const LOGGER = symbol(
  {
    saddr: "rtt://obs/extension/logger@1.9.9#ndjson",
    type: "extension",
    direction: "consumer",
    "x-run": ["node", "logger.mjs"],
  },
  "services/logger/rtt.manifest.json",
);
export const LOGGER2 = symbol(
  {
    saddr: "rtt://obs/extension/logger2@1.0.0#ndjson",
    type: "extension",
    direction: "consumer",
    "x-run": ["node", "logger2.mjs"],
  },
  "services/logger2/rtt.manifest.json",
);
export const METRICS: CatalogSymbol = {
  ...symbol(
    {
      saddr: "rtt://core/api/metrics@1.0.0#prom",
      type: "api",
      direction: "provider",
      io: "req",
    },
    "services/metrics/rtt.manifest.json",
  ),
  signer: { key: "0123456789abcdef0123456789abcdef", trusted: true, name: "ops" },
};
export const UI = symbol(
  { saddr: "rtt://ui/hook/refresh@1.0.0", type: "hook", direction: "consumer", "x-driver": "gone" },
  "ui/rtt.manifest.json",
);

export function edge(
  route: string,
  from: CatalogSymbol,
  to: CatalogSymbol,
  pattern: Edge["pattern"],
): Edge {
  return {
    route,
    from: endOf(from, "process"),
    to: endOf(to, "process"),
    lane: "uds",
    pattern,
    prio: 0,
    params: {},
  };
}

/** Wired ends: the source of `orphan` is no longer in the catalog. */
const ORPHAN = symbol(
  { saddr: "rtt://old/bus/ticks@0.1.0", type: "bus", direction: "provider", "x-run": ["t"] },
  "old/rtt.manifest.json",
);

export function sampleInput(over: Partial<SbomInput> = {}): SbomInput {
  return {
    rttVersion: "0.1.0",
    catalog: [EVENTS, LOGGER, LOGGER2, METRICS, UI],
    committed: {
      seq: 3,
      topology: topologyOf([
        edge("events-to-log", EVENTS, LOGGER, "oneway"),
        edge("ui-refresh", UI, METRICS, "reqrep"),
        edge("orphan", ORPHAN, LOGGER2, "oneway"),
      ]),
    },
    drivers: [
      {
        name: "process",
        version: "0.1.0",
        entry: { path: "@rtt/connector-process/src/driver.ts", sha256: "a".repeat(64) },
      },
      {
        name: "http",
        version: "0.1.0",
        entry: { path: "@rtt/connector-http/src/driver.ts", sha256: "b".repeat(64) },
      },
      { name: "gone" },
    ],
    manifests: new Map([[LOGGER.source.file, "c".repeat(64)]]),
    ...over,
  };
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/** Asserts `text` is a valid CycloneDX 1.6 JSON document (the strict schema). */
export async function assertValidSbom(text: string): Promise<void> {
  assert.equal(await validator.validate(text), null, "valid against the CycloneDX 1.6 schema");
}

/**
 * The SBOM's components: RTT itself, each connector driver (its entry file's hash) and each
 * catalog symbol. A symbol is an `application` component: it is an endpoint that a running
 * program offers (or a file one reads), not code linked into another; its contract hash,
 * manifest, signer and what runs for it are RTT properties, and it depends on the driver that
 * opens it.
 */
import { Enums, Models } from "@cyclonedx/cyclonedx-library";
import { type CatalogSymbol, canonicalJson, parseConcrete } from "@rtt/core";
import type { EdgeEnd } from "../plan/topology.ts";
import type { DriverInfo } from "./drivers.ts";

/** bom-refs: a symbol's is its SADDR (unique in the catalog); the others are prefixed. */
export const RTT_REF = "rtt";
export const symbolRef = (saddr: string): string => saddr;
export const driverRef = (name: string): string => `rtt-driver:${name}`;

/** A property list in name order (the library keeps insertion order when not sorting). */
function properties(
  entries: Readonly<Record<string, string | undefined>>,
): Models.PropertyRepository {
  const repo = new Models.PropertyRepository();
  for (const name of Object.keys(entries).sort()) {
    const value = entries[name];
    if (value !== undefined) repo.add(new Models.Property(name, value));
  }
  return repo;
}

function sha256(hex: string | undefined): Models.HashDictionary {
  const hashes = new Models.HashDictionary();
  if (hex !== undefined) hashes.set(Enums.HashAlgorithm["SHA-256"], hex);
  return hashes;
}

/** RTT itself, the BOM's subject: the patch panel whose wiring this document describes. */
export function rttComponent(
  version: string,
  committed: { readonly seq: number; readonly topologyHash: string },
): Models.Component {
  return new Models.Component(Enums.ComponentType.Application, "rtt", {
    bomRef: RTT_REF,
    version,
    description: "RTT, the Relay Terminal Tool: the patch panel and its committed topology",
    properties: properties({
      "rtt:topology_hash": committed.topologyHash,
      "rtt:wired_by_commit": String(committed.seq),
    }),
  });
}

/** RTT as the tool that wrote the document (no bom-ref: it is not an element of the graph). */
export function rttTool(version: string): Models.Component {
  return new Models.Component(Enums.ComponentType.Application, "rtt", { version });
}

export function driverComponent(driver: DriverInfo): Models.Component {
  return new Models.Component(Enums.ComponentType.Application, driver.name, {
    bomRef: driverRef(driver.name),
    ...(driver.version === undefined ? {} : { version: driver.version }),
    description: "RTT connector driver",
    hashes: sha256(driver.entry?.sha256),
    properties: properties({ "rtt:entry": driver.entry?.path ?? "(no such driver)" }),
  });
}

/** What a symbol component says, from the catalog or, for a wired end the catalog lost, the edge. */
export interface SymbolFacts {
  readonly saddr: string;
  readonly contract_hash: string;
  readonly driver: string | undefined;
  /** The symbol from the catalog; absent for an end of a wired route the catalog no longer has. */
  readonly symbol?: CatalogSymbol;
  /** SHA-256 of its manifest file as it is now. */
  readonly manifestSha256?: string;
}

export function factsOfEnd(end: EdgeEnd): SymbolFacts {
  return { saddr: end.saddr, contract_hash: end.contract_hash, driver: end.driver };
}

/**
 * The manifest keys that say what a driver runs or opens for a symbol (its program's argv and
 * folder, its file, its URL): an SBOM reader asks what runs, not only what is declared. Values
 * other than strings are written as canonical JSON.
 */
const LAUNCH_KEYS = ["x-cwd", "x-path", "x-run", "x-url"] as const;

function launchOf(symbol: CatalogSymbol | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of LAUNCH_KEYS) {
    const value = symbol?.extensions?.[key];
    if (value !== undefined)
      out[`rtt:${key}`] = typeof value === "string" ? value : canonicalJson(value);
  }
  return out;
}

function signerOf(symbol: CatalogSymbol | undefined): Record<string, string | undefined> {
  if (symbol === undefined) return {};
  if (symbol.signer === undefined) return { "rtt:signer": "unsigned" };
  return {
    "rtt:signer": symbol.signer.key,
    "rtt:signer_trusted": String(symbol.signer.trusted),
    "rtt:signer_name": symbol.signer.name,
  };
}

/**
 * The symbol's component; `driver` is the component of the driver that opens it (the library
 * links dependencies by the bom-ref object, not its value).
 */
export function symbolComponent(
  facts: SymbolFacts,
  driver: Models.Component | undefined,
): Models.Component {
  const address = parseConcrete(facts.saddr);
  const variant = address.variant === undefined ? "" : `#${address.variant}`;
  const component = new Models.Component(
    Enums.ComponentType.Application,
    `${address.type}/${address.name}${variant}`,
    {
      bomRef: symbolRef(facts.saddr),
      group: address.namespace,
      version: address.version,
      hashes: sha256(facts.manifestSha256),
      properties: properties({
        "rtt:saddr": facts.saddr,
        "rtt:contract_hash": facts.contract_hash,
        "rtt:driver": facts.driver,
        "rtt:manifest": facts.symbol?.source.file ?? "(not in the catalog)",
        ...signerOf(facts.symbol),
        ...launchOf(facts.symbol),
      }),
    },
  );
  if (driver !== undefined) component.dependencies.add(driver.bomRef);
  return component;
}

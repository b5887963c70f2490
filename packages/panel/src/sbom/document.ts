/**
 * The CycloneDX 1.6 JSON document of a workspace's running topology: RTT itself, its
 * connector drivers, the catalog's symbols and the committed routes with their data flows.
 * Byte-identical for the same state: every list is put in code-point order of its bom-ref here
 * (the library's own sorting uses localeCompare, which depends on the locale), the serial is
 * derived from the content, and a timestamp is written only when asked for.
 */
import { Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import { type CatalogSymbol, canonicalJson } from "@rtt/core";
import { driverFor, type Topology, topologyHash } from "../plan/topology.ts";
import {
  driverComponent,
  factsOfEnd,
  rttComponent,
  rttTool,
  type SymbolFacts,
  symbolComponent,
} from "./components.ts";
import type { DriverInfo } from "./drivers.ts";
import { contentSerial, NIL_SERIAL } from "./serial.ts";
import { routeData, routeRef, routeService } from "./services.ts";

export interface SbomInput {
  /** RTT's version (the CLI's package version). */
  readonly rttVersion: string;
  readonly catalog: readonly CatalogSymbol[];
  /** The committed topology and the WAL seq of the commit that wired it (0: none yet). */
  readonly committed: { readonly seq: number; readonly topology: Topology };
  /** Each driver a symbol or a wired route names. */
  readonly drivers: readonly DriverInfo[];
  /** SHA-256 of each manifest file, by its workspace-relative path. */
  readonly manifests: ReadonlyMap<string, string>;
  /** Written only when given (`--timestamp`): a document with one differs from run to run. */
  readonly timestamp?: Date;
}

type Json = { [key: string]: unknown };

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Each symbol the document lists: the catalog's, plus wired ends the catalog no longer has. */
function symbolFacts(input: SbomInput): SymbolFacts[] {
  const facts = new Map<string, SymbolFacts>();
  for (const symbol of input.catalog) {
    const manifestSha256 = input.manifests.get(symbol.source.file);
    facts.set(symbol.saddr, {
      saddr: symbol.saddr,
      contract_hash: symbol.contract_hash,
      driver: driverFor(symbol),
      symbol,
      ...(manifestSha256 === undefined ? {} : { manifestSha256 }),
    });
  }
  for (const edge of Object.values(input.committed.topology.edges))
    for (const end of [edge.from, edge.to])
      if (!facts.has(end.saddr)) facts.set(end.saddr, factsOfEnd(end));
  return [...facts.values()].sort((a, b) => byCodePoint(a.saddr, b.saddr));
}

/** The library's model of the document, every list already in order. */
function bomOf(input: SbomInput, serial: string): Models.Bom {
  const { seq, topology } = input.committed;
  const bom = new Models.Bom({ serialNumber: serial });
  bom.metadata.component = rttComponent(input.rttVersion, {
    seq,
    topologyHash: topologyHash(topology),
  });
  bom.metadata.tools.components.add(rttTool(input.rttVersion));
  if (input.timestamp !== undefined) bom.metadata.timestamp = input.timestamp;

  const drivers = new Map<string, Models.Component>();
  for (const d of [...input.drivers].sort((a, b) => byCodePoint(a.name, b.name)))
    drivers.set(d.name, driverComponent(d));
  const symbols = new Map<string, Models.Component>();
  for (const facts of symbolFacts(input))
    symbols.set(
      facts.saddr,
      symbolComponent(facts, facts.driver === undefined ? undefined : drivers.get(facts.driver)),
    );
  const components = [...drivers.values(), ...symbols.values()].sort((a, b) =>
    byCodePoint(a.bomRef.toString(), b.bomRef.toString()),
  );
  for (const c of components) bom.components.add(c);

  const edges = Object.values(topology.edges).sort((a, b) => byCodePoint(a.route, b.route));
  for (const edge of edges) {
    const service = routeService(edge, {
      from: symbols.get(edge.from.saddr),
      to: symbols.get(edge.to.saddr),
    });
    bom.services.add(service);
    bom.metadata.component.dependencies.add(service.bomRef);
  }
  return bom;
}

const serializer = new Serialize.JsonSerializer(
  new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6),
);

/** The document as JSON, with each route service's data flows added. */
function documentOf(input: SbomInput, serial: string): Json {
  const doc = JSON.parse(serializer.serialize(bomOf(input, serial), { sortLists: false })) as Json;
  const byRef = new Map(
    Object.values(input.committed.topology.edges).map((e) => [routeRef(e.route), e]),
  );
  for (const service of (doc.services ?? []) as Json[]) {
    const edge = byRef.get(String(service["bom-ref"]));
    if (edge !== undefined) service.data = routeData(edge, serial);
  }
  return doc;
}

/** The SBOM's text (2-space JSON and a final newline), its serial derived from its content. */
export function sbomDocument(input: SbomInput): string {
  const serial = contentSerial(canonicalJson(documentOf(input, NIL_SERIAL)));
  return `${JSON.stringify(documentOf(input, serial), null, 2)}\n`;
}

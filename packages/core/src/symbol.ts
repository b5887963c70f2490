/**
 * A Symbol is one connectable endpoint as the catalog knows it: its concrete address, the
 * contract its manifest declared, where it was found, and the hash of that contract.
 */
import { canonicalHash } from "./canonical-json.ts";
import type { JsonValue } from "./json-value.ts";
import { launchHash, launchOf } from "./launch.ts";
import { memoByObject } from "./memo.ts";
import {
  type ConcreteAddress,
  formatSaddr,
  type IoMode,
  parseConcrete,
  type SymbolType,
} from "./saddr.ts";
import type { Auth, Contract, Direction, IoSlot, Qos } from "./schemas/manifest.ts";

/** Where a discovered symbol's claim came from: the indexer, and the file and line (ADR 0026). */
export interface SourceProvenance {
  readonly indexer: string;
  /** Relative to the workspace root, '/'-separated. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
}

export interface SymbolSource {
  /**
   * Path of the declaring file (a manifest, or the file an indexer's winning claim came from),
   * relative to the workspace root, with '/' separators. `x-cwd` and `x-path` are relative to
   * its folder.
   */
  readonly file: string;
  /** The line of that file the claim was made at; absent for manifests (the whole file). */
  readonly line?: number;
  /** Who found it: a manifest, or the named indexer (ADR 0026). */
  readonly scanner: "manifest" | `indexer:${string}`;
  /**
   * How sure the finder is, 0..1: a manifest is 1 and outranks every indexer claim on the same
   * address; among indexer claims the higher score wins (ADR 0026).
   */
  readonly score: number;
  /** Every indexer claim merged into a discovered symbol, sorted; absent for manifests. */
  readonly provenance?: readonly SourceProvenance[];
}

/**
 * Who signed the manifest a symbol came from, as the scan found it. A manifest whose signature
 * does not verify never becomes a symbol, so there is no "bad signature" state here.
 */
export interface ManifestSigner {
  /** The key id (`keyIdOf` in the panel's trust module): hex, 32 characters. */
  readonly key: string;
  /** Whether the key is one of the workspace's trusted keys when the catalog was built. */
  readonly trusted: boolean;
  /** The trust file's name (without `.pub`) when trusted. */
  readonly name?: string;
}

export interface CatalogSymbol {
  /** Normal form of the concrete address. */
  readonly saddr: string;
  readonly type: SymbolType;
  readonly direction: Direction;
  readonly capabilities: readonly string[];
  readonly io?: IoMode;
  readonly inputs: readonly IoSlot[];
  readonly outputs: readonly IoSlot[];
  readonly qos: Qos;
  readonly version_set?: string;
  readonly auth: Auth;
  /** Manifest tags merged with `.rtttags` sidecars (sidecars win). */
  readonly tags: Readonly<Record<string, string>>;
  readonly source: SymbolSource;
  /** Lowercase hex SHA-256 of the RFC 8785 form of the contract (tags and x- keys excluded). */
  readonly contract_hash: string;
  /**
   * The manifest's `x-` keys (how tools run or reach it: `x-run`, `x-url`, `x-driver`), kept
   * for the drivers; absent when there are none. They never change the contract hash.
   */
  readonly extensions?: Readonly<Record<string, JsonValue>>;
  /**
   * `launchHash` of what runs at the symbol (launch.ts: manifest file, driver, argv, folder,
   * paths, every non-label `x-` key). Catalogs written before it lack it; `withLaunchHash` fills
   * it in on read.
   */
  readonly launch_hash: string;
  /** Who signed its manifest; absent when the manifest carries no signature. */
  readonly signer?: ManifestSigner;
}

/**
 * The part of a manifest that two ends must agree on, in normal form. Tags are labels for people
 * and policy, and `x-` keys are for tools, so neither changes the hash. What the catalog fills in
 * (no capabilities, inputs, outputs, qos or auth = the empty ones and auth mode none;
 * capabilities as a sorted set) is filled in here too, so a manifest and the catalog's view of
 * it — which is what the panel sends a driver — hash the same.
 */
export function contractOf(c: Contract): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c)) {
    if (key === "tags" || key.startsWith("x-")) continue;
    out[key] = key === "saddr" ? formatSaddr(parseConcrete(value as string)) : value;
  }
  out.capabilities = [...new Set(c.capabilities ?? [])].sort();
  out.inputs = c.inputs ?? [];
  out.outputs = c.outputs ?? [];
  out.qos = c.qos ?? {};
  out.auth = c.auth ?? { mode: "none" };
  return out;
}

export function contractHash(c: Contract): string {
  return canonicalHash(contractOf(c));
}

/** Builds the catalog entry for a validated contract. */
export function symbolFromContract(
  c: Contract,
  source: SymbolSource,
  extraTags: Readonly<Record<string, string>> = {},
): CatalogSymbol {
  const address: ConcreteAddress = parseConcrete(c.saddr);
  const extensions = extensionsOf(c);
  return {
    saddr: formatSaddr(address),
    type: c.type,
    direction: c.direction,
    capabilities: [...(c.capabilities ?? [])].sort(),
    ...(c.io === undefined ? {} : { io: c.io }),
    inputs: c.inputs ?? [],
    outputs: c.outputs ?? [],
    qos: c.qos ?? {},
    ...(c.version_set === undefined ? {} : { version_set: c.version_set }),
    auth: c.auth ?? { mode: "none" },
    tags: sortedRecord({ ...(c.tags ?? {}), ...extraTags }),
    source,
    contract_hash: contractHash(c),
    ...extensions,
    launch_hash: launchHash(launchOf({ type: c.type, ...extensions, source })),
  };
}

/** A symbol read from a catalog that may predate `launch_hash`, with it. */
export function withLaunchHash(
  s: Omit<CatalogSymbol, "launch_hash"> & { launch_hash?: string },
): CatalogSymbol {
  return s.launch_hash === undefined
    ? { ...s, launch_hash: launchHash(launchOf(s)) }
    : (s as CatalogSymbol);
}

function extensionsOf(c: Contract): { extensions?: Record<string, JsonValue> } {
  const found = Object.entries(c)
    .filter(([key]) => key.startsWith("x-"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return found.length === 0
    ? {}
    : { extensions: Object.fromEntries(found) as Record<string, JsonValue> };
}

/** The symbol with more tags on top of its own (the extra ones win), keys sorted. */
export function withTags(s: CatalogSymbol, extra: Readonly<Record<string, string>>): CatalogSymbol {
  if (Object.keys(extra).length === 0) return s;
  return { ...s, tags: sortedRecord({ ...s.tags, ...extra }) };
}

/**
 * The address a symbol answers to when matched: its own address plus the capabilities and
 * io mode its contract declares (a manifest's saddr carries no query).
 */
export function addressOf(s: CatalogSymbol): ConcreteAddress {
  return addressCached(s);
}

// A plan asks for the address of each candidate at every step: once per symbol, shared, frozen.
const addressCached = memoByObject((s: CatalogSymbol): ConcreteAddress => {
  const a = parseConcrete(s.saddr);
  return Object.freeze({ ...a, caps: s.capabilities, ...(s.io === undefined ? {} : { io: s.io }) });
});

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

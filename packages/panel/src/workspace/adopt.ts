/**
 * `rtt adopt` (issue 17, ADR 0026): a symbol an indexer discovered is never run for being found;
 * adopting it writes a manifest under `.rtt/manifests/` with the claim's fields, for the user to
 * review, edit and sign. Scanned, that manifest yields the same symbol — same address, contract
 * hash, argv and working folder — declared by a manifest (score 1, outranking the claim).
 */
import { lstatSync } from "node:fs";
import { join, posix } from "node:path";
import {
  type CatalogSymbol,
  closest,
  formatSaddr,
  type JsonValue,
  launchOf,
  MANIFEST_SCHEMA_ID,
  parseConcrete,
  parseReference,
  RttError,
  matches as selects,
  validateDocument,
} from "@rtt/core";
import { type Catalog, readCatalog, resolveSelector } from "../catalog.ts";
import { readCandidate } from "../scan/read-candidate.ts";
import type { SigningKey } from "../trust/keys.ts";
import { signManifest } from "../trust/manifest-signature.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { DEFAULT_MAX_MANIFEST_BYTES, relativeToRoot, type WorkspacePaths } from "./workspace.ts";

/** The label an adopted manifest keeps of the claim it came from (a launch label: runs nothing). */
export const DISCOVERED_FROM_KEY = "x-discovered-from";

export interface DiscoveredFrom {
  /** The indexer's name, without the `indexer:` prefix. */
  readonly indexer: string;
  readonly file: string;
  readonly line: number;
  readonly score: number;
}

type JsonObject = { readonly [key: string]: JsonValue };

/** One manifest `rtt adopt` writes. */
export interface Adoption {
  readonly saddr: string;
  /** The manifest's path relative to the workspace root ('/'-separated). */
  readonly file: string;
  readonly abs: string;
  /** The manifest as written (with its signature when signed). */
  readonly manifest: JsonObject;
  readonly discoveredFrom: DiscoveredFrom;
  /** Whether an existing file was replaced (--force). */
  readonly replaced: boolean;
}

export interface AdoptOptions {
  /** Sign each manifest with this key, as `rtt sign` does. */
  readonly key?: SigningKey;
  /** Replace a manifest file that exists already. */
  readonly force?: boolean;
}

/**
 * `.rtt/manifests/<namespace>-<type>-<name>-<version>[-<variant>].json`: one file per concrete
 * address (two projects' `proc/cli@0.0.0` are two files).
 */
export function adoptedFileName(saddr: string): string {
  const a = parseConcrete(saddr);
  const variant = a.variant === undefined ? "" : `-${a.variant}`;
  return `${a.namespace}-${a.type}-${a.name}-${a.version}${variant}.json`;
}

/**
 * The address the manifest at `path` declares, when it is one. Read as the scan reads a manifest:
 * a FIFO, a device or an oversized file there is no manifest, and is never waited on.
 */
function declaredAddress(path: string): string | undefined {
  try {
    const text = readCandidate(path, path, DEFAULT_MAX_MANIFEST_BYTES);
    const checked = validateDocument("manifest", text, path);
    return checked.ok ? formatSaddr(parseConcrete(checked.value.symbol.saddr)) : undefined;
  } catch {
    return undefined;
  }
}

/** The one catalog symbol `reference` names; anything else is RTT_ERR_ADOPT saying why. */
export function symbolToAdopt(
  catalog: Pick<Catalog, "symbols" | "conflicts">,
  reference: string,
): CatalogSymbol {
  const { symbols, conflicts } = catalog;
  const selector = parseReference(reference);
  const wanted = formatSaddr(selector);
  const { matches, nearMisses } = resolveSelector(symbols, selector);
  if (matches.length > 1)
    throw new RttError(
      "RTT_ERR_ADOPT",
      `${wanted}: ${matches.length} symbols match (${matches.map((m) => m.saddr).join(", ")})`,
      { hint: `name one exactly, e.g. rtt adopt '${matches[0]?.saddr}'` },
    );
  const symbol = matches[0];
  // A catalog written by hand (or by an older scan) may have no conflicts list.
  const contested = (conflicts ?? []).find((c) => selects(selector, parseConcrete(c.saddr)));
  if (symbol === undefined && contested !== undefined)
    throw new RttError(
      "RTT_ERR_ADOPT",
      `${contested.saddr}: claimed by ${contested.files.join(" and ")}, so not cataloged; nothing to adopt`,
      {
        hint: "write its manifest under .rtt/manifests/ by hand (a manifest outranks every claim)",
      },
    );
  if (symbol === undefined) {
    const near = nearMisses[0]?.saddr ?? nearestName(symbols, selector);
    throw new RttError("RTT_ERR_ADOPT", `${wanted}: no symbol in the catalog`, {
      hint:
        near === undefined
          ? "`rtt ls symbols` lists them (run `rtt scan` first if the catalog is old)"
          : `did you mean "${near}"?`,
    });
  }
  if (!symbol.source.scanner.startsWith("indexer:"))
    throw new RttError(
      "RTT_ERR_ADOPT",
      `${symbol.saddr}: already declared by the manifest ${symbol.source.file}; nothing to adopt`,
      { hint: "edit or sign that manifest instead (`rtt sign FILE`)" },
    );
  return symbol;
}

/** The symbol whose namespace/type/name is nearest the selector's (a typo), if one is near. */
function nearestName(
  symbols: readonly CatalogSymbol[],
  selector: { namespace: string; type: string; name: string },
): string | undefined {
  const key = (a: { namespace: string; type: string; name: string }) =>
    `${a.namespace}/${a.type}/${a.name}`;
  const byName = new Map(symbols.map((s) => [key(parseConcrete(s.saddr)), s.saddr]));
  const guess = closest(key(selector), [...byName.keys()]);
  return guess === undefined ? undefined : byName.get(guess);
}

/** Where the indexer found the symbol: the claim that won, as the catalog recorded it. */
export function discoveredFrom(symbol: CatalogSymbol): DiscoveredFrom {
  return {
    indexer: symbol.source.scanner.replace(/^indexer:/, ""),
    file: symbol.source.file,
    line: symbol.source.line ?? 1,
    score: symbol.source.score,
  };
}

/**
 * `p` (normalized, workspace-relative, or absolute) as seen from the folder `from`
 * (workspace-relative, no `..`). By segments, not `path.relative`: that resolves both against
 * the process's folder, and a `p` that climbs above it would lose its `..`s.
 */
function seenFrom(from: string, p: string): string {
  if (posix.isAbsolute(p)) return p;
  const base = from === "." ? [] : from.split("/");
  const target = p === "." ? [] : p.split("/");
  let common = 0;
  while (common < base.length && base[common] === target[common]) common++;
  const up = base.slice(common).map(() => "..");
  return [...up, ...target.slice(common)].join("/") || ".";
}

/**
 * The manifest for a discovered symbol, to be written at `file` (workspace-relative). The
 * claim's `x-cwd` and `x-path` were relative to the file it was found in; here they are made
 * relative to the manifest's own folder, naming the same places, so the launch stays the same.
 * Git tags are left out: they describe the checkout, and the scan adds them again.
 */
export function adoptedManifest(symbol: CatalogSymbol, file: string): JsonObject {
  const launch = launchOf(symbol);
  const dir = posix.dirname(file);
  const tags = Object.entries(symbol.tags).filter(([key]) => !key.startsWith("git."));
  const contract: Record<string, JsonValue> = {
    saddr: symbol.saddr,
    type: symbol.type,
    direction: symbol.direction,
    capabilities: [...symbol.capabilities],
    ...(symbol.io === undefined ? {} : { io: symbol.io }),
    inputs: symbol.inputs.map((slot) => ({ ...slot })),
    outputs: symbol.outputs.map((slot) => ({ ...slot })),
    qos: { ...symbol.qos },
    ...(symbol.version_set === undefined ? {} : { version_set: symbol.version_set }),
    auth: JSON.parse(JSON.stringify(symbol.auth)) as JsonValue,
    ...(tags.length === 0 ? {} : { tags: Object.fromEntries(tags) }),
    ...symbol.extensions,
    // Always written: without it the program would run in .rtt/manifests/.
    "x-cwd": seenFrom(dir, launch.cwd),
    ...(launch.path === undefined ? {} : { "x-path": seenFrom(dir, launch.path) }),
    [DISCOVERED_FROM_KEY]: { ...discoveredFrom(symbol) },
  };
  return { $schema: MANIFEST_SCHEMA_ID, symbol: contract };
}

/** Whether anything (a file, a folder, a dangling link) is at `path`. */
function taken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a manifest for each symbol the references name, from the workspace's catalog. Every
 * reference is resolved and every file checked before any is written: one refusal (unknown,
 * ambiguous, already a manifest, the file exists without `force`) leaves them all unwritten.
 * Each file is written atomically, as 2-space JSON.
 */
export function adoptSymbols(
  paths: WorkspacePaths,
  references: readonly string[],
  options: AdoptOptions = {},
): Adoption[] {
  const catalog = readCatalog(paths.catalog);
  const chosen = new Map<string, CatalogSymbol>();
  for (const reference of references) {
    const symbol = symbolToAdopt(catalog, reference);
    chosen.set(symbol.saddr, symbol);
  }
  const byFile = new Map<string, string>();
  const planned = [...chosen.values()].map((symbol) => {
    const name = adoptedFileName(symbol.saddr);
    const other = byFile.get(name);
    if (other !== undefined)
      throw new RttError(
        "RTT_ERR_ADOPT",
        `${symbol.saddr} and ${other} would both be written to .rtt/manifests/${name}`,
        { hint: "adopt one of them now, then rename its manifest before adopting the other" },
      );
    byFile.set(name, symbol.saddr);
    const abs = join(paths.manifests, name);
    const file = relativeToRoot(paths, abs);
    const replaced = taken(abs);
    const declared = replaced ? declaredAddress(abs) : undefined;
    // --force replaces an earlier adoption of the same symbol, or a file that is no manifest; a
    // manifest of another symbol is never overwritten: that would drop it from the catalog.
    if (declared !== undefined && declared !== symbol.saddr)
      throw new RttError(
        "RTT_ERR_ADOPT",
        `${file} exists already and declares ${declared}, not ${symbol.saddr}; nothing was written`,
        { hint: "rename that manifest, then adopt again" },
      );
    if (replaced && options.force !== true)
      throw new RttError("RTT_ERR_ADOPT", `${file} exists already; nothing was written`, {
        hint: "review it, then pass --force to replace it",
      });
    let manifest = adoptedManifest(symbol, file);
    if (options.key !== undefined) manifest = signManifest(manifest, options.key);
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    // The catalog is a file anyone can edit: what it says must make a manifest the scan takes.
    const checked = validateDocument("manifest", text, file);
    if (!checked.ok)
      throw new RttError(
        "RTT_ERR_ADOPT",
        `${symbol.saddr}: the catalog's entry does not make a valid manifest: ${checked.diagnostics[0]?.message ?? "invalid"}`,
        { hint: "run `rtt scan` to rebuild the catalog, then adopt again" },
      );
    return { symbol, abs, file, manifest, text, replaced };
  });
  for (const p of planned) writeFileAtomic(p.abs, p.text);
  return planned.map((p) => ({
    saddr: p.symbol.saddr,
    file: p.file,
    abs: p.abs,
    manifest: p.manifest,
    discoveredFrom: discoveredFrom(p.symbol),
    replaced: p.replaced,
  }));
}

/**
 * Addresses for discovered symbols: a project's names (package names, module paths, file names)
 * normalized to the SADDR segment grammar, and a concrete version when the project has none.
 */
import { formatSaddr, parseConcrete, type SymbolType } from "@rtt/core";

/** The version a discovered symbol gets when its project metadata states none (ADR 0026). */
export const UNVERSIONED = "0.0.0";

/**
 * A SADDR segment for a name: lowercased, every run of characters outside `[a-z0-9._-]` made
 * one '-', leading characters that cannot start a segment dropped. `fallback` when nothing is
 * left (a name of only punctuation).
 */
export function segmentOf(name: string, fallback = "unnamed"): string {
  const folded = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 128)
    .replace(/-+$/, "");
  return folded.length === 0 ? fallback : folded;
}

/** An exact semver version from project metadata, or UNVERSIONED when it is absent or not one. */
export function versionOf(text: string | undefined): string {
  if (text === undefined) return UNVERSIONED;
  const trimmed = text.trim().replace(/^v/, "");
  try {
    parseConcrete(`rtt://x/api/x@${trimmed}`);
    return trimmed;
  } catch {
    return UNVERSIONED;
  }
}

export interface DiscoveredName {
  /** The project: a package name, module path or folder; normalized here. */
  readonly namespace: string;
  readonly type: SymbolType;
  readonly name: string;
  /** Project metadata's version, if any; normalized by versionOf. */
  readonly version?: string;
}

/** The concrete address of a discovered symbol, in normal form. */
export function discoveredSaddr(d: DiscoveredName): string {
  const address = `rtt://${segmentOf(d.namespace)}/${d.type}/${segmentOf(d.name)}@${versionOf(d.version)}`;
  return formatSaddr(parseConcrete(address));
}

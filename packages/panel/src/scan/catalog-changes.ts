/**
 * What a rescan changed in the catalog, as `rtt scan --watch` prints it: `+` a symbol that
 * appeared, `~` one whose record changed (its contract, launch, tags, signer or source), `-` one
 * that vanished; by address. A version bump is a `-` and a `+`: the version is in the address.
 */
import type { CatalogSymbol } from "@rtt/core";

export interface CatalogChange {
  readonly change: "+" | "~" | "-";
  readonly saddr: string;
}

/** The changes from `before` to `after`, sorted by address (each address once). */
export function catalogChanges(
  before: readonly CatalogSymbol[],
  after: readonly CatalogSymbol[],
): CatalogChange[] {
  const was = new Map(before.map((s) => [s.saddr, JSON.stringify(s)]));
  const now = new Map(after.map((s) => [s.saddr, JSON.stringify(s)]));
  const out: CatalogChange[] = [];
  for (const [saddr, text] of now) {
    const old = was.get(saddr);
    if (old === undefined) out.push({ change: "+", saddr });
    else if (old !== text) out.push({ change: "~", saddr });
  }
  for (const saddr of was.keys()) if (!now.has(saddr)) out.push({ change: "-", saddr });
  return out.sort((a, b) => (a.saddr < b.saddr ? -1 : a.saddr > b.saddr ? 1 : 0));
}

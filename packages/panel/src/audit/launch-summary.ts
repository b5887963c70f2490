/**
 * What a route's end runs or touches, for an audit record's before → after (ADR 0019): the
 * manifest it came from and the catalog symbol's launch keys (`x-run` argv, `x-cwd`, `x-path`,
 * `x-url`, `x-driver`, `x-env`), those present only. A change of program shows in the ledger.
 */
import type { CatalogSymbol, JsonValue } from "@rtt/core";

const LAUNCH_KEYS = ["x-run", "x-cwd", "x-path", "x-url", "x-driver", "x-env"] as const;

/** The symbol's manifest and launch keys; undefined when the symbol is not in the catalog. */
export function launchOf(symbol: CatalogSymbol | undefined): JsonValue | undefined {
  if (symbol === undefined) return undefined;
  const out: Record<string, JsonValue> = { manifest: symbol.source.file };
  for (const key of LAUNCH_KEYS) {
    const value = symbol.extensions?.[key];
    if (value !== undefined) out[key.slice(2)] = value;
  }
  return out;
}

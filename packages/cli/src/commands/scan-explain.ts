/**
 * `rtt scan --explain SADDR`: every claim the scan saw on one address — manifests and indexers —
 * with its source, score, file:line and contract fields, what became of it and why (ADR 0026).
 */
import {
  type CatalogSymbol,
  escapeControl,
  formatSaddr,
  type JsonValue,
  parseConcrete,
  RttError,
} from "@rtt/core";
import type { ScanReport } from "@rtt/panel";
import { table } from "../output.ts";
import { type CommandContext, writeJson } from "./context.ts";

type ClaimRecord = ScanReport["claims"][number];

/** The address to explain, in normal form; a usage error naming the flag when it is none. */
export function explainedAddress(text: string): string {
  try {
    return formatSaddr(parseConcrete(text));
  } catch (error) {
    throw new RttError(
      "RTT_ERR_USAGE",
      `--explain ${JSON.stringify(text)}: ${error instanceof Error ? error.message : String(error)}`,
      { hint: "give a concrete address, e.g. rtt://core/api/metrics@1.0.0" },
    );
  }
}

/** The contract's fields but the address, one `key value` each, control characters escaped. */
function fields(contract: Readonly<Record<string, JsonValue>>): string {
  return Object.entries(contract)
    .filter(([key]) => key !== "saddr")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${escapeControl(JSON.stringify(value))}`)
    .join(" ");
}

function outcome(saddr: string, symbol: CatalogSymbol | undefined, claims: readonly ClaimRecord[]) {
  if (symbol !== undefined) {
    const { scanner, score } = symbol.source;
    const merged = symbol.source.provenance?.length ?? 1;
    return `${saddr}: catalogued from ${scanner} (score ${score}${merged > 1 ? `, ${merged} claims merged` : ""})`;
  }
  if (claims.length === 0) return `${saddr}: no manifest or indexer claims this address`;
  if (claims.every((c) => c.verdict === "shadowed"))
    return `${saddr}: not catalogued: a manifest declares what was found here (see below)`;
  return `${saddr}: not catalogued: claims of the same rank differ (see each below)`;
}

/** Prints the explanation; 0 when the address is catalogued, 1 when not. */
export function explainScan(
  ctx: CommandContext,
  report: ScanReport,
  saddr: string,
  json: boolean,
): number {
  const claims = report.claims.filter((c) => c.saddr === saddr);
  const symbol = report.symbols.find((s) => s.saddr === saddr);
  if (json) {
    writeJson(ctx, { saddr, catalogued: symbol !== undefined, symbol: symbol ?? null, claims });
    return symbol === undefined ? 1 : 0;
  }
  const out = ctx.term.out;
  out.write(`${outcome(saddr, symbol, claims)}\n`);
  if (claims.length > 0) {
    const rows = claims.map((c) => [
      c.verdict,
      c.source,
      String(c.score),
      `${escapeControl(c.file)}:${c.line}`,
      escapeControl(c.reason),
    ]);
    out.write(`${table(["VERDICT", "SOURCE", "SCORE", "AT", "WHY"], rows)}\n`);
    for (const c of claims)
      out.write(`  ${c.source} at ${escapeControl(c.file)}:${c.line}: ${fields(c.contract)}\n`);
  }
  return symbol === undefined ? 1 : 0;
}

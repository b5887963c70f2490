import {
  type CatalogSymbol,
  formatDiagnostic,
  parseSaddr,
  RttError,
  SYMBOL_TYPES,
  type SymbolType,
} from "@rtt/core";
import {
  type EndResolution,
  loadRoutes,
  readCatalog,
  resolveRoutes,
  resolveSelector,
} from "@rtt/panel";
import { count, paint, table } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

export function lsSymbolsCommand(
  ctx: CommandContext,
  pattern: string | undefined,
  opts: { type?: string; json?: boolean },
): number {
  if (opts.type !== undefined && !(SYMBOL_TYPES as readonly string[]).includes(opts.type)) {
    throw new RttError(
      "RTT_ERR_USAGE",
      `--type ${opts.type}: expected one of ${SYMBOL_TYPES.join(", ")}`,
    );
  }
  const catalog = readCatalog(workspaceOf(ctx).catalog);
  let symbols: readonly CatalogSymbol[] = catalog.symbols;
  if (pattern !== undefined) symbols = resolveSelector(symbols, parseSaddr(pattern)).matches;
  const type = opts.type as SymbolType | undefined;
  if (type !== undefined) symbols = symbols.filter((s) => s.type === type);
  if (opts.json) {
    writeJson(ctx, symbols);
    return 0;
  }
  if (symbols.length === 0) {
    ctx.term.out.write(
      catalog.symbols.length === 0
        ? "the catalog is empty; run `rtt scan`\n"
        : "no symbols match\n",
    );
    return 0;
  }
  const rows = symbols.map((s) => [
    s.saddr,
    s.type,
    s.direction,
    s.capabilities.join(",") || "-",
    s.source.file,
  ]);
  ctx.term.out.write(`${table(["SADDR", "TYPE", "DIRECTION", "CAPS", "SOURCE"], rows)}\n`);
  ctx.term.out.write(paint(ctx.term.out, "dim", `${count(symbols.length, "symbol")}\n`));
  return 0;
}

function matchCount(end: EndResolution): string {
  const n = end.resolution.matches.length;
  return n === 0 ? "0" : n === 1 ? "1" : `${n} (many)`;
}

export function lsRoutesCommand(ctx: CommandContext, opts: { json?: boolean }): number {
  const paths = workspaceOf(ctx);
  const { routes, diagnostics } = loadRoutes(paths);
  if (diagnostics.length > 0) {
    if (opts.json) {
      const error = { code: "RTT_ERR_DOC_SCHEMA", message: ".rtt/routes.json is invalid" };
      writeJson(ctx, { error, diagnostics });
    } else {
      for (const d of diagnostics) ctx.term.err.write(`${formatDiagnostic(d)}\n`);
    }
    return 1;
  }
  const resolutions = resolveRoutes(routes, readCatalog(paths.catalog).symbols);
  if (opts.json) {
    writeJson(
      ctx,
      resolutions.map((r) => ({
        id: r.id,
        from: endJson(r.from),
        to: r.to.map(endJson),
      })),
    );
    return 0;
  }
  if (resolutions.length === 0) {
    ctx.term.out.write("no routes in .rtt/routes.json\n");
    return 0;
  }
  const rows: string[][] = [];
  for (const r of resolutions) {
    r.to.forEach((to, i) => {
      rows.push([
        i === 0 ? r.id : "",
        i === 0 ? r.from.reference : "",
        i === 0 ? matchCount(r.from) : "",
        to.reference,
        matchCount(to),
      ]);
    });
  }
  ctx.term.out.write(`${table(["ROUTE", "FROM", "N", "TO", "N"], rows)}\n`);
  for (const r of resolutions) {
    for (const [side, end] of [["from", r.from], ...r.to.map((t) => ["to", t] as const)] as const) {
      const style = end.resolution.matches.length === 1 ? "dim" : "yellow";
      ctx.term.out.write(
        paint(ctx.term.out, style, `${r.id} ${side} ${end.reference}: ${end.why}\n`),
      );
    }
  }
  return 0;
}

function endJson(end: EndResolution) {
  return {
    reference: end.reference,
    matches: end.resolution.matches.map((m) => m.saddr),
    count: end.resolution.matches.length,
    why: end.why,
  };
}

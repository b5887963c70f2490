import type { RouteListMessage } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core/errors.ts";
import { parseSaddr, SYMBOL_TYPES, type SymbolType } from "@rtt/core/saddr.ts";
import type { CatalogSymbol } from "@rtt/core/symbol.ts";
// Single modules, not @rtt/panel's index (which loads the daemon, scanner and reconciler).
import { readCatalog, resolveSelector } from "@rtt/panel/catalog.ts";
import { STUB_DRIVER } from "@rtt/panel/plan/topology.ts";
import { type EndResolution, loadRoutes, resolveRoutes } from "@rtt/panel/routes.ts";
import type { WorkspacePaths } from "@rtt/panel/workspace/workspace.ts";
import { count, paint, table } from "../output.ts";
import { type CommandContext, reportDiagnostics, workspaceOf, writeJson } from "./context.ts";
import { runningPanel } from "./panel.ts";

type LiveRoute = RouteListMessage["routes"][number];

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
    writeJson(ctx, symbols.map(symbolJson));
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
    s.source.scanner,
    s.source.line === undefined ? s.source.file : `${s.source.file}:${s.source.line}`,
    signedBy(s),
  ]);
  ctx.term.out.write(
    `${table(["SADDR", "TYPE", "DIRECTION", "CAPS", "SOURCE", "FILE", "SIGNED BY"], rows)}\n`,
  );
  ctx.term.out.write(paint(ctx.term.out, "dim", `${count(symbols.length, "symbol")}\n`));
  return 0;
}

/** The trusted signer's name, `untrusted:` and the key's first 8 digits, or `-` when unsigned. */
function signedBy(s: CatalogSymbol): string {
  if (s.signer === undefined) return "-";
  return s.signer.trusted
    ? (s.signer.name ?? s.signer.key)
    : `untrusted:${s.signer.key.slice(0, 8)}`;
}

/**
 * A symbol as `--json` lists it: the catalog entry, plus who signed its manifest (`signed_by`:
 * the key id, null when unsigned; `signer_trusted`: null when unsigned), that manifest's path
 * (null for a discovered symbol), who found it (`manifest` or `indexer:NAME`) and how sure it is.
 */
function symbolJson(s: CatalogSymbol): Record<string, unknown> {
  return {
    ...s,
    signed_by: s.signer?.key ?? null,
    signer_trusted: s.signer?.trusted ?? null,
    manifest: s.source.scanner === "manifest" ? s.source.file : null,
    found_by: s.source.scanner,
    score: s.source.score,
  };
}

function matchCount(end: EndResolution): string {
  const n = end.resolution.matches.length;
  return n === 0 ? "0" : n === 1 ? "1" : `${n} (many)`;
}

/** What the running panel says about each wired route; undefined when no panel runs. */
async function liveRoutes(paths: WorkspacePaths): Promise<Map<string, LiveRoute> | undefined> {
  const conn = await runningPanel(paths);
  if (conn === undefined) return undefined;
  try {
    const list = await conn.routes();
    return new Map(list.routes.map((r) => [r.id, r]));
  } finally {
    conn.close();
  }
}

function health(l: LiveRoute["from_link"]): string {
  if (l === null) return "?";
  // The route's errors and, apart, the client's (4xx), so far: a link can be up and failing.
  const counts = [
    ...(l.errors > 0 ? [`${l.errors} errors`] : []),
    ...(l.client_errors > 0 ? [`${l.client_errors} client errors`] : []),
  ];
  return `${l.ok ? "ok" : `down: ${l.err}`}${counts.length > 0 ? ` (${counts.join(", ")})` : ""}`;
}

export async function lsRoutesCommand(
  ctx: CommandContext,
  opts: { json?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const { routes, diagnostics } = loadRoutes(paths);
  if (diagnostics.length > 0) {
    reportDiagnostics(ctx, diagnostics, opts.json, { message: (ds) => ds[0]?.message ?? "" });
    return 1;
  }
  const resolutions = resolveRoutes(routes, readCatalog(paths.catalog).symbols);
  const live = await liveRoutes(paths);
  if (opts.json) {
    writeJson(
      ctx,
      resolutions.map((r) => ({
        id: r.id,
        from: endJson(r.from),
        to: r.to.map(endJson),
        // null: no panel runs; {wired: false}: the panel does not carry this route.
        live: live === undefined ? null : liveJson(live.get(r.id)),
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
  if (live === undefined) {
    ctx.term.out.write(
      paint(
        ctx.term.out,
        "dim",
        "no panel runs here (`rtt panel start` takes back what the last one left; `rtt apply` wires routes.json)\n",
      ),
    );
  } else {
    const wired = resolutions.map((r) => {
      const l = live.get(r.id);
      if (l === undefined) return [r.id, "not wired", "", "", "", ""];
      const shared = l.from_link?.shared ?? 0;
      return [
        // Fan-out (ADR 0025): one program of the source feeds this route and others.
        shared > 1 ? `${r.id} (source shared by ${shared} routes)` : r.id,
        l.to_link?.driver === STUB_DRIVER
          ? `${l.to} (degraded: a stub answers)`
          : l.held
            ? `${l.to} (held: its source is parked)`
            : l.to,
        `${l.lane} ${l.pattern}`,
        l.breaker || "-",
        `${health(l.from_link)} / ${health(l.to_link)}`,
        `${l.from_link?.frames_out ?? 0} → ${l.to_link?.frames_in ?? 0}`,
      ];
    });
    ctx.term.out.write(
      `\n${table(["ROUTE", "WIRED TO", "LANE", "BREAKER", "HEALTH (from / to)", "FRAMES (sent → received)"], wired)}\n`,
    );
    writeUnaccounted(ctx, live);
    const extra = [...live.keys()].filter((id) => !resolutions.some((r) => r.id === id));
    if (extra.length > 0)
      ctx.term.out.write(
        paint(
          ctx.term.out,
          "yellow",
          `wired but not in routes.json: ${extra.join(", ")} (the next rtt apply unwires them)\n`,
        ),
      );
  }
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

/**
 * Old targets whose programs took frames without acknowledging them (ADR 0024: they did not
 * exit 0 after EOF): those frames may be lost.
 */
function writeUnaccounted(ctx: CommandContext, live: ReadonlyMap<string, LiveRoute>): void {
  for (const l of live.values()) {
    const lost = Number(l.to_link?.unaccounted ?? 0);
    if (lost > 0)
      ctx.term.out.write(
        paint(
          ctx.term.out,
          "yellow",
          `${l.id}: target ${l.to}'s program died (non-zero or by a signal) holding ${lost} frames, unaccounted for\n`,
        ),
      );
    for (const t of l.retired ?? []) {
      if (Number(t.unaccounted) === 0) continue;
      const how = t.ended === "exited" ? `exited ${t.code < 0 ? "(no status)" : t.code}` : t.ended;
      ctx.term.out.write(
        paint(
          ctx.term.out,
          "yellow",
          `${l.id}: retired target ${t.to} ${how} with ${t.unaccounted} of its ${t.frames} frames unaccounted for (${t.at})\n`,
        ),
      );
    }
  }
}

function liveJson(l: LiveRoute | undefined) {
  if (l === undefined) return { wired: false };
  return {
    wired: true,
    to: l.to,
    // A stub answers from the target's declared examples while its breaker is open.
    degraded: l.to_link?.driver === STUB_DRIVER,
    // Tripped with nowhere to go: the source is parked, its frames wait there.
    held: l.held,
    breaker: l.breaker,
    lane: l.lane,
    pattern: l.pattern,
    from_link: l.from_link,
    to_link: l.to_link,
    // Fan-out (ADR 0025): the source's one program feeds other wired routes too.
    shared_source: (l.from_link?.shared ?? 0) > 1,
    // Old targets moves took the route off, and how their programs ended (ADR 0024).
    retired: (l.retired ?? []).map((t) => ({
      ...t,
      code: t.code < 0 ? null : t.code,
      signal: t.signal === "" ? null : t.signal,
      frames: Number(t.frames),
      unaccounted: Number(t.unaccounted),
    })),
  };
}

function endJson(end: EndResolution) {
  return {
    reference: end.reference,
    matches: end.resolution.matches.map((m) => m.saddr),
    count: end.resolution.matches.length,
    why: end.why,
  };
}

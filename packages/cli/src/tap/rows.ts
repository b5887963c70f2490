/**
 * What `rtt tap` shows of each route, shared by the plain table (off a TTY) and the live Ink view:
 * the latest sample of each route, a short throughput history per route, and the cells of a row.
 * No React here, so `rtt tap --json` and the plain output never load it.
 */
import type { RouteHealthMessage } from "@rtt/connector-sdk";
import { BREAKER_STATES, STUB_DRIVER } from "@rtt/panel";

/** Samples kept per route for the sparkline. */
export const HISTORY = 30;

export const TAP_HEADERS = [
  "ROUTE",
  "BREAKER",
  "THROUGHPUT",
  "P50/95/99 MS",
  "QDEPTH",
  "DROPS",
  "ERR %",
  "HISTORY",
  "HEALTH",
] as const;

const BARS = "▁▂▃▄▅▆▇█";

/** A small sparkline of the last values, scaled to their maximum. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (max === 0 ? BARS[0] : BARS[Math.min(7, Math.floor((v / max) * 7.999))]))
    .join("");
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/** One route's row: its latest sample and the throughput of its last samples, oldest first. */
export interface TapRow {
  readonly sample: RouteHealthMessage;
  readonly history: readonly number[];
}

/** The latest sample of every route seen, in the order they first appeared. */
export class TapState {
  readonly #rows = new Map<string, TapRow>();

  add(s: RouteHealthMessage): void {
    const history = [...(this.#rows.get(s.route)?.history ?? []), s.throughput].slice(-HISTORY);
    this.#rows.set(s.route, { sample: s, history });
  }

  rows(): TapRow[] {
    return [...this.#rows.values()];
  }
}

/** The cells of a row, in TAP_HEADERS' order; `TapLines` for lines printed one at a time. */
export function tapCells({ sample: x, history }: TapRow): string[] {
  return [
    routeLabel(x.route, x.from_link?.shared ?? 0),
    x.to_link?.driver === STUB_DRIVER ? `${x.breaker}${DEGRADED}` : x.breaker,
    `${fmt(x.throughput, 0)}/s`,
    `${fmt(x.p50_ms)}/${fmt(x.p95_ms)}/${fmt(x.p99_ms)}`,
    String(x.qdepth),
    // Over the panel's window, like throughput: what the route's QoS kept from the target.
    String(x.drops),
    fmt(x.err_rate * 100, 2),
    sparkline(history),
    // 4xx answers are the client's business, not the route's errors: counted apart, so far.
    `${x.ok ? "ok" : x.err}${clientErrors(x.to_link?.client_errors ?? 0)}`,
  ];
}

/** A row's ROUTE cell: the id, and with fan-out (ADR 0025) how many routes the source's one program feeds. */
export const routeLabel = (route: string, shared: number): string =>
  shared > 1 ? `${route} (source shared ×${shared})` : route;

const clientErrors = (n: number) => (n > 0 ? ` (${n} client errors)` : "");

const DEGRADED = " (degraded)";

/**
 * The widest a column's cells get, known before the first sample (`rtt tap` off a terminal
 * prints its header once, then a line per sample: a later, wider cell would shift its line).
 */
function columnWidths(labels: readonly string[]): number[] {
  const widest: Record<string, number> = {
    ROUTE: Math.max(0, ...labels.map((r) => r.length)),
    BREAKER: Math.max(...BREAKER_STATES.map((b) => b.length)) + DEGRADED.length,
    THROUGHPUT: "99999/s".length,
    "P50/95/99 MS": "999.9/999.9/999.9".length,
    "ERR %": "100.00".length,
    HISTORY,
  };
  return TAP_HEADERS.map((h) => Math.max(h.length, widest[h] ?? 0));
}

/**
 * The widest ROUTE cells the wired routes can show: a one-way route whose source symbol feeds
 * others may be named with their count (its driver decides whether they share one program).
 */
export function routeLabels(
  edges: readonly { readonly route: string; readonly from: string; readonly oneway: boolean }[],
): string[] {
  return edges.map((e) => {
    const siblings = e.oneway ? edges.filter((x) => x.oneway && x.from === e.from).length : 0;
    return routeLabel(e.route, siblings);
  });
}

/**
 * `rtt tap`'s plain table, a line at a time: its header and each row padded to widths fixed
 * from the wired routes' widest labels (`routeLabels`), so a breaker turning `open (degraded)` or
 * a source shared by N routes keeps every column in place.
 */
export class TapLines {
  readonly #widths: number[];

  constructor(labels: readonly string[]) {
    this.#widths = columnWidths(labels);
  }

  header(): string {
    return this.#line(TAP_HEADERS);
  }

  line(row: TapRow): string {
    return this.#line(tapCells(row));
  }

  #line(cells: readonly string[]): string {
    const last = cells.length - 1;
    return cells
      .map((c, i) => (i === last ? c : c.padEnd(this.#widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  }
}

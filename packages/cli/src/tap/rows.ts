/**
 * What `rtt tap` shows of each route, shared by the plain table (off a TTY) and the live Ink view:
 * the latest sample of each route, a short throughput history per route, and the cells of a row.
 * No React here, so `rtt tap --json` and the plain output never load it.
 */
import type { RouteHealthMessage } from "@rtt/connector-sdk";
import { STUB_DRIVER } from "@rtt/panel";

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

/** The cells of a row, in TAP_HEADERS' order; `tapLineCells` for lines printed one at a time. */
export function tapCells({ sample: x, history }: TapRow): string[] {
  const shared = x.from_link?.shared ?? 0;
  return [
    // Fan-out (ADR 0025): the source's one program feeds this route and others.
    shared > 1 ? `${x.route} (source shared ×${shared})` : x.route,
    x.to_link?.driver === STUB_DRIVER ? `${x.breaker} (degraded)` : x.breaker,
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

const clientErrors = (n: number) => (n > 0 ? ` (${n} client errors)` : "");

/** A row's cells with its history at full width: lines printed one by one keep their columns. */
export function tapLineCells(row: TapRow): string[] {
  const cells = tapCells(row);
  const at = TAP_HEADERS.indexOf("HISTORY");
  cells[at] = (cells[at] ?? "").padEnd(HISTORY);
  return cells;
}

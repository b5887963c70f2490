/**
 * Copies of examples/quickstart for what runs it for real — test/e2e, test/faults, test/api and
 * bench/control, bench/soak — set up for a case: emit.py's pace, the UI hook's, only some of
 * the routes, the second logger as a warm spare, a policy tweak. The one place that knows how
 * the example's files are laid out.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { notRuntimeState } from "@rtt/panel";
import { makeTempDir } from "./run-rtt.ts";

export const QUICKSTART = fileURLToPath(new URL("../../examples/quickstart", import.meta.url));

/** The ids of the quickstart's routes, as its .rtt/routes.json has them. */
export const QUICKSTART_ROUTES = ["events-to-log", "ui-refresh"] as const;
export type QuickstartRoute = (typeof QUICKSTART_ROUTES)[number];
/** Its event stream: emit.py through the logger into logs/events.ndjson. */
export const EVENTS_ROUTE: QuickstartRoute = "events-to-log";

/** The quickstart's logger, as a route, a failover list or a qc names it. */
export const LOGGER_REF = "rtt://obs/extension/logger";
/**
 * The example's second logger (writing logs/events2.ndjson), as a route, a failover list or a qc
 * names it,
 */
export const LOGGER2_REF = "rtt://obs/extension/logger2";
/** and the address its manifest declares. */
export const LOGGER2 = `${LOGGER2_REF}@1.0.0#ndjson`;

/** .rtt/policy.json, as far as set-ups change it. */
export interface QuickstartPolicy {
  failover?: { route: string; health: string }[];
  qos?: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface QuickstartSetup {
  /**
   * emit.py's arguments: `count` events (0: for ever), `intervalMs` apart (0: as fast as it
   * can). Default: the example's own, for ever 200 ms apart (5 events/s).
   */
  readonly emit?: { readonly count: number; readonly intervalMs: number };
  /** How often the UI hook asks the metrics API (ms; 0: once). Default: the example's own, 1000. */
  readonly refreshIntervalMs?: number;
  /** Only these routes stay in .rtt/routes.json. Default: both. */
  readonly routes?: readonly QuickstartRoute[];
  /**
   * The example's second logger, logger2, last in every failover list of the policy too, so the
   * panel keeps it prebound as the route's warm spare. Default: it is only cataloged.
   */
  readonly logger2Failover?: boolean;
  /** Last, any other change to .rtt/policy.json. */
  readonly policy?: (policy: QuickstartPolicy) => void;
}

/**
 * Copies the quickstart into `dest` (made if missing), without what scans and panels left in
 * the example (a journal would replay into the copy's routes), and sets it up; returns `dest`.
 */
export function copyQuickstartTo(dest: string, setup: QuickstartSetup = {}): string {
  cpSync(QUICKSTART, dest, { recursive: true, filter: notRuntimeState(QUICKSTART) });
  const { emit, refreshIntervalMs, routes, logger2Failover, policy } = setup;
  if (emit !== undefined)
    editSymbol(dest, "services/events/rtt.manifest.json", (symbol) => {
      symbol["x-run"] = ["python3", "emit.py", String(emit.count), String(emit.intervalMs)];
    });
  if (refreshIntervalMs !== undefined)
    editSymbol(dest, "ui/rtt.manifest.json", (symbol) => {
      symbol["x-run"] = [
        "node",
        "refresh.mjs",
        "../logs/refresh.ndjson",
        String(refreshIntervalMs),
      ];
    });
  if (routes !== undefined)
    editJson<{ routes: { id: string }[] }>(dest, ".rtt/routes.json", (file) => {
      file.routes = file.routes.filter((r) => routes.some((id) => id === r.id));
    });
  if (logger2Failover === true)
    editJson<QuickstartPolicy>(dest, ".rtt/policy.json", (p) => {
      for (const rule of p.failover ?? [])
        rule.route = rule.route.replace(/\]$/, `, ${LOGGER2_REF}#ndjson]`);
    });
  if (policy !== undefined) editJson(dest, ".rtt/policy.json", policy);
  return dest;
}

/** A temp copy of examples/quickstart (removed by `removeTempDirs`), set up for the case. */
export function copyQuickstart(setup: QuickstartSetup = {}): string {
  return copyQuickstartTo(join(makeTempDir("rtt-e2e-quickstart-"), "quickstart"), setup);
}

/** Changes the `symbol` of the manifest at `rel` under `dest` (e.g. its `x-run`). */
export function editSymbol(
  dest: string,
  rel: string,
  edit: (symbol: Record<string, unknown>) => void,
): void {
  editJson<{ symbol: Record<string, unknown> }>(dest, rel, (m) => edit(m.symbol));
}

/** Reads the JSON file at `rel` under `dest`, changes it, writes it back (compact: no reader minds). */
export function editJson<T>(dest: string, rel: string, edit: (value: T) => void): void {
  editText(dest, rel, (text) => {
    const value = JSON.parse(text) as T;
    edit(value);
    return JSON.stringify(value);
  });
}

/** Reads the file at `rel` under `dest` and writes back what `edit` makes of its text. */
export function editText(dest: string, rel: string, edit: (text: string) => string): void {
  const file = join(dest, rel);
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

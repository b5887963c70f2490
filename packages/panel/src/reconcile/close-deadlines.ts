/**
 * How long the panel lets a driver take to close a link, or to stop, while the programs behind
 * its links drain (ADR 0024): EOF, `x-drain-ms` to exit, then TERM and the kill grace. A link
 * carries its program's drain time (`LinkRef.drain_ms`, set when it was opened as a route's
 * target), so every close — a retirement, a warm spare's expiry, a stray the sweep finds — and
 * the panel's stop can allow for it instead of cutting it short.
 */
import { DEFAULT_DRAIN_MS } from "@rtt/connector-sdk";
import type { EdgeEnd } from "../plan/topology.ts";
import type { LinkRef } from "./drivers.ts";

/** The time a driver is given past `x-drain-ms` to answer a Close: TERM, grace, KILL. */
export const CLOSE_SLACK_MS = 5000;

/**
 * The most a driver's stop waits for its programs' drains: `rtt panel stop` waits for the panel
 * (the CLI's 60 s), which first gives moves under way their time. A longer `x-drain-ms` is cut
 * short at stop, and the driver's log says so.
 */
export const STOP_DRAIN_CAP_MS = 30_000;

/** The end's `x-drain-ms`, as planned (its launch), else the default. */
export function drainMsOf(end: EdgeEnd): number {
  const value = end.launch?.extra?.["x-drain-ms"];
  return typeof value === "number" && Number.isInteger(value) && value >= 0
    ? value
    : DEFAULT_DRAIN_MS;
}

/**
 * The drain a link opened at `end` carries: a target's `x-drain-ms` when it runs a program; 0
 * for a source (its program is ended at once) and for a target that runs none (a file, a URL).
 */
export function linkDrainMs(end: EdgeEnd, role: "source" | "target"): number {
  if (role === "source" || (end.launch !== undefined && end.launch.argv === undefined)) return 0;
  return drainMsOf(end);
}

/** The drain a link's program has: its own, else the default (a link opened before they were carried). */
export function drainOf(ref: LinkRef): number {
  const ms = ref.drain_ms;
  return ms !== undefined && Number.isInteger(ms) && ms >= 0 ? ms : DEFAULT_DRAIN_MS;
}

/** How much longer than other calls the Close of `ref` may take: its drain, then TERM and KILL. */
export function closeDrainMs(ref: LinkRef): number {
  return drainOf(ref) + CLOSE_SLACK_MS;
}

/**
 * How long each driver's stop may wait for its programs' drains: the longest drain among the
 * links it holds, capped at STOP_DRAIN_CAP_MS; `cut` lists the links whose drain the cap cuts.
 */
export function stopDrains(refs: Iterable<LinkRef>): {
  readonly byDriver: ReadonlyMap<string, number>;
  readonly cut: readonly LinkRef[];
} {
  const byDriver = new Map<string, number>();
  const cut: LinkRef[] = [];
  for (const ref of refs) {
    const ms = drainOf(ref);
    if (ms > STOP_DRAIN_CAP_MS) cut.push(ref);
    byDriver.set(
      ref.driver,
      Math.max(byDriver.get(ref.driver) ?? 0, Math.min(ms, STOP_DRAIN_CAP_MS)),
    );
  }
  return { byDriver, cut };
}

/**
 * Retiring a route's old target (ADR 0024): after a qc, a failover, an apply's replace or a
 * rollback's move, the link the route left has taken its lane's frames; it is closed, and its
 * driver drains the program behind it — EOF, `x-drain-ms` to finish, then TERM, then KILL — and
 * says how it ended and how many frames it had taken. That goes to panel.log, to the audit
 * ledger (a `retire` record) and to `rtt ls routes` (the route's last retirements), where
 * frames a program took without acknowledging them (it did not exit 0 after EOF) show as
 * unaccounted for.
 *
 * A warm spare is kept instead only for a program that says it can be re-attached mid-stream
 * (`x-reattach: true`: it acts on each message as it comes, so an EOS on its lane loses
 * nothing it holds), or for a target that runs no program at all.
 */
import { errorMessage, type JsonValue } from "@rtt/core";
import type { EdgeEnd } from "../plan/topology.ts";
import { CLOSE_SLACK_MS, drainMsOf } from "./close-deadlines.ts";
import type { LinkRef } from "./drivers.ts";
import { linkResourceName } from "./drivers.ts";
import type { ReconcilerOptions } from "./reconciler-options.ts";
import type { ProgramDrain, RouteLinks } from "./route-links.ts";

/** How a retired target's program ended, as `rtt ls routes` shows it. */
export interface RetiredTarget {
  /** The target's address. */
  readonly to: string;
  /** Its link, `driver/link`. */
  readonly link: string;
  /** "exited", "terminated" or "killed" (drain.ts). */
  readonly ended: string;
  readonly code: number | null;
  readonly signal: string | null;
  /** Frames the program's input took. */
  readonly frames: number;
  /** Of those, the ones no program acknowledged (ADR 0024: it did not exit 0 after EOF). */
  readonly unaccounted: number;
  /** When it was retired (ISO 8601). */
  readonly at: string;
}

/** How many retirements `rtt ls routes` keeps per route. */
const KEPT_PER_ROUTE = 5;

/**
 * Whether a target may be kept as a warm spare once a move leaves it: it runs no program (no
 * `x-run` in its launch), or its program declares `x-reattach: true`.
 */
export function reattachable(end: EdgeEnd): boolean {
  if (end.launch === undefined) return true; // planned before launches were recorded
  return end.launch.argv === undefined || end.launch.extra?.["x-reattach"] === true;
}

/** A drain report in words: `exited 0 after EOF, 1200 frames taken`. */
export function describeRetired(r: RetiredTarget): string {
  const how =
    r.ended === "exited"
      ? `exited ${r.code ?? r.signal ?? "(no status)"} after EOF`
      : `${r.ended}${r.signal === null ? "" : ` (${r.signal})`}: it did not exit by itself after EOF`;
  const lost = r.unaccounted > 0 ? `, ${r.unaccounted} unaccounted for` : "";
  return `${how}, ${r.frames} frames taken${lost}`;
}

function retiredOf(end: EdgeEnd, ref: LinkRef, drain: ProgramDrain): RetiredTarget {
  const code = drain.code < 0 ? null : drain.code;
  const frames = Number(drain.frames);
  return {
    to: end.saddr,
    link: linkResourceName(ref),
    ended: drain.ended,
    code,
    signal: drain.signal === "" ? null : drain.signal,
    frames,
    unaccounted: Number(drain.unaccounted),
    at: new Date().toISOString(),
  };
}

export class TargetRetirement {
  readonly #o: Pick<ReconcilerOptions, "audit" | "progress">;
  readonly #links: RouteLinks;
  readonly #byRoute = new Map<string, RetiredTarget[]>();

  constructor(options: Pick<ReconcilerOptions, "audit" | "progress">, links: RouteLinks) {
    this.#o = options;
    this.#links = links;
  }

  /** The route's last retirements, oldest first. */
  of(routeId: string): readonly RetiredTarget[] {
    return this.#byRoute.get(routeId) ?? [];
  }

  /**
   * Closes `ref`, the target `end` that `routeId` left (`why`: the move), draining its program;
   * how it ended is logged, audited and kept for `rtt ls routes` — when its driver ran one.
   */
  async retire(
    ref: LinkRef,
    end: EdgeEnd,
    routeId: string,
    why: string,
  ): Promise<RetiredTarget | undefined> {
    const drainMs = drainMsOf(end);
    const drain = await this.#links.closeReporting(ref, drainMs + CLOSE_SLACK_MS);
    // A target that runs no program (a file, an api reached by URL, a stub) has nothing to say.
    if (drain === undefined) return undefined;
    const retired = retiredOf(end, ref, drain);
    const kept = [...this.of(routeId), retired].slice(-KEPT_PER_ROUTE);
    this.#byRoute.set(routeId, kept);
    this.#o.progress?.(
      `route ${routeId}: retired ${end.saddr} (${retired.link}): ${describeRetired(retired)}`,
    );
    try {
      this.#o.audit.appendAll([
        {
          action: "retire",
          route: routeId,
          who: "panel",
          why,
          before: { to: end.saddr, link: retired.link },
          after: {
            ended: retired.ended,
            code: retired.code,
            signal: retired.signal,
            frames: retired.frames,
            unaccounted: retired.unaccounted,
            drain_ms: drainMs,
          } satisfies Record<string, JsonValue>,
        },
      ]);
    } catch (error) {
      this.#o.progress?.(
        `route ${routeId}: could not audit the retirement: ${errorMessage(error)}`,
      );
    }
    return retired;
  }
}

/**
 * The daemon's health loop (docs/design.md §The life of a route: health): every
 * `health.heartbeat_ms` it samples both links of every wired route from their drivers, keeps
 * rolling statistics per route, and feeds each route's circuit breaker — an error when a link is
 * not ok, an SLO observation against the route's failover health bounds, a tick for backoff
 * deadlines. `rtt trip` / `rtt heal` feed it too, and the transitions they cause carry who asked
 * and why. Transitions go to `onTransition` (the daemon audits, journals and acts on them); the
 * breaker states are journaled with the topology so a restart keeps an open breaker open.
 */
import type { HealthSample } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import {
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
  type BreakerTransition,
  newBreaker,
  restoreBreaker,
  stepBreaker,
} from "../health/breaker.ts";
import {
  type HistoryPoint,
  RouteSamples,
  type RouteStats,
  sloObservation,
} from "../health/samples.ts";
import type { Actor } from "../reconcile/actor.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import { samplesOf } from "./panel-messages.ts";

export interface RouteHealthView {
  readonly route: string;
  readonly breaker: BreakerState;
  readonly stats: RouteStats;
  readonly history: readonly HistoryPoint[];
}

export interface RouteHealthOptions {
  readonly intervalMs: number;
  /** The routes to watch now. */
  readonly routes: () => Iterable<WiredRoute>;
  /**
   * Route ids whose breaker is kept while they are not wired (the committed topology's): a
   * route rewired after its driver restarted keeps its breaker — an operator's trip included.
   */
  readonly keep?: () => Iterable<string>;
  /** One health sample of a link, or undefined when its driver does not answer. */
  readonly sample: (driver: string, link: string) => Promise<HealthSample | undefined>;
  /** The breaker configuration of a route (panel.yaml's trip threshold, the policy's bounds). */
  readonly configFor: (route: WiredRoute) => BreakerConfig;
  /** `actor`: who asked, when a manual trip or heal caused `t`; none for the loop's own. */
  readonly onTransition: (route: string, t: BreakerTransition, actor?: Actor) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

interface Watched {
  breaker: BreakerState;
  samples: RouteSamples;
  /** The target link the samples are of: a new one (qc, failover, rewire) starts them over. */
  target: string;
  /** When the last pair of samples fed in was taken (both ends), to feed none twice. */
  lastTaken?: string;
  /** Both ends' cumulative error counters at the last pair fed in (a sample's are the rise). */
  lastErrors?: { readonly from: number; readonly to: number };
}

/**
 * The rise of a cumulative counter; a counter that went down restarted from zero. The first
 * reading is the baseline: a restarted panel does not count a driver's old errors again.
 */
const rise = (cur: number, prev: number | undefined): number =>
  prev === undefined ? 0 : cur >= prev ? cur - prev : cur;

const targetOf = (r: WiredRoute) => `${r.to.driver}/${r.to.link}`;

function monotonicEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class RouteHealth {
  readonly #o: RouteHealthOptions;
  readonly #routes = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(options: RouteHealthOptions, journaled: Readonly<Record<string, unknown>> = {}) {
    this.#o = options;
    const now = this.#now();
    for (const route of options.routes()) {
      const saved = journaled[route.edge.route];
      const breaker =
        saved === undefined
          ? newBreaker(now)
          : restoreBreaker(options.configFor(route), saved, now);
      this.#routes.set(route.edge.route, {
        breaker,
        samples: new RouteSamples(),
        target: targetOf(route),
      });
    }
  }

  /**
   * Epoch milliseconds that never jump: the process's monotonic clock from its start time, so a
   * wall-clock step cannot end a backoff early or stretch it (the state keeps epoch-like values,
   * which a restarted panel reads against its own clock).
   */
  #now(): number {
    return (this.#o.now ?? monotonicEpochMs)();
  }

  #watched(route: WiredRoute): Watched {
    let w = this.#routes.get(route.edge.route);
    if (w === undefined) {
      w = {
        breaker: newBreaker(this.#now()),
        samples: new RouteSamples(),
        target: targetOf(route),
      };
      this.#routes.set(route.edge.route, w);
    }
    if (w.target !== targetOf(route)) {
      w.samples = new RouteSamples();
      w.target = targetOf(route);
      // A new target link counts from zero; the source link is the same one.
      if (w.lastErrors !== undefined) w.lastErrors = { from: w.lastErrors.from, to: 0 };
    }
    return w;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One round: sample every wired route and feed its breaker. Rounds never overlap. */
  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const routes = [...this.#o.routes()];
      const ids = new Set([...routes.map((r) => r.edge.route), ...(this.#o.keep?.() ?? [])]);
      for (const id of this.#routes.keys()) if (!ids.has(id)) this.#routes.delete(id);
      await Promise.all(routes.map((r) => this.#tickRoute(r)));
    } finally {
      this.#ticking = false;
    }
  }

  async #tickRoute(route: WiredRoute): Promise<void> {
    const { from, to } = await samplesOf(this.#o, route);
    const w = this.#watched(route);
    const now = this.#now();
    const events: BreakerEvent[] = [{ kind: "tick" }];
    // A driver that did not answer in time (a loaded machine) says nothing about the route: no
    // event. A dead driver is restarted and its routes rewired, which is not the breaker's job.
    // The pool may answer from a sample it already gave (its liveness watch, a short cache):
    // the same pair of samples is one observation, not two successes or two errors.
    const taken =
      from !== undefined &&
      to !== undefined &&
      Number(from.at_unix_ms) > 0 &&
      Number(to.at_unix_ms) > 0
        ? `${from.at_unix_ms}/${to.at_unix_ms}`
        : undefined;
    const seen = taken !== undefined && taken === w.lastTaken;
    if (taken !== undefined) w.lastTaken = taken;
    if (from !== undefined && to !== undefined && !seen) {
      const down = [
        ["source", from],
        ["target", to],
      ] as const;
      const problems = down.flatMap(([end, s]) => (s.ok ? [] : [`the ${end} is not ok: ${s.err}`]));
      // Messages either end failed since the last pair (a refused connection, a 5xx, a program's
      // non-zero exit): each is one of the route's errors, for its error rate and its breaker.
      const failed = rise(from.errors, w.lastErrors?.from) + rise(to.errors, w.lastErrors?.to);
      w.lastErrors = { from: from.errors, to: to.errors };
      if (failed > 0 && problems.length === 0) problems.push(`${failed} failed messages`);
      // The route delivered what its target took (the target link's frames in: a sink writes
      // nothing out); drops are what the source's admission kept back.
      w.samples.add(
        {
          ...to,
          frames_out: to.frames_in,
          drops: from.drops + from.nacked,
          // Per sample, not the driver's cumulative count; a not-ok sample is at least one.
          errors: failed > 0 ? failed : to.ok ? 0 : 1,
        },
        now,
      );
      events.push(
        problems.length === 0
          ? { kind: "success" }
          : { kind: "error", detail: problems.join("; "), count: Math.max(1, failed) },
      );
    }
    for (const e of events) this.#feed(route, w, e);
    // Observed once the events above are fed: a tick that half-opened the breaker emptied the
    // window, and the trial must not be re-opened by the stats that tripped it.
    if (from !== undefined && to !== undefined && !seen)
      this.#feed(route, w, { kind: "slo", observed: sloObservation(w.samples.stats(now)) });
  }

  #feed(route: WiredRoute, w: Watched, event: BreakerEvent, actor?: Actor): void {
    const step = stepBreaker(this.#o.configFor(route), w.breaker, event, {
      now: this.#now(),
      random: this.#o.random ?? Math.random,
    });
    w.breaker = step.state;
    // A half-open trial is judged on what happens from now on, not on the window that tripped it.
    if (step.transitions.some((t) => t.to === "half-open")) w.samples = new RouteSamples();
    for (const t of step.transitions) this.#o.onTransition(route.edge.route, t, actor);
  }

  #route(id: string): WiredRoute {
    const route = [...this.#o.routes()].find((r) => r.edge.route === id);
    if (route === undefined)
      throw new RttError("RTT_ERR_PLAN_INVALID", `route ${id} is not wired`, {
        hint: "`rtt ls routes` shows the wired routes",
      });
    return route;
  }

  /**
   * `rtt trip route/<id>`: opens the breaker at once, held until a heal. The breaker's reason
   * names `actor.who` and the operator's own `why`, if one was given; `actor` goes with every
   * transition this causes.
   */
  trip(id: string, actor: Actor, why?: string): BreakerState {
    const route = this.#route(id);
    const w = this.#watched(route);
    const event = { kind: "trip", who: actor.who, ...(why === undefined ? {} : { why }) } as const;
    this.#feed(route, w, event, actor);
    return w.breaker;
  }

  /** `rtt heal route/<id>`: the half-open test (a bounded trial; closes after enough successes). */
  heal(id: string, actor: Actor): BreakerState {
    const route = this.#route(id);
    const w = this.#watched(route);
    this.#feed(route, w, { kind: "heal", who: actor.who }, actor);
    return w.breaker;
  }

  /** What to journal: every watched route's breaker. */
  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.#routes].map(([id, w]) => [id, w.breaker]));
  }

  view(id: string): RouteHealthView | undefined {
    const w = this.#routes.get(id);
    if (w === undefined) return undefined;
    const now = this.#now();
    return {
      route: id,
      breaker: w.breaker,
      stats: w.samples.stats(now),
      history: w.samples.history(),
    };
  }
}

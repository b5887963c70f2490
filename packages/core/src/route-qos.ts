/**
 * A route's admission QoS (policy.json's `rate`, `burst`, `drop`, `buffer`) on its way from the
 * panel to the driver that applies it. The reconciler opens both ends of a route with the same
 * Open params, so the QoS rides in them as reserved `qos.*` keys, and `qos.source` names the end
 * that admits: the route's source, where frames enter it (ADR 0015). The driver runtime
 * takes these keys out before the connector sees its params.
 *
 * No `rate`, no keys: a route without a rate has no admission at all, as before.
 */
import { RttError } from "./errors.ts";
import { DROP_POLICIES, type DropPolicy } from "./qos.ts";

/** Route params starting with this belong to the panel; routes.json may not set them. */
export const ROUTE_QOS_PREFIX = "qos.";

/**
 * The Open param naming a `buffer` route's journal directory (an absolute path the panel owns):
 * the source end journals what its program wrote there and the target end records there what
 * it handed on, so a driver's successor replays what a crash left undelivered (ADR 0016). The
 * panel adds it when it opens the ends of a one-way `buffer` route; the plan does not show it.
 */
export const ROUTE_JOURNAL_PARAM = `${ROUTE_QOS_PREFIX}journal`;

/**
 * The Open param that marks the source end of a one-way route (value `source`): the driver
 * runs one program for every such link of the same symbol, launch and params, and fans its
 * output out to each route's own admission and lane (ADR 0025). The panel adds it; a target
 * end, and a request/response source (whose answers pair by correlation), never get it.
 */
export const ROUTE_FANOUT_PARAM = `${ROUTE_QOS_PREFIX}fanout`;

/** The `buffer` policy's queue when the policy sets none (the link's inbound mark matches it). */
export const DEFAULT_ROUTE_BUFFER = 1024;

/** What the source end of a route admits with. */
export interface RouteAdmissionQos {
  /** Frames per second within the rate; finite, > 0. */
  readonly rate: number;
  /** Frames the bucket holds (and starts with); >= 1. */
  readonly burst: number;
  readonly drop: DropPolicy;
  /** Frames the `buffer` policy may queue; only with drop `buffer`. */
  readonly buffer?: number;
}

/** The QoS fields this needs, as the policy engine's effective QoS has them. */
export interface RouteQosFields {
  readonly rate?: number;
  readonly burst?: number;
  readonly drop: DropPolicy;
  readonly buffer?: number;
}

/** A burst for a rate with none: 100 ms of the rate, at least one frame. */
export function defaultBurst(rate: number): number {
  return Math.max(1, Math.ceil(rate / 10));
}

/**
 * The Open params that carry `qos` to the route's source `source` (its concrete address); empty
 * without a rate. Defaults are filled in here, so the plan shows what the driver will do.
 */
export function routeQosParams(source: string, qos: RouteQosFields): Record<string, string> {
  if (qos.rate === undefined) return {};
  const params: Record<string, string> = {
    "qos.source": source,
    "qos.rate": String(qos.rate),
    "qos.burst": String(qos.burst ?? defaultBurst(qos.rate)),
    "qos.drop": qos.drop,
  };
  if (qos.drop === "buffer") params["qos.buffer"] = String(qos.buffer ?? DEFAULT_ROUTE_BUFFER);
  return params;
}

/** The route param keys (of routes.json) that collide with the panel's `qos.*` keys. */
export function reservedRouteParams(
  params: Readonly<Record<string, unknown>> | undefined,
): string[] {
  return Object.keys(params ?? {}).filter((k) => k.startsWith(ROUTE_QOS_PREFIX));
}

export interface ReadRouteQos {
  /** The end that admits (`qos.source`), as the panel wrote it; undefined without QoS. */
  readonly source: string | undefined;
  readonly qos: RouteAdmissionQos | undefined;
  /** The route's journal directory (`qos.journal`); only on a `buffer` route. */
  readonly journal?: string;
  /** The link is a one-way route's source end, sharable with the symbol's other routes. */
  readonly fanout?: boolean;
  /** The params without the `qos.*` keys: what the connector gets. */
  readonly params: Record<string, string>;
}

/** Splits Open params into the route's QoS and the connector's own params; bad values throw. */
export function readRouteQos(params: Readonly<Record<string, string>>): ReadRouteQos {
  const fanout = params[ROUTE_FANOUT_PARAM];
  if (fanout === undefined) return readAdmission(params);
  if (fanout !== "source") throw badParam("fanout", fanout, '"source"');
  const rest = Object.fromEntries(Object.entries(params).filter(([k]) => k !== ROUTE_FANOUT_PARAM));
  return { ...readAdmission(rest), fanout: true };
}

function readAdmission(params: Readonly<Record<string, string>>): ReadRouteQos {
  // fromEntries, not assignment: a key such as "__proto__" stays a plain key.
  const entries = Object.entries(params);
  const ownEntries = entries.filter(([k]) => !k.startsWith(ROUTE_QOS_PREFIX));
  const own = Object.fromEntries(ownEntries);
  if (ownEntries.length === entries.length)
    return { source: undefined, qos: undefined, params: own };
  const qos: Partial<Record<string, string>> = Object.fromEntries(
    entries
      .filter(([k]) => k.startsWith(ROUTE_QOS_PREFIX))
      .map(([k, v]) => [k.slice(ROUTE_QOS_PREFIX.length), v]),
  );
  const known = new Set(["source", "rate", "burst", "drop", "buffer", "journal"]);
  for (const k of Object.keys(qos)) {
    if (!known.has(k)) throw badParam(k, qos[k], `a known key (${[...known].join(", ")})`);
  }
  const source = qos.source;
  if (source === undefined || source === "") throw badParam("source", source, "a saddr");
  const rate = number("rate", qos.rate, (n) => n > 0, "a finite number > 0 (frames/s)");
  const burst = number("burst", qos.burst, (n) => n >= 1, "a finite number >= 1 (frames)");
  const drop = qos.drop as DropPolicy;
  if (!DROP_POLICIES.includes(drop)) throw badParam("drop", qos.drop, DROP_POLICIES.join(" | "));
  if (drop !== "buffer") {
    if (qos.buffer !== undefined)
      throw badParam("buffer", qos.buffer, "no buffer unless drop is buffer");
    if (qos.journal !== undefined)
      throw badParam("journal", qos.journal, "no journal unless drop is buffer");
    return { source, qos: { rate, burst, drop }, params: own };
  }
  const buffer = number("buffer", qos.buffer, Number.isSafeInteger, "an integer >= 1 (frames)");
  if (buffer < 1) throw badParam("buffer", qos.buffer, "an integer >= 1 (frames)");
  const journal = qos.journal;
  if (journal !== undefined && !journal.startsWith("/"))
    throw badParam("journal", journal, "an absolute directory path");
  return {
    source,
    qos: { rate, burst, drop, buffer },
    ...(journal === undefined ? {} : { journal }),
    params: own,
  };
}

function number(
  key: string,
  text: string | undefined,
  ok: (n: number) => boolean,
  expected: string,
): number {
  const n = text === undefined || text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw badParam(key, text, expected);
  return n;
}

function badParam(key: string, value: string | undefined, expected: string): RttError {
  return new RttError(
    "RTT_ERR_DOC_SCHEMA",
    `route param ${ROUTE_QOS_PREFIX}${key}: expected ${expected}; got ${value === undefined ? "nothing" : JSON.stringify(value)}`,
    { hint: "the panel sets qos.* from the policy.json qos rule matching the route's source" },
  );
}

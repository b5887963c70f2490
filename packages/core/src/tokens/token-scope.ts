/**
 * What a capability token allows (ADR 0018): a pure matcher of one request (an action on a route,
 * touching some addresses) against a token's scope. No I/O and no clock: signature and expiry
 * are capability-token.ts's; this says only whether the scope covers the request, and if not,
 * what is missing, so the refusal can name it.
 *
 * The rules, each narrowing, never widening:
 * - the action must be listed (no action implies another);
 * - a scope with `routes` covers a route id only when one of its globs matches it (`*` is any
 *   run of characters); a panel-wide request (every route) only with the glob `*` itself;
 * - a scope with `saddrs` covers a request only when every address it touches matches one of
 *   its SADDR patterns (as policy patterns match); a panel-wide request never;
 * - both given: both must hold. Neither given, or an empty action list: it covers nothing.
 */
import { RttError } from "../errors.ts";
import { parseConcrete, parseSaddr, type Saddr } from "../saddr.ts";
import { escapeRegExp, matches } from "../saddr-match.ts";

export const TOKEN_ACTIONS = [
  "read",
  "plan",
  "apply",
  "qc",
  "trip",
  "heal",
  "rollback",
  "shutdown",
] as const;
export type TokenAction = (typeof TOKEN_ACTIONS)[number];

/** A route glob: what a route id may hold (routes.json's identifier), plus `*`. */
const ROUTE_GLOB = /^[a-z0-9.*_-][a-z0-9.*_-]*$/;

export interface TokenScope {
  readonly actions: readonly TokenAction[];
  /** Route id globs. */
  readonly routes: readonly string[];
  /** SADDR patterns. */
  readonly saddrs: readonly string[];
}

/** The request's route: one route id, or every route (shutdown, a call on the whole panel). */
export const EVERY_ROUTE: unique symbol = Symbol("every route");

export interface ScopeRequest {
  readonly action: TokenAction;
  readonly route: string | typeof EVERY_ROUTE;
  /** The concrete addresses the call touches (a route's ends, a swap's new target). */
  readonly saddrs: readonly string[];
}

/** Why a scope does not cover a request: the first thing missing. */
export interface ScopeDenial {
  readonly missing: "action" | "route" | "saddr";
  readonly detail: string;
}

export function isTokenAction(value: string): value is TokenAction {
  return (TOKEN_ACTIONS as readonly string[]).includes(value);
}

/** A scope as a token carries it, refused whole when any part is malformed (`where` names it). */
export function checkScope(scope: TokenScope, where: string): TokenScope {
  for (const a of scope.actions)
    if (!isTokenAction(a))
      throw new RttError("RTT_ERR_TOKEN", `${where}: unknown action ${JSON.stringify(a)}`, {
        hint: `actions are ${TOKEN_ACTIONS.join(", ")}`,
      });
  for (const r of scope.routes)
    if (!ROUTE_GLOB.test(r))
      throw new RttError("RTT_ERR_TOKEN", `${where}: route glob ${JSON.stringify(r)} is invalid`, {
        hint: "a route glob is a route id (lowercase letters, digits, '.', '_', '-') with '*' for any run of them",
      });
  for (const s of scope.saddrs) parsePattern(s, where);
  return scope;
}

function parsePattern(pattern: string, where: string): Saddr {
  try {
    return parseSaddr(pattern);
  } catch (error) {
    throw new RttError(
      "RTT_ERR_TOKEN",
      `${where}: address pattern ${JSON.stringify(pattern)} does not parse: ${(error as Error).message}`,
    );
  }
}

function routeGlobMatches(glob: string, route: string): boolean {
  if (!glob.includes("*")) return glob === route;
  return new RegExp(`^${glob.split("*").map(escapeRegExp).join(".*")}$`).test(route);
}

function saddrCovered(patterns: readonly Saddr[], saddr: string): boolean {
  let concrete: ReturnType<typeof parseConcrete>;
  try {
    concrete = parseConcrete(saddr);
  } catch {
    return false;
  }
  return patterns.some((p) => matches(p, concrete));
}

/** Undefined when `scope` covers `request`; else the first thing it lacks. */
export function scopeDenial(scope: TokenScope, request: ScopeRequest): ScopeDenial | undefined {
  if (!scope.actions.includes(request.action))
    return {
      missing: "action",
      detail: `action ${request.action} is not among the token's actions (${scope.actions.join(", ") || "none"})`,
    };
  const { route } = request;
  const where = route === EVERY_ROUTE ? "every route" : `route ${route}`;
  if (scope.routes.length === 0 && scope.saddrs.length === 0)
    return { missing: "route", detail: `the token names no route and no address: ${where}` };
  if (scope.routes.length > 0) {
    const ok =
      route === EVERY_ROUTE
        ? scope.routes.includes("*")
        : scope.routes.some((g) => routeGlobMatches(g, route));
    if (!ok)
      return {
        missing: "route",
        detail: `${where} is not covered by the token's routes (${scope.routes.join(", ")})`,
      };
  }
  if (scope.saddrs.length > 0) {
    if (route === EVERY_ROUTE || request.saddrs.length === 0)
      return {
        missing: "saddr",
        detail: `the token is limited to addresses (${scope.saddrs.join(", ")}) and ${where} is not one address`,
      };
    const patterns = scope.saddrs.map((s) => parsePattern(s, "the token"));
    const outside = request.saddrs.find((s) => !saddrCovered(patterns, s));
    if (outside !== undefined)
      return {
        missing: "saddr",
        detail: `${outside} (${where}) matches none of the token's addresses (${scope.saddrs.join(", ")})`,
      };
  }
  return undefined;
}

export function scopeCovers(scope: TokenScope, request: ScopeRequest): boolean {
  return scopeDenial(scope, request) === undefined;
}

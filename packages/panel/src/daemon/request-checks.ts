/**
 * What the panel accepts in a request before any handler sees it (issue 14: the panel decides,
 * clients ask). Every field a client names a route with is a route id by routes.json's own rule
 * (IDENT_PATTERN, at most ROUTE_ID_MAX_LENGTH), optionally `route/<id>` where the CLI takes that
 * spelling; the free texts (who, why, a reason, a reference) are bounded and free of control
 * characters, since they end up in the audit ledger, the panel's log and people's terminals.
 * A bad field is RTT_ERR_REQUEST_INVALID (INVALID_ARGUMENT) naming the call and the field.
 */
import type * as grpc from "@grpc/grpc-js";
import { type PanelHandlers, toServiceError } from "@rtt/connector-sdk";
import { IDENT_PATTERN, quoteInput, ROUTE_ID_MAX_LENGTH, RttError } from "@rtt/core";

const ROUTE_ID = new RegExp(IDENT_PATTERN);
const ROUTE_PREFIX = "route/";
/** A person or program's name (`user@host`, a service account). */
export const WHO_MAX_LENGTH = 256;
/** A why, a shutdown reason: a sentence or two. */
export const WHY_MAX_LENGTH = 1024;
/** A symbol address or pattern (a SADDR's parser checks the rest). */
export const REFERENCE_MAX_LENGTH = 1024;
/** A symbol type (`rtt ls symbols --type`): the names are short. */
const TYPE_MAX_LENGTH = 64;
/** QuickConnect's params: the panel ignores them today, so a few short ones at most. */
const PARAMS_MAX = 32;
/** A plan's JSON: thousands of routes fit (its nesting is bounded where it is parsed). */
export const PLAN_JSON_MAX_LENGTH = 4 * 1024 * 1024;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function refuse(field: string, problem: string, hint?: string): RttError {
  return new RttError(
    "RTT_ERR_REQUEST_INVALID",
    `${field}: ${problem}`,
    hint === undefined ? {} : { hint },
  );
}

/**
 * The route id in `value` (a `route/` prefix dropped when `prefixed`); refused unless it is one
 * routes.json could declare.
 */
export function checkRouteId(value: unknown, field: string, prefixed = false): string {
  if (typeof value !== "string") return refuseType(field);
  const id = prefixed && value.startsWith(ROUTE_PREFIX) ? value.slice(ROUTE_PREFIX.length) : value;
  if (id.length > ROUTE_ID_MAX_LENGTH)
    throw refuse(
      field,
      `a route id has at most ${ROUTE_ID_MAX_LENGTH} characters; this one has ${id.length}`,
    );
  if (!ROUTE_ID.test(id))
    throw refuse(
      field,
      `${quoteInput(value)} is not a route id: lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`,
      prefixed ? "name the route as routes.json does: route/<id> or <id>" : undefined,
    );
  return id;
}

function refuseType(field: string): never {
  throw refuse(field, "expected a route id (a string)");
}

/** An optional route id filter: empty for every route, else a route id. */
function checkRouteFilter(value: string, field: string): void {
  if (value !== "") checkRouteId(value, field);
}

/** A free text the client sends: at most `max` characters, no control characters. */
export function checkText(value: string, field: string, max: number): void {
  checkLength(value, field, max);
  const control = CONTROL.exec(value);
  if (control !== null)
    throw refuse(
      field,
      `control character U+${control[0].codePointAt(0)?.toString(16).padStart(4, "0")} at ${control.index} in ${quoteInput(value)}`,
    );
}

/** Any text the client sends: at most `max` characters (a longer one is quoted short). */
function checkLength(value: string, field: string, max: number): void {
  if (value.length > max)
    throw refuse(
      field,
      `at most ${max} characters are accepted; this has ${value.length}: ${quoteInput(value)}`,
    );
}

/** Who asks and why, as every mutating call carries them. */
function checkActor(req: { who?: string; why?: string }, call: string): void {
  checkText(req.who ?? "", `${call}.who`, WHO_MAX_LENGTH);
  checkText(req.why ?? "", `${call}.why`, WHY_MAX_LENGTH);
}

/** The request message of call `M`, as the server receives it. */
type RequestOf<M extends keyof PanelHandlers> =
  PanelHandlers[M] extends grpc.handleUnaryCall<infer Req, infer _Res>
    ? Req
    : PanelHandlers[M] extends grpc.handleServerStreamingCall<infer Req, infer _Res>
      ? Req
      : never;

/**
 * Each call's checks; a call with nothing to check (Status, ListRoutes, PlanRoutes, Scan) has
 * none.
 */
const CHECKS: { readonly [M in keyof PanelHandlers]?: (req: RequestOf<M>) => void } = {
  // The plan's own route ids are checked where it is parsed (plan-check.ts).
  ApplyPlan: (req) => {
    checkLength(req.plan_json, "ApplyPlan.plan_json", PLAN_JSON_MAX_LENGTH);
    checkActor(req, "ApplyPlan");
  },
  Rollback: (req) => checkActor(req, "Rollback"),
  ListSymbols: (req) => {
    checkText(req.pattern, "ListSymbols.pattern", REFERENCE_MAX_LENGTH);
    checkText(req.type, "ListSymbols.type", TYPE_MAX_LENGTH);
  },
  Health: (req) => checkRouteFilter(req.route, "Health.route"),
  Audit: (req) => checkRouteFilter(req.route, "Audit.route"),
  QuickConnect: (req) => {
    // `rtt qc A -> B`: A is a wired route's id (or route/<id>) or its source's address.
    if (req.from.toLowerCase().startsWith("rtt://"))
      checkText(req.from, "QuickConnect.from", REFERENCE_MAX_LENGTH);
    else checkRouteId(req.from, "QuickConnect.from", true);
    checkText(req.to, "QuickConnect.to", REFERENCE_MAX_LENGTH);
    checkActor(req, "QuickConnect");
    const params = Object.entries(req.params);
    if (params.length > PARAMS_MAX)
      throw refuse("QuickConnect.params", `at most ${PARAMS_MAX} are accepted`);
    for (const [k, v] of params) {
      checkText(k, "QuickConnect.params key", WHO_MAX_LENGTH);
      checkText(v, `QuickConnect.params.${k}`, WHY_MAX_LENGTH);
    }
  },
  Trip: (req) => {
    checkRouteId(req.route, "Trip.route", true);
    checkActor(req, "Trip");
  },
  Heal: (req) => {
    checkRouteId(req.route, "Heal.route", true);
    checkActor(req, "Heal");
  },
  Shutdown: (req) => checkText(req.reason, "Shutdown.reason", WHY_MAX_LENGTH),
};

/** The request's problem, if any, as the error to answer with. */
function problemOf(method: keyof PanelHandlers, request: unknown): RttError | undefined {
  const check = CHECKS[method] as ((req: unknown) => void) | undefined;
  try {
    check?.(request);
    return undefined;
  } catch (error) {
    // A check that throws anything else is a bug: the client learns which call, the log why.
    return error instanceof RttError
      ? error
      : new RttError("RTT_ERR_INTERNAL", `checking a ${method} request failed inside the panel`, {
          cause: error,
        });
  }
}

/**
 * Told of each refused request: which call, the call itself (who made it), and why (an
 * RTT_ERR_INTERNAL carries the bug it stands for as its `cause`).
 */
export type OnRefused = (
  method: keyof PanelHandlers,
  call: { getPeer(): string },
  why: RttError,
) => void;

/**
 * The Panel service's handlers with each request checked first: a bad one is answered with its
 * RTT_ERR_REQUEST_INVALID (and told to `onRefused`) and never reaches the handler.
 */
export function withRequestChecks(handlers: PanelHandlers, onRefused?: OnRefused): PanelHandlers {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const method = name as keyof PanelHandlers;
    const run = handler as (call: { request: unknown }, callback?: unknown) => void;
    out[name] = (
      call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
      callback?: grpc.sendUnaryData<unknown>,
    ) => {
      const problem = problemOf(method, call.request);
      if (problem === undefined) return run(call, callback);
      onRefused?.(method, call, problem);
      if (callback !== undefined) callback(toServiceError(problem));
      else call.emit("error", toServiceError(problem));
    };
  }
  return out as unknown as PanelHandlers;
}

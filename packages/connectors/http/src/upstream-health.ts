/**
 * What an http target's answers say about its upstream (issue 16, "errors are errors"): each
 * exchange is classified, the route's errors and the client's errors are counted apart, and the
 * upstream's state — up, or down since a connection failure or a timeout — changes only on an
 * exchange, so the driver logs one line per change, never one per request.
 *
 * Kinds:
 * - `ok`: a 1xx–3xx answer.
 * - `client`: a 4xx answer — the sender's business, counted apart, not a route error.
 * - `server`: a 5xx answer, or a status outside 100–599 (an upstream that speaks no HTTP).
 * - `unreachable`: no answer: the connection was refused, reset, or the socket is gone.
 * - `timeout`: no answer within the target's timeout (or the kernel's: ETIMEDOUT).
 * `server`, `unreachable` and `timeout` are route errors: they feed the error rate and breaker.
 */

export type ExchangeKind = "ok" | "client" | "server" | "unreachable" | "timeout";

/** The kind of an HTTP answer by its status. */
export function kindOfStatus(status: number): "ok" | "client" | "server" {
  if (!Number.isInteger(status) || status < 100 || status > 599) return "server";
  if (status >= 500) return "server";
  if (status >= 400) return "client";
  return "ok";
}

/** Errno codes that mean "no answer in time", not "nobody there". */
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "ETIME"]);

/** The kind of a request that got no answer, by its error's `code` (ECONNREFUSED, ETIMEDOUT…). */
export function kindOfFailure(code: string | undefined): "unreachable" | "timeout" {
  return code !== undefined && TIMEOUT_CODES.has(code) ? "timeout" : "unreachable";
}

export function isRouteError(kind: ExchangeKind): boolean {
  return kind === "server" || kind === "unreachable" || kind === "timeout";
}

/** The counters of one target link and its upstream's state. */
export class UpstreamHealth {
  /** Route errors so far (server, unreachable, timeout). */
  errors = 0;
  /** 4xx answers so far. */
  clientErrors = 0;
  /** Why the upstream is down (its last failure), or undefined while it answers. */
  down: string | undefined;

  /**
   * Counts one exchange; returns a line to log when it changed the upstream's state (down on
   * a connection failure or timeout, back on any HTTP answer), else undefined.
   */
  record(kind: ExchangeKind, reason: string): string | undefined {
    if (isRouteError(kind)) this.errors++;
    else if (kind === "client") this.clientErrors++;
    if (kind === "unreachable" || kind === "timeout") {
      const was = this.down;
      this.down = reason;
      return was === undefined ? `upstream down: ${reason}` : undefined;
    }
    if (this.down === undefined) return undefined;
    this.down = undefined;
    return "upstream back: it answers again";
  }
}

/**
 * Who may use the ui server. Loopback is not enough: every local user, and every web page the
 * owner's browser has open, can reach 127.0.0.1. So:
 * - the Host header must name the address served (a DNS-rebinding page's Host names its own
 *   domain);
 * - a request from another origin is refused (Origin, Sec-Fetch-Site), and no CORS header is
 *   ever sent, so a cross-origin page cannot read an answer or send the secret's header;
 * - the live data and the actions need this run's secret, which only the printed address
 *   carries (after `#`, so it never travels in a request line or a Referer): the page reads it
 *   from its own address and sends it along.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { UiListen } from "./listen.ts";

export const SECRET_HEADER = "x-rtt-secret";

export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** The host (and port) of the page's address, served at `listen` on `port`. */
export function servedHost(listen: UiListen, port: number): string {
  if (listen.kind === "unix") return "localhost";
  return `${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${port}`;
}

/** The Host values a request may carry, served at `listen` on `port`; undefined: any. */
export function allowedHosts(listen: UiListen, port: number): ReadonlySet<string> | undefined {
  // Behind a Unix socket only a proxy the owner set up reaches the server: it names the host.
  if (listen.kind === "unix") return undefined;
  return new Set([servedHost(listen, port), `localhost:${port}`]);
}

export interface Guard {
  readonly hosts: ReadonlySet<string> | undefined;
  readonly secret: string;
}

/** What a request needs: a static file, the live data, or an action. */
export type Access = "file" | "data" | "action";

function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Why `req` is refused (403), or undefined when it may go on. */
export function refusal(req: IncomingMessage, guard: Guard, access: Access): string | undefined {
  const host = header(req, "host");
  if (host === undefined) return "no Host header";
  if (guard.hosts !== undefined && !guard.hosts.has(host.toLowerCase()))
    return `Host ${host} is not this server`;
  const origin = header(req, "origin");
  if (origin !== undefined && origin !== `http://${host}`)
    return `a request from ${origin} (another origin)`;
  const site = header(req, "sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return `a ${site} request`;
  if (access === "file") return undefined;
  const given =
    access === "data"
      ? (new URL(req.url ?? "/", "http://x").searchParams.get("s") ?? undefined)
      : header(req, SECRET_HEADER);
  return sameSecret(given, guard.secret) ? undefined : "this run's secret is missing or wrong";
}

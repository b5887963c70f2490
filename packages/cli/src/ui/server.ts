/**
 * `rtt ui`'s HTTP server: the page's three files and the graph library from node_modules (as
 * they are: no build step), the live feed as server-sent events, and trip/heal as POSTs. Every
 * request passes the guard first (guard.ts); answers forbid framing, sniffing and any script or
 * connection but this server's own.
 */
import { createHash } from "node:crypto";
import { chmodSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ERROR_CATALOG, errorMessage, fromSystemError, RttError } from "@rtt/core";
import type { FeedEvent, UiFeed } from "./feed.ts";
import { type Access, allowedHosts, type Guard, newSecret, refusal, servedHost } from "./guard.ts";
import type { UiListen } from "./listen.ts";

const ui = (name: string) => fileURLToPath(new URL(`../../ui/${name}`, import.meta.url));
const lib = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));

/** The only files served, by path: nothing from the request reaches the file system. */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  "/": { file: ui("index.html"), type: "text/html; charset=utf-8" },
  "/app.js": { file: ui("app.js"), type: "text/javascript; charset=utf-8" },
  "/app.css": { file: ui("app.css"), type: "text/css; charset=utf-8" },
  "/lib/cytoscape.mjs": {
    file: lib("cytoscape/dist/cytoscape.esm.min.mjs"),
    type: "text/javascript; charset=utf-8",
  },
  "/lib/cytoscape-dagre.mjs": {
    file: lib("cytoscape-dagre"),
    type: "text/javascript; charset=utf-8",
  },
};

/**
 * Cytoscape adds one <style> of its own to the page (its container's `position: relative`):
 * allowed by its hash, so no other inline style is.
 */
const CYTOSCAPE_STYLE = `'sha256-${createHash("sha256")
  .update(".__________cytoscape_container { position: relative; }")
  .digest("base64")}'`;

const SECURITY_HEADERS = {
  "content-security-policy": `default-src 'none'; script-src 'self'; style-src 'self' ${CYTOSCAPE_STYLE}; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/** What the server serves from: a UiFeed, or a test's stand-in. */
export type LiveSource = Pick<UiFeed, "subscribe" | "breaker">;

/** The largest trip/heal request body: a route id and a reason. */
const MAX_BODY = 4096;

export interface UiServer {
  /** The page's address, with this run's secret after `#`. */
  readonly url: string;
  /** Where it listens: `http://127.0.0.1:PORT` or `unix:PATH`. */
  readonly address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", `${JSON.stringify(value)}\n`);
}

function sendError(res: ServerResponse, status: number, error: RttError): void {
  sendJson(res, status, {
    error: { code: error.code, message: error.message, hint: error.hint ?? null },
  });
}

/** HTTP's word for an RttError, by its gRPC status (what the panel answered, mostly). */
const HTTP_STATUS: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const statusOf = (error: RttError): number =>
  HTTP_STATUS[ERROR_CATALOG[error.code].grpcStatus] ?? 409;

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new RttError("RTT_ERR_REQUEST_INVALID", `the request body is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `{"route": "<id>", "why"?: "<text>"}`, nothing else. */
export function parseBreakerRequest(text: string): { route: string; why: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RttError("RTT_ERR_REQUEST_INVALID", "the request body is not JSON");
  }
  const v = value as { route?: unknown; why?: unknown };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new RttError("RTT_ERR_REQUEST_INVALID", 'expected {"route": "<id>", "why": "<text>"}');
  if (typeof v.route !== "string" || v.route === "")
    throw new RttError("RTT_ERR_REQUEST_INVALID", "route: expected a route id");
  if (v.why !== undefined && typeof v.why !== "string")
    throw new RttError("RTT_ERR_REQUEST_INVALID", "why: expected text");
  return { route: v.route, why: v.why ?? "" };
}

/** POST /api/trip or /api/heal: the feed calls the panel as `rtt trip`/`rtt heal` do. */
async function breakerAction(
  feed: LiveSource,
  kind: "trip" | "heal",
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
    throw new RttError(
      "RTT_ERR_REQUEST_INVALID",
      "expected a JSON body (content-type: application/json)",
    );
  const { route, why } = parseBreakerRequest(await readBody(req));
  const id = route.startsWith("route/") ? route.slice("route/".length) : route;
  sendJson(res, 200, await feed.breaker(kind, id, why === "" ? `${kind} from rtt ui` : why));
}

/** GET /events: the feed as server-sent events, until the page goes. */
function events(feed: LiveSource, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": "text/event-stream; charset=utf-8",
    connection: "keep-alive",
  });
  // `sent`: when the server sent it, so the page can say how long a change took to draw.
  const write = (e: FeedEvent) =>
    res.write(`event: ${e.event}\ndata: ${JSON.stringify({ ...e.data, sent: Date.now() })}\n\n`);
  const unsubscribe = feed.subscribe(write);
  req.once("close", unsubscribe);
}

async function handle(
  feed: LiveSource,
  guard: Guard,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const action = /^\/api\/(trip|heal)$/.exec(path)?.[1] as "trip" | "heal" | undefined;
  const access: Access = action !== undefined ? "action" : path === "/events" ? "data" : "file";
  const refused = refusal(req, guard, access);
  if (refused !== undefined) throw new RttError("RTT_ERR_UI_REFUSED", refused);
  const file = FILES[path];
  if (access === "file" && file === undefined)
    return sendJson(res, 404, {
      error: { code: "RTT_ERR_REQUEST_INVALID", message: `no ${path} here` },
    });
  const method = access === "action" ? "POST" : "GET";
  if (req.method !== method)
    throw new RttError("RTT_ERR_REQUEST_INVALID", `${path} takes ${method} only`);
  if (action !== undefined) return breakerAction(feed, action, req, res);
  // Not a file, not an action: the event stream.
  if (file === undefined) return events(feed, req, res);
  send(res, 200, file.type, await readFile(file.file));
}

function listenOn(server: Server, listen: UiListen): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (listen.kind === "unix") server.listen(listen.path, done);
    else server.listen(listen.port, listen.host, done);
  });
}

/** Serves the page for `feed` at `listen`; the secret is new for this server. */
export async function startUiServer(feed: LiveSource, listen: UiListen): Promise<UiServer> {
  const secret = newSecret();
  // No Host passes until the port is known.
  const guard: { hosts: ReadonlySet<string> | undefined; secret: string } = {
    hosts: new Set(),
    secret,
  };
  const server = createServer((req, res) => {
    handle(feed, guard, req, res).catch((thrown) => {
      const error = fromSystemError(thrown) ?? thrown;
      const e =
        error instanceof RttError
          ? error
          : new RttError(
              "RTT_ERR_INTERNAL",
              error instanceof Error ? error.message : String(error),
            );
      if (res.headersSent) res.destroy();
      else sendError(res, statusOf(e), e);
    });
  });
  try {
    await listenOn(server, listen);
  } catch (thrown) {
    const where = listen.kind === "unix" ? listen.path : `${listen.host}:${listen.port}`;
    throw new RttError("RTT_ERR_IO", `cannot listen on ${where}: ${errorMessage(thrown)}`, {
      cause: thrown,
      hint: "--listen another address (a port of 0 takes any free one)",
    });
  }
  // The socket's mode is the umask's; only its owner may connect.
  if (listen.kind === "unix") chmodSync(listen.path, 0o600);
  const port = listen.kind === "tcp" ? (server.address() as AddressInfo).port : 0;
  guard.hosts = allowedHosts(listen, port);
  const base = `http://${servedHost(listen, port)}`;
  return {
    url: `${base}/#${secret}`,
    address: listen.kind === "unix" ? `unix:${listen.path}` : base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The pages' event streams would hold the server open for ever.
        server.closeAllConnections();
      }),
  };
}

/**
 * The two faces of an HTTP API symbol (docs/design.md §Connectors), loopback only:
 * - `HttpTarget`: request messages become HTTP requests on a keep-alive pool; each response
 *   comes back as a message with the request's correlation id.
 * - `HttpSource`: a loopback (or Unix-socket) listener turns each incoming request into a
 *   message with a fresh correlation id, and answers it with the response message that comes
 *   back under that id (504 if none comes in time).
 */
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage, RttError } from "@rtt/core";
import { isLoopback } from "@rtt/fabric";
import type { HttpRequestMessage, HttpResponseMessage } from "./messages.ts";
import { kindOfFailure } from "./upstream-health.ts";

function refuseNonLoopback(host: string): void {
  if (!isLoopback(host)) {
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `http connector refused host ${JSON.stringify(host)}: loopback only`,
      {
        hint: "use 127.0.0.1, ::1, localhost or a Unix socket",
      },
    );
  }
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on("data", (d: Buffer) => parts.push(d));
    stream.on("end", () => resolve(Buffer.concat(parts)));
    stream.on("error", reject);
  });
}

function flatHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

export type HttpEndpointAddress =
  | { readonly host: string; readonly port: number }
  | { readonly socketPath: string };

/** A target's answer to one request, and how it failed when no HTTP answer came. */
export interface TargetAnswer {
  readonly response: HttpResponseMessage;
  /** No answer: nobody there (ECONNREFUSED, a reset…) or none in time; the response is a 502/504. */
  readonly failure?: { readonly kind: "unreachable" | "timeout"; readonly reason: string };
}

/** The keep-alive pool a target sends on. */
export const POOL = { keepAlive: true, maxSockets: 64 } as const;

export class HttpTarget {
  readonly #address: HttpEndpointAddress;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  /**
   * `timeoutMs`: how long a request may wait for its answer (default 30 s), then a 504.
   * `agent`: the keep-alive pool, when its connections need more than a connect (tcp-upstream.ts).
   */
  constructor(address: HttpEndpointAddress, timeoutMs = 30_000, agent?: Agent) {
    if ("host" in address) refuseNonLoopback(address.host);
    this.#address = address;
    this.#timeoutMs = timeoutMs;
    this.#agent = agent ?? new Agent(POOL);
  }

  /** Sends one request; resolves with its response (network failures become a 502 message). */
  async send(message: HttpRequestMessage): Promise<HttpResponseMessage> {
    return (await this.exchange(message)).response;
  }

  /** Sends one request; resolves with its answer, saying how it failed when none came. */
  exchange(message: HttpRequestMessage): Promise<TargetAnswer> {
    return new Promise((resolve) => {
      const body = message.body === undefined ? undefined : Buffer.from(message.body, "base64");
      const failed = (kind: "unreachable" | "timeout", status: number, reason: string) =>
        resolve({
          response: { status, body: Buffer.from(`upstream: ${reason}`).toString("base64") },
          failure: { kind, reason },
        });
      const req = request(
        {
          ...this.#address,
          agent: this.#agent,
          method: message.method,
          path: message.path,
          headers: {
            ...message.headers,
            ...(body === undefined ? {} : { "content-length": String(body.length) }),
          },
        },
        (res) => {
          readBody(res).then(
            (data) =>
              resolve({
                response: {
                  status: res.statusCode ?? 502,
                  headers: flatHeaders(res.headers),
                  ...(data.length === 0 ? {} : { body: data.toString("base64") }),
                },
              }),
            (error: NodeJS.ErrnoException) =>
              failed(kindOfFailure(error.code), 502, errorMessage(error)),
          );
        },
      );
      // Until the whole answer came: a server that accepts and never answers is a timeout.
      req.setTimeout(this.#timeoutMs, () => {
        failed("timeout", 504, `no answer in ${this.#timeoutMs} ms`);
        req.destroy();
      });
      req.on("error", (error: NodeJS.ErrnoException) =>
        failed(kindOfFailure(error.code), 502, errorMessage(error)),
      );
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export interface IncomingExchange {
  readonly correlation: number;
  readonly request: HttpRequestMessage;
}

export class HttpSource {
  readonly #server: Server;
  readonly #pending = new Map<number, ServerResponse>();
  #next = 0;
  readonly #timeoutMs: number;
  readonly #onRequest: (exchange: IncomingExchange) => void;

  private constructor(server: Server, onRequest: (e: IncomingExchange) => void, timeoutMs: number) {
    this.#server = server;
    this.#onRequest = onRequest;
    this.#timeoutMs = timeoutMs;
    server.on(
      "request",
      (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res),
    );
  }

  /** Listens on a loopback host:port (port 0 = any) or a Unix socket path. */
  static async listen(
    address: HttpEndpointAddress,
    onRequest: (exchange: IncomingExchange) => void,
    timeoutMs = 30_000,
  ): Promise<HttpSource> {
    if ("host" in address) refuseNonLoopback(address.host);
    const server = createServer({ keepAlive: true });
    const source = new HttpSource(server, onRequest, timeoutMs);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      if ("host" in address) server.listen(address.port, address.host, () => resolve());
      else server.listen(address.socketPath, () => resolve());
    });
    return source;
  }

  get address(): HttpEndpointAddress {
    const a = this.#server.address();
    if (typeof a === "string") return { socketPath: a };
    const info = a as AddressInfo;
    return { host: info.address, port: info.port };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    this.#next++;
    const correlation = this.#next;
    this.#pending.set(correlation, res);
    const timer = setTimeout(() => this.respond(correlation, { status: 504 }), this.#timeoutMs);
    res.once("close", () => {
      clearTimeout(timer);
      this.#pending.delete(correlation);
    });
    this.#onRequest({
      correlation,
      request: {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: flatHeaders(req.headers),
        ...(body.length === 0 ? {} : { body: body.toString("base64") }),
      },
    });
  }

  /** Answers the request with this correlation id; false if it is no longer waiting. */
  respond(correlation: number, response: HttpResponseMessage): boolean {
    const res = this.#pending.get(correlation);
    if (res === undefined) return false;
    this.#pending.delete(correlation);
    const body = response.body === undefined ? undefined : Buffer.from(response.body, "base64");
    const headers = { ...response.headers };
    delete headers["content-length"];
    delete headers["transfer-encoding"];
    delete headers.connection;
    res.writeHead(response.status, headers).end(body);
    return true;
  }

  close(): Promise<void> {
    for (const res of this.#pending.values()) res.writeHead(503).end();
    this.#pending.clear();
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

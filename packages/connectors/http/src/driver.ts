/**
 * The http driver (docs/design.md §Connectors): `api` symbols on loopback. Run as a program, this
 * file is the driver executable. Payloads are the JSON messages of messages.ts; the frame's
 * correlation id pairs a response with its request.
 *
 * - Target (route parameter `url`, else the manifest's `x-url`, e.g. http://127.0.0.1:9464):
 *   each frame is a request message, sent on a keep-alive pool; its response comes out of rx
 *   with the same correlation id (a malformed request gets a 400 message, an unreachable
 *   server a 502). Any non-loopback host is refused. With neither but an `x-run` argv, the
 *   driver starts the API itself (api-process.ts): in `x-cwd` (the manifest's folder), with a
 *   fresh Unix socket path in RTT_HTTP_LISTEN — or, with `{port}` in an `x-run` argument, a
 *   free 127.0.0.1 port there and in RTT_HTTP_PORT — and targets it once it accepts;
 *   closing the link ends the program. Route parameter `start_timeout_ms` (1…7000,
 *   default 7000: within the panel's Open call).
 *   Route parameter `timeout_ms` (default 30 s): how long a request waits for its answer (504).
 *   Connection failures, timeouts and 5xx answers are the route's errors, 4xx the client's,
 *   counted apart (upstream-health.ts); the link is not ok while its upstream is down, and the
 *   driver logs one line when the upstream goes down and one when it is back.
 * - Source (route parameter `listen`: `127.0.0.1:0`, `[::1]:8080` or a Unix socket path): each
 *   incoming request comes out of rx with the exchange's correlation id, and the response
 *   message sent into the link under that id answers it (504 when none comes in `timeout_ms`,
 *   default 30 s).
 */
import { dirname } from "node:path";
import {
  defineConnector,
  findManifests,
  MAX_START_WAIT_MS,
  RxQueue,
  SOCKET_DIR_ENV,
  serveDriver,
} from "@rtt/connector-sdk";
import { type Contract, errorMessage, RttError } from "@rtt/core";
import { laneSocketDir, shortSocketDir } from "@rtt/fabric";
import { ApiProcess, reapOrphanedApis } from "./api-process.ts";
import { type HttpEndpointAddress, HttpSource, HttpTarget, POOL } from "./http-endpoints.ts";
import { encodeMessage, parseRequest, parseResponse } from "./messages.ts";
import { OwnServerAgent } from "./tcp-upstream.ts";
import { kindOfStatus, UpstreamHealth } from "./upstream-health.ts";

type ApiContract = Contract & {
  readonly "x-url"?: string;
  readonly "x-run"?: readonly string[];
  readonly "x-cwd"?: string;
};

/**
 * Manifests under `root` of `api` symbols that name their loopback URL (`x-url`) or say how to
 * run them (`x-run`), with the manifest's folder as `x-cwd`.
 */
function probeApis(root: string): Contract[] {
  return findManifests(root)
    .filter(({ contract }) => {
      const c = contract as ApiContract;
      return c.type === "api" && (typeof c["x-url"] === "string" || Array.isArray(c["x-run"]));
    })
    .map(({ path, contract }) => ({ ...contract, "x-cwd": dirname(path) }) as Contract);
}

interface HttpLink {
  /** The symbol's address, in log lines. */
  readonly saddr: string;
  readonly outbox: RxQueue;
  readonly target?: HttpTarget;
  /** Path prefix of the target URL ("" for "/"). */
  readonly base: string;
  readonly source?: HttpSource;
  /** The API program the driver started for this link (`x-run`), if it did. */
  readonly api?: ApiProcess;
  inFlight: number;
  lastError?: string;
  /** The target's counters and its upstream's state (unused on a source). */
  readonly upstream: UpstreamHealth;
}

function refused(what: string, hint: string): RttError {
  return new RttError("RTT_ERR_LANE_ADDRESS", `http driver: ${what}`, { hint });
}

function targetOf(url: string): { address: HttpEndpointAddress; base: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refused(`url ${JSON.stringify(url)} is not a URL`, "e.g. http://127.0.0.1:9464");
  }
  if (u.protocol !== "http:")
    throw refused(`url ${JSON.stringify(url)}: only http:`, "e.g. http://127.0.0.1:9464");
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const base = u.pathname.replace(/\/+$/, "");
  return { address: { host, port: u.port === "" ? 80 : Number(u.port) }, base };
}

function listenOf(listen: string): HttpEndpointAddress {
  if (listen.startsWith("/")) return { socketPath: listen };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (m === null)
    throw refused(
      `listen ${JSON.stringify(listen)} is neither host:port nor a socket path`,
      "e.g. 127.0.0.1:0 or /tmp/api.sock",
    );
  return { host: m[1] ?? m[2] ?? "", port: Number(m[3]) };
}

/**
 * A route parameter in milliseconds: a positive whole number up to `max`, else `fallback` when
 * absent.
 */
function msParam(
  params: Readonly<Record<string, string>>,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = params[name];
  if (raw === undefined) return fallback;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ms) || ms < 1 || ms > max)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `http driver: route parameter ${name} ${JSON.stringify(raw)} is not ${max === Number.MAX_SAFE_INTEGER ? "a positive number of milliseconds" : `a number of milliseconds from 1 to ${max}`}`,
      { hint: `e.g. ${name}: "${fallback}"` },
    );
  return ms;
}

const text = (s: string) => Buffer.from(s).toString("base64");

export const httpConnector = defineConnector<HttpLink>({
  name: "http",
  version: "0.1.0",
  probe: (root) => probeApis(root),
  async open(symbol, params) {
    const outbox = new RxQueue();
    const fresh = { saddr: symbol.saddr, outbox, inFlight: 0, upstream: new UpstreamHealth() };
    if (params.listen !== undefined) {
      const timeoutMs = msParam(params, "timeout_ms", 30_000);
      const source = await HttpSource.listen(
        listenOf(params.listen),
        (exchange) =>
          outbox.push({
            payload: encodeMessage(exchange.request),
            correlation: exchange.correlation,
          }),
        timeoutMs,
      );
      const a = source.address;
      process.stderr.write(
        `http driver: ${symbol.saddr} listening on ${"socketPath" in a ? a.socketPath : `${a.host}:${a.port}`}\n`,
      );
      return { ...fresh, source, base: "" };
    }
    const api = symbol as ApiContract;
    const timeoutMs = msParam(params, "timeout_ms", 30_000);
    const url = params.url ?? api["x-url"];
    if (url === undefined && Array.isArray(api["x-run"])) {
      const started = await ApiProcess.start({
        argv: api["x-run"],
        ...(api["x-cwd"] === undefined ? {} : { cwd: api["x-cwd"] }),
        // Below the panel's Open call timeout, so a program that never listens is named as such.
        startTimeoutMs: msParam(params, "start_timeout_ms", MAX_START_WAIT_MS, MAX_START_WAIT_MS),
      });
      const at = started.address;
      process.stderr.write(
        `http driver: ${symbol.saddr} started (pid ${started.pid}) on ${"socketPath" in at ? at.socketPath : `${at.host}:${at.port}`}\n`,
      );
      // A TCP port is open to every local user: only a server of ours is talked to.
      const agent = started.port === undefined ? undefined : new OwnServerAgent(started.port, POOL);
      const target = new HttpTarget(at, timeoutMs, agent);
      return { ...fresh, target, api: started, base: "" };
    }
    if (url === undefined)
      throw new RttError("RTT_ERR_DOC_SCHEMA", `http driver: no url for ${symbol.saddr}`, {
        hint: 'give the route a url (target) or listen (source) parameter, or the manifest an "x-url" or "x-run"',
      });
    const { address, base } = targetOf(url);
    return { ...fresh, target: new HttpTarget(address, timeoutMs), base };
  },
  tx(link, bytes, { correlation }) {
    if (link.source !== undefined) {
      let response: ReturnType<typeof parseResponse>;
      try {
        response = parseResponse(bytes);
      } catch (error) {
        link.lastError = errorMessage(error);
        response = { status: 502, body: text(`rtt http driver: ${link.lastError}`) };
      }
      link.source.respond(correlation, response);
      return;
    }
    const target = link.target;
    if (target === undefined) return;
    let request: ReturnType<typeof parseRequest>;
    try {
      request = parseRequest(bytes);
    } catch (error) {
      link.outbox.push({
        payload: encodeMessage({ status: 400, body: text(errorMessage(error)) }),
        correlation,
      });
      return;
    }
    // Not awaited: requests overlap on the keep-alive pool; the correlation id pairs them.
    link.inFlight++;
    void target.exchange({ ...request, path: link.base + request.path }).then((answer) => {
      link.inFlight--;
      const { response, failure } = answer;
      const change = link.upstream.record(
        failure?.kind ?? kindOfStatus(response.status),
        failure?.reason ?? "",
      );
      if (change !== undefined) process.stderr.write(`http driver: ${link.saddr}: ${change}\n`);
      link.outbox.push({ payload: encodeMessage(response), correlation });
    });
  },
  rx: (link) => link.outbox.drain(),
  async close(link) {
    link.outbox.end();
    link.target?.close();
    await link.source?.close();
    await link.api?.close();
  },
  // The NACK reaches the client: a request the route's nack policy refused is answered at once.
  refuse(link, message, why) {
    link.source?.respond(message.correlation, {
      status: 503,
      headers: { "retry-after": "1", "content-type": "text/plain; charset=utf-8" },
      body: text(`rtt: the route refused the request: ${why}\n`),
    });
  },
  health(link) {
    const down = link.upstream.down;
    const err =
      link.api?.err ??
      link.lastError ??
      (down === undefined ? undefined : `upstream down: ${down}`);
    return {
      ok: err === undefined,
      lag_ms: 0,
      ...(err === undefined ? {} : { err }),
      errors: link.upstream.errors,
      client_errors: link.upstream.clientErrors,
    };
  },
});

if (import.meta.main) {
  // Api programs a SIGKILLed http driver could not close: end them before serving. (A socket
  // path too long for its folder went to the short per-user one.)
  const dirs = new Set(
    [process.env[SOCKET_DIR_ENV], laneSocketDir(), shortSocketDir()].filter((d) => d !== undefined),
  );
  for (const dir of dirs)
    for (const pid of reapOrphanedApis(dir))
      process.stderr.write(`http driver: ended api program ${pid} left by a driver that is gone\n`);
  await serveDriver(httpConnector);
}

/**
 * `rtt ui`'s HTTP server, for real on loopback and on a Unix socket, with a stand-in for the
 * panel's feed: what it serves, what it refuses, and what reaches the feed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RttError } from "@rtt/core";
import type { FeedEvent } from "./feed.ts";
import { SECRET_HEADER } from "./guard.ts";
import { type LiveSource, parseBreakerRequest, startUiServer, type UiServer } from "./server.ts";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

type Target = { readonly base: string } | { readonly socketPath: string };

/** One HTTP request; with `firstChunk`, the answer ends at its first chunk (an event stream). */
function http(
  target: Target,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    firstChunk?: boolean;
  } = {},
): Promise<Answer> {
  const to =
    "base" in target
      ? { host: new URL(target.base).hostname, port: new URL(target.base).port }
      : { socketPath: target.socketPath };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...to,
        path,
        method: options.method ?? "GET",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
          if (options.firstChunk) {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
            res.destroy();
          }
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once("error", reject);
    req.end(options.body);
  });
}

/** A feed that says one graph event and records the breaker calls it gets. */
function standIn(): LiveSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    subscribe(listener: (e: FeedEvent) => void) {
      listener({
        event: "audit",
        data: {
          seq: 1,
          at: "2026-01-01T00:00:00Z",
          who: "me",
          action: "bind",
          route: "r",
          why: "",
        },
      });
      return () => {};
    },
    async breaker(kind, route, why) {
      calls.push(`${kind} ${route} ${why}`);
      if (route === "nope")
        throw new RttError("RTT_ERR_PLAN_INVALID", "route nope is not wired", { hint: "wired: r" });
      if (route === "gone") throw new RttError("RTT_ERR_PANEL_UNREACHABLE", "no panel runs");
      return { route, state: kind === "trip" ? "open" : "half-open", reason: why };
    },
  };
}

const servers: UiServer[] = [];
const dirs: string[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(feed: LiveSource) {
  const server = await startUiServer(feed, { kind: "tcp", host: "127.0.0.1", port: 0 });
  servers.push(server);
  const base = server.address;
  const secret = server.url.slice(server.url.indexOf("#") + 1);
  return { base, secret, host: new URL(base).host };
}

describe("rtt ui's server", () => {
  it("serves the page's files with a CSP, and nothing else from the file system", async () => {
    const { base } = await serve(standIn());
    const page = await http({ base }, "/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\/app\.js">/);
    assert.match(String(page.headers["content-security-policy"]), /script-src 'self';/);
    assert.equal(page.headers["x-frame-options"], "DENY");
    for (const path of ["/app.js", "/app.css", "/lib/cytoscape.mjs", "/lib/cytoscape-dagre.mjs"])
      assert.equal((await http({ base }, path)).status, 200, path);
    for (const path of ["/../package.json", "/%2e%2e/package.json", "/lib/", "/ui/app.js"])
      assert.equal((await http({ base }, path)).status, 404, path);
  });

  it("streams the feed's events to a request with the secret, as server-sent events", async () => {
    const { base, secret } = await serve(standIn());
    const stream = await http({ base }, `/events?s=${secret}`, { firstChunk: true });
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers["content-type"]), /^text\/event-stream/);
    assert.match(stream.body, /^event: audit\ndata: \{"seq":1,.*"sent":\d+\}\n\n/);
    assert.equal((await http({ base }, "/events?s=wrong")).status, 403);
  });

  it("trips and heals through the feed, with the secret in its header only", async () => {
    const feed = standIn();
    const { base, secret, host } = await serve(feed);
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      http({ base }, path, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", [SECRET_HEADER]: secret, ...headers },
      });
    const trip = await post("/api/trip", '{"route":"route/r","why":"look"}');
    assert.equal(trip.status, 200, trip.body);
    assert.deepEqual(JSON.parse(trip.body), { route: "r", state: "open", reason: "look" });
    const heal = await post("/api/heal", '{"route":"r"}');
    assert.equal(JSON.parse(heal.body).reason, "heal from rtt ui");

    const refused = await post("/api/trip", '{"route":"r"}', {
      origin: "http://evil.example",
      host,
    });
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).error.code, "RTT_ERR_UI_REFUSED");
    const unwired = await post("/api/trip", '{"route":"nope"}');
    assert.equal(unwired.status, 400);
    assert.deepEqual(JSON.parse(unwired.body).error, {
      code: "RTT_ERR_PLAN_INVALID",
      message: "route nope is not wired",
      hint: "wired: r",
    });
    assert.equal((await post("/api/trip", '{"route":"gone"}')).status, 503);
    assert.equal((await post("/api/trip", "{route")).status, 400);
    assert.equal((await post("/api/trip", "x".repeat(5000))).status, 400);
    assert.equal((await http({ base }, "/api/trip")).status, 403, "no secret, whatever the method");
    const get = await http({ base }, "/api/trip", { headers: { [SECRET_HEADER]: secret } });
    assert.equal(get.status, 400, "GET of an action");
    assert.deepEqual(feed.calls, [
      "trip r look",
      "heal r heal from rtt ui",
      "trip nope trip from rtt ui",
      "trip gone trip from rtt ui",
    ]);
  });

  it("listens on a Unix socket only its owner may open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-ui-test-"));
    dirs.push(dir);
    const path = join(dir, "ui.sock");
    const server = await startUiServer(standIn(), { kind: "unix", path });
    servers.push(server);
    assert.equal(server.address, `unix:${path}`);
    assert.match(server.url, /^http:\/\/localhost\/#[\w-]{32}$/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await http({ socketPath: path }, "/", { headers: { host: "x" } })).status, 200);
  });
});

describe("parseBreakerRequest", () => {
  it("takes a route and a reason, and refuses anything else with the field named", () => {
    assert.deepEqual(parseBreakerRequest('{"route":"r"}'), { route: "r", why: "" });
    for (const [body, why] of [
      ["[]", /expected \{"route"/],
      ["null", /expected \{"route"/],
      ['{"route":""}', /route: expected a route id/],
      ['{"route":1}', /route: expected a route id/],
      ['{"route":"r","why":2}', /why: expected text/],
    ] as const)
      assert.throws(() => parseBreakerRequest(body), {
        code: "RTT_ERR_REQUEST_INVALID",
        message: why,
      });
  });
});

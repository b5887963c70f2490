/**
 * How an http target's exchanges are classified and counted: by status and errno (a property
 * over every status), and against a real loopback server that answers, is killed and comes
 * back — connection refused and a silent server are route errors, 4xx counted apart, and the
 * upstream's state changes once per outage, not per request.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { HttpTarget } from "./http-endpoints.ts";
import { isRouteError, kindOfFailure, kindOfStatus, UpstreamHealth } from "./upstream-health.ts";

describe("classification", () => {
  it("status → kind: 5xx and non-HTTP statuses are errors, 4xx the client's, the rest ok", () => {
    assert.equal(kindOfStatus(200), "ok");
    assert.equal(kindOfStatus(304), "ok");
    assert.equal(kindOfStatus(404), "client");
    assert.equal(kindOfStatus(429), "client");
    assert.equal(kindOfStatus(500), "server");
    assert.equal(kindOfStatus(502), "server");
    assert.equal(kindOfStatus(0), "server");
    assert.equal(kindOfStatus(700), "server");
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 2000 }), (status) => {
        const kind = kindOfStatus(status);
        const expected =
          status >= 100 && status < 400
            ? "ok"
            : status >= 400 && status < 500
              ? "client"
              : "server";
        assert.equal(kind, expected);
        assert.equal(isRouteError(kind), expected === "server");
      }),
    );
  });

  it("errno → kind: timeouts apart from nobody there; both are route errors", () => {
    assert.equal(kindOfFailure("ETIMEDOUT"), "timeout");
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ENOENT", "EPIPE", undefined])
      assert.equal(kindOfFailure(code), "unreachable");
    assert.ok(isRouteError("timeout") && isRouteError("unreachable"));
    assert.ok(!isRouteError("client") && !isRouteError("ok"));
  });

  it("counts errors and client errors apart; one state change per outage", () => {
    const h = new UpstreamHealth();
    const lines = [
      h.record("ok", ""),
      h.record("client", ""),
      h.record("unreachable", "connect ECONNREFUSED"),
      h.record("unreachable", "connect ECONNREFUSED"),
      h.record("timeout", "no answer in 50 ms"),
      h.record("server", ""),
      h.record("ok", ""),
    ].filter((l) => l !== undefined);
    assert.deepEqual(lines, [
      "upstream down: connect ECONNREFUSED",
      "upstream back: it answers again",
    ]);
    assert.equal(h.errors, 4);
    assert.equal(h.clientErrors, 1);
    assert.equal(h.down, undefined);
  });
});

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe("an http target's answers from a real upstream", () => {
  it("answered, refused once killed, answered again once back", async () => {
    const answer = (status: number) =>
      createServer((req, res) => {
        res.statusCode = req.url === "/missing" ? 404 : status;
        res.end("x");
      });
    let api = answer(200);
    const port = await listen(api);
    const target = new HttpTarget({ host: "127.0.0.1", port });
    try {
      const up = await target.exchange({ method: "GET", path: "/" });
      assert.deepEqual([up.response.status, up.failure], [200, undefined]);
      const missing = await target.exchange({ method: "GET", path: "/missing" });
      assert.equal(kindOfStatus(missing.response.status), "client");

      await stop(api);
      // The first may find its kept-alive socket hung up; a fresh connection is refused.
      for (const expected of [/ECONNREFUSED|socket hang up|ECONNRESET/, /ECONNREFUSED/]) {
        const down = await target.exchange({ method: "GET", path: "/" });
        assert.equal(down.response.status, 502);
        assert.equal(down.failure?.kind, "unreachable");
        assert.match(down.failure?.reason ?? "", expected);
      }

      api = answer(503);
      await listen(api, port);
      const failing = await target.exchange({ method: "GET", path: "/" });
      assert.deepEqual([failing.response.status, failing.failure], [503, undefined]);
      assert.equal(kindOfStatus(failing.response.status), "server");
    } finally {
      target.close();
      await stop(api);
    }
  });

  it("a server that takes the request and never answers is a timeout (504)", async () => {
    const silent = createServer(() => {});
    const port = await listen(silent);
    const target = new HttpTarget({ host: "127.0.0.1", port }, 100);
    try {
      const a = await target.exchange({ method: "GET", path: "/" });
      assert.equal(a.response.status, 504);
      assert.equal(a.failure?.kind, "timeout");
    } finally {
      target.close();
      await stop(silent);
    }
  });
});

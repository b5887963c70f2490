// The http connector through the real runtime and gRPC service (the in-process harness): a
// request/response route's source end listening on a Unix socket, its route's nack policy.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type InProcessDriver, startConnectorInProcess } from "@rtt/connector-sdk";
import { routeQosParams } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { listenReader } from "@rtt/fabric";
import { httpConnector } from "./driver.ts";
import { encodeMessage } from "./messages.ts";

const SADDR = "rtt://demo/hook/web@1.0.0";
const CONTRACT = { saddr: SADDR, type: "hook", direction: "provider" } as const;

const dir = mkdtempSync(join(tmpdir(), "rtt-http-driver-"));
const running: InProcessDriver<unknown>[] = [];
after(async () => {
  for (const d of running) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One GET over the Unix socket: its status, Retry-After and body. */
function get(socketPath: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: "/refresh", method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers["retry-after"] === undefined
            ? {}
            : { retryAfter: String(res.headers["retry-after"]) }),
          body,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("http connector: a listening source on a nack route", () => {
  it("answers the requests the route refuses with 503 and Retry-After, not a timeout", async () => {
    const d = await startConnectorInProcess(httpConnector, { heartbeatMs: 40 });
    running.push(d as InProcessDriver<unknown>);
    const socketPath = join(dir, "web.sock");
    // One request a minute gets through; the others are over the rate. The admitted one is
    // never answered here: it ends with the source's own 504 after timeout_ms.
    const link = await d.client.open(SADDR, {
      contract: CONTRACT,
      params: {
        listen: socketPath,
        timeout_ms: "1000",
        ...routeQosParams(SADDR, { rate: 1 / 60, burst: 1, drop: "nack" }),
      },
    });
    const lane = await listenReader("inproc");
    await d.client.bind(link, { outbound: lane.address });
    const reader = await lane.accepted;
    reader.on("frame", () => {});

    const answers = await Promise.all([get(socketPath), get(socketPath), get(socketPath)]);
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [503, 503, 504], JSON.stringify(answers));
    for (const a of answers.filter((x) => x.status === 503)) {
      assert.equal(a.retryAfter, "1");
      assert.match(a.body, /^rtt: the route refused the request: the route is over its rate\n$/);
    }
    reader.close();
    await d.client.close(link);
  });
});

/** A loopback API: /missing is 404, /boom 500, the rest 200. */
function api(): Server {
  return createServer((req, res) => {
    res.statusCode = req.url === "/missing" ? 404 : req.url === "/boom" ? 500 : 200;
    res.end();
  });
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

describe("http connector: a target's upstream errors", () => {
  it("refuses a timeout_ms that is not a positive number of milliseconds, naming it", async () => {
    const saddr = "rtt://demo/api/metrics@1.0.0";
    const symbol = { saddr, type: "api", direction: "provider" } as const;
    for (const bad of ["soon", "0", "-5", "1.5", ""])
      await assert.rejects(
        Promise.resolve().then(() =>
          httpConnector.open(symbol, { url: "http://127.0.0.1:1", timeout_ms: bad }, {}),
        ),
        { code: "RTT_ERR_DOC_SCHEMA", message: /route parameter timeout_ms .* milliseconds/ },
      );
  });

  it("counts 5xx and refused connections as errors, 4xx apart; down until it answers again", async () => {
    const d = await startConnectorInProcess(httpConnector, { heartbeatMs: 40 });
    running.push(d as InProcessDriver<unknown>);
    let server = api();
    const port = await listen(server);
    const saddr = "rtt://demo/api/metrics@1.0.0";
    const link = await d.client.open(saddr, {
      contract: { saddr, type: "api", direction: "provider" },
      params: { url: `http://127.0.0.1:${port}` },
    });
    const sample = async () => {
      const s = d.client.health({ linkId: link, intervalMs: 10 });
      for await (const x of s) {
        s.cancel();
        return x;
      }
      throw new Error("no sample");
    };
    const get = (path: string, correlation: number) =>
      d.client.tx(link, encodeMessage({ method: "GET", path }), { correlation });

    await get("/ok", 1);
    await get("/missing", 2);
    await get("/boom", 3);
    const answered = await eventually(
      async () => {
        const s = await sample();
        return s.errors + s.client_errors === 2 && s;
      },
      { what: "the 404 and the 500 counted" },
    );
    assert.deepEqual([answered.ok, answered.errors, answered.client_errors], [true, 1, 1]);

    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await get("/ok", 4);
    await get("/ok", 5);
    const down = await eventually(
      async () => {
        const s = await sample();
        return s.errors === 3 && s;
      },
      { what: "two refused requests counted" },
    );
    assert.equal(down.ok, false);
    assert.match(down.err, /upstream down: /);

    server = api();
    await listen(server, port);
    await get("/ok", 6);
    const back = await eventually(
      async () => {
        const s = await sample();
        return s.ok && s;
      },
      { what: "the upstream back" },
    );
    assert.deepEqual([back.errors, back.client_errors], [3, 1]);
    await d.client.close(link);
    server.close();
  });
});

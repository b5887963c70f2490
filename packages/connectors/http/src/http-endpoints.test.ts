import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { HttpSource, HttpTarget } from "./http-endpoints.ts";
import { encodeMessage, parseRequest, parseResponse } from "./messages.ts";

describe("http messages", () => {
  it("round-trip, and any bytes parse or give RTT_ERR_FRAME_CORRUPT", () => {
    const m = {
      method: "POST",
      path: "/x?y=1",
      headers: { a: "b" },
      body: Buffer.from([0, 255]).toString("base64"),
    };
    assert.deepEqual(parseRequest(encodeMessage(m)), m);
    assert.deepEqual(parseResponse(encodeMessage({ status: 204 })), { status: 204 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const parse of [parseRequest, parseResponse]) {
          try {
            parse(bytes);
          } catch (error) {
            assert.ok(error instanceof RttError && error.code === "RTT_ERR_FRAME_CORRUPT");
          }
        }
      }),
    );
  });
});

describe("http endpoints", () => {
  it("target: request messages become requests on one keep-alive connection; responses come back", async () => {
    const peers = new Set<number>();
    const api = createServer((req, res) => {
      peers.add(req.socket.remotePort ?? 0);
      res.setHeader("content-type", "text/plain");
      res.end(`${req.method} ${req.url}`);
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const port = (api.address() as { port: number }).port;
    const target = new HttpTarget({ host: "127.0.0.1", port });
    for (let i = 0; i < 5; i++) {
      const r = await target.send({ method: "GET", path: `/n/${i}` });
      assert.equal(r.status, 200);
      assert.equal(Buffer.from(r.body ?? "", "base64").toString(), `GET /n/${i}`);
    }
    assert.equal(peers.size, 1);
    target.close();
    api.close();
  });

  it("source: an HTTP request becomes a message and is answered by the response with its correlation id", async () => {
    const source = await HttpSource.listen(
      { host: "127.0.0.1", port: 0 },
      ({ correlation, request }) => {
        source.respond(correlation, {
          status: 201,
          body: Buffer.from(`got ${request.method} ${request.path}`).toString("base64"),
        });
      },
    );
    const { port } = source.address as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/hello`, { method: "PUT", body: "x" });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), "got PUT /hello");
    await source.close();
  });

  it("refuses any non-loopback host", async () => {
    assert.throws(() => new HttpTarget({ host: "10.1.2.3", port: 80 }), {
      code: "RTT_ERR_LANE_ADDRESS",
    });
    await assert.rejects(
      HttpSource.listen({ host: "0.0.0.0", port: 0 }, () => {}),
      { code: "RTT_ERR_LANE_ADDRESS" },
    );
  });
});

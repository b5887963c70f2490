import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { RxMessage } from "@rtt/connector-sdk";
import { type Contract, RttError } from "@rtt/core";
import { stubConnector } from "./driver.ts";

const metrics = (extra: Record<string, unknown>): Contract =>
  ({
    saddr: "rtt://core/api/metrics@1.0.0",
    type: "api",
    direction: "provider",
    io: "req",
    ...extra,
  }) as Contract;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("stub driver", () => {
  it("answers each request with its example under the request's correlation id", async () => {
    const link = await stubConnector.open(
      metrics({
        "x-examples": [
          { request: { method: "GET", path: "/a" }, response: { status: 200, body: "YQ==" } },
          { response: { status: 404 } },
        ],
      }),
      {},
      {},
    );
    const rx = stubConnector.rx(link)[Symbol.asyncIterator]();
    await stubConnector.tx(link, Buffer.from('{"method":"GET","path":"/b"}'), { correlation: 7 });
    await stubConnector.tx(link, Buffer.from('{"path":"/a","method":"GET"}'), { correlation: 8 });
    const got: { correlation: number; json: unknown }[] = [];
    for (let i = 0; i < 2; i++) {
      const m = (await rx.next()).value as RxMessage;
      got.push({ correlation: m.correlation, json: JSON.parse(Buffer.from(m.payload).toString()) });
    }
    assert.deepEqual(got, [
      { correlation: 7, json: { status: 404 } },
      { correlation: 8, json: { status: 200, body: "YQ==" } },
    ]);
    assert.deepEqual(await stubConnector.health(link), { ok: true, lag_ms: 0 });
    await stubConnector.close(link, { detach: false });
    assert.equal((await rx.next()).done, true, "closing ends rx");
  });

  it("refuses a symbol without examples, or with malformed ones, naming the field", async () => {
    await assert.rejects(
      async () => stubConnector.open(metrics({}), {}, {}),
      (e: unknown) => e instanceof RttError && /has no x-examples/.test(e.message),
    );
    await assert.rejects(
      async () =>
        stubConnector.open(metrics({ "x-examples": [{ response: 1 }, { request: 2 }] }), {}, {}),
      (e: unknown) =>
        e instanceof RttError && /x-examples\[1\]: an example needs a "response"/.test(e.message),
    );
  });

  it("probes the request/response manifests that declare examples", async () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-stub-"));
    dirs.push(root);
    const write = (dir: string, symbol: Record<string, unknown>) => {
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, "rtt.manifest.json"), JSON.stringify({ symbol }));
    };
    write("with", { ...metrics({ "x-examples": [{ response: 1 }] }) });
    write("without", { ...metrics({}), saddr: "rtt://core/api/other@1.0.0" });
    const found = await stubConnector.probe(root);
    assert.deepEqual(
      found.map((c) => c.saddr),
      ["rtt://core/api/metrics@1.0.0"],
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson, type Example } from "@rtt/core";
import fc from "fast-check";
import { answerFor, answerPayload, noExamplePayload } from "./answer.ts";

const bytes = (s: string) => Buffer.from(s);
const SERIES: Example = {
  request: { method: "GET", path: "/series" },
  response: { status: 200, body: "e30=" },
};
const ANY: Example = { response: { status: 404 } };
const PING: Example = { request: "ping", response: "pong" };

describe("answerFor", () => {
  it("takes the first example whose request equals the request, as JSON", () => {
    const a = answerFor([ANY, SERIES], bytes('{ "path": "/series", "method": "GET" }\n'));
    assert.deepEqual(a, { matched: true, example: SERIES });
  });

  it("falls back to the first example without a request", () => {
    const a = answerFor([SERIES, ANY, { response: 2 }], bytes('{"method":"GET","path":"/x"}'));
    assert.deepEqual(a, { matched: true, example: ANY });
  });

  it("compares a payload that is not JSON as its text", () => {
    assert.deepEqual(answerFor([PING], bytes("ping")), { matched: true, example: PING });
    assert.equal(Buffer.from(answerPayload(PING.response)).toString(), "pong");
  });

  it("says what it could not match", () => {
    assert.deepEqual(answerFor([SERIES, PING], bytes("pong")), {
      matched: false,
      request: "pong",
    });
  });

  it("answers an api's unmatched request with an HTTP 501 message, others with a JSON error", () => {
    const api = JSON.parse(
      Buffer.from(noExamplePayload("api", "rtt://a/api/x@1.0.0", "q")).toString(),
    );
    assert.equal(api.status, 501);
    assert.match(
      Buffer.from(api.body, "base64").toString(),
      /no example of rtt:\/\/a\/api\/x@1\.0\.0/,
    );
    const other = JSON.parse(
      Buffer.from(noExamplePayload("hook", "rtt://a/hook/y@1.0.0", "q")).toString(),
    );
    assert.match(other.error, /no example/);
  });

  it("property: an example's request, sent as its JSON text, gets the first example equal to it", () => {
    const example = fc.record({ request: fc.jsonValue(), response: fc.jsonValue() });
    fc.assert(
      fc.property(fc.array(example, { minLength: 1, maxLength: 6 }), fc.nat(), (raw, pick) => {
        const examples = JSON.parse(JSON.stringify(raw)) as Example[];
        const chosen = examples[pick % examples.length] as Example;
        const same = (e: Example) => canonicalJson(e.request) === canonicalJson(chosen.request);
        const a = answerFor(examples, bytes(JSON.stringify(chosen.request)));
        assert.deepEqual(a, { matched: true, example: examples.find(same) });
      }),
    );
  });

  it("property: any bytes get an answer or a miss, never a throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        const a = answerFor([SERIES, PING], payload);
        if (a.matched) assert.ok([SERIES, PING].includes(a.example));
      }),
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readExamples } from "./examples.ts";
import { sampleManifestText } from "./testing/sample-manifest.ts";
import { validateDocument } from "./validate.ts";

/** A request/response manifest of the sample contract with `symbol`'s keys. */
const manifest = (symbol: Record<string, unknown>) => sampleManifestText({ io: "req", ...symbol });

describe("readExamples", () => {
  it("reads request/response pairs; an example without request answers any request", () => {
    const r = readExamples([
      { request: { method: "GET", path: "/series" }, response: { status: 200 } },
      { response: "fallback" },
    ]);
    assert.deepEqual(r, {
      ok: true,
      examples: [
        { request: { method: "GET", path: "/series" }, response: { status: 200 } },
        { response: "fallback" },
      ],
    });
  });

  it("names the field that is wrong", () => {
    const cases: [unknown, (string | number)[], RegExp][] = [
      [{}, [], /non-empty array/],
      [[], [], /non-empty array/],
      [[1], [0], /must be an object/],
      [[{ request: 1 }], [0], /needs a "response"/],
      [[{ response: 1, answer: 2 }], [0, "answer"], /unknown field "answer"/],
      [[{ response: 1 }, { response: Number.NaN }], [1, "response"], /not plain JSON/],
      [[{ request: new Date(0), response: 1 }], [0, "request"], /not plain JSON/],
    ];
    for (const [value, path, message] of cases) {
      const r = readExamples(value);
      assert.equal(r.ok, false, JSON.stringify(value));
      if (r.ok) continue;
      assert.deepEqual(r.problem.path, path);
      assert.match(r.problem.message, message);
      assert.ok(r.problem.hint);
    }
    const typo = readExamples([{ respons: 1 }]);
    assert.equal(!typo.ok && typo.problem.hint, 'did you mean "response"?');
  });

  it("property: any input gives examples or one problem with a message, never a throw", () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        const r = readExamples(value);
        if (r.ok) assert.ok(r.examples.length > 0);
        else assert.ok(r.problem.message.length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it("property: examples built from JSON values read back as themselves", () => {
    const example = fc.record(
      { request: fc.jsonValue(), response: fc.jsonValue() },
      { requiredKeys: ["response"] },
    );
    fc.assert(
      fc.property(fc.array(example, { minLength: 1, maxLength: 5 }), (list) => {
        // JSON's round trip drops -0's sign, which JSON texts cannot carry anyway.
        const value = JSON.parse(JSON.stringify(list)) as unknown;
        const r = readExamples(value);
        assert.ok(r.ok);
        assert.deepEqual(r.examples, value);
      }),
    );
  });

  it("property: a list with one malformed example fails at that example's index", () => {
    const malformed = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string(),
      fc.array(fc.jsonValue()),
      fc.record({ request: fc.jsonValue() }),
      fc.record({ response: fc.jsonValue(), extra: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(fc.nat(3), malformed, (good, bad) => {
        const list = [...Array.from({ length: good }, () => ({ response: 1 })), bad];
        const r = readExamples(list);
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.problem.path[0], good);
      }),
    );
  });
});

describe("a manifest's x-examples", () => {
  it("is checked on the line and column of the bad field", () => {
    const text = manifest({ "x-examples": [{ response: { status: 200 } }, { request: "ping" }] });
    const r = validateDocument("manifest", text, "services/metrics/rtt.manifest.json");
    assert.equal(r.ok, false);
    if (r.ok) return;
    const [d] = r.diagnostics;
    assert.equal(d?.file, "services/metrics/rtt.manifest.json");
    assert.match(d?.message ?? "", /needs a "response"/);
    const line = text.split("\n")[(d?.line ?? 0) - 1] ?? "";
    assert.match(line, /^\s*\{$/, "points at the second example");
  });

  it("belongs to request/response symbols only", () => {
    const text = manifest({ io: "pubsub", "x-examples": [{ response: 1 }] });
    const r = validateDocument("manifest", text, "m.json");
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.diagnostics[0]?.message ?? "", /only a symbol with "io": "req"/);
  });

  it("a well-formed list passes", () => {
    const r = validateDocument("manifest", manifest({ "x-examples": [{ response: 1 }] }), "m.json");
    assert.equal(r.ok, true);
  });
});

/**
 * A route id in a request is accepted exactly when routes.json could declare it (its schema's
 * verdict on `{ "routes": [{ "id": … }] }`), with `route/` in front where the CLI takes it; and a
 * free text is refused past its bound or with a control character, the field named.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError, validateDocument } from "@rtt/core";
import fc from "fast-check";
import { checkRouteId, checkText } from "./request-checks.ts";

/** Whether routes.json accepts `id` as a route's id. */
function routesJsonAccepts(id: string): boolean {
  const doc = { routes: [{ id, from: "rtt://a/api/x", to: "rtt://a/api/y" }] };
  return validateDocument("routes", JSON.stringify(doc), "routes.json").ok;
}

/** Ids near the rule's edges: its alphabet, a few strangers, around the length bound. */
const idArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
  fc.string({ unit: fc.constantFrom("a", "Z", "-", ".", "/", " ", "é", "\n", "_", "0") }),
  fc.integer({ min: 120, max: 140 }).map((n) => "r".repeat(n)),
  fc.string(),
);

function refusal(run: () => unknown): RttError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof RttError, String(error));
    assert.equal(error.code, "RTT_ERR_REQUEST_INVALID");
    return error;
  }
}

describe("checkRouteId", () => {
  it("accepts exactly the ids routes.json accepts, with or without route/ where allowed", () => {
    fc.assert(
      fc.property(idArb, (id) => {
        const ok = routesJsonAccepts(id);
        assert.equal(refusal(() => checkRouteId(id, "T.route")) === undefined, ok, id);
        const prefixed = refusal(() => checkRouteId(`route/${id}`, "T.route", true));
        assert.equal(prefixed === undefined, ok, id);
        if (ok) assert.equal(checkRouteId(`route/${id}`, "T.route", true), id);
        else assert.match(prefixed?.message ?? "", /^T\.route: /);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses route/ where the call does not take it, and what is not a string", () => {
    assert.match(
      refusal(() => checkRouteId("route/x", "Health.route"))?.message ?? "",
      /not a route id/,
    );
    assert.match(refusal(() => checkRouteId(7, "F"))?.message ?? "", /^F: expected a route id/);
  });
});

describe("checkText", () => {
  it("refuses past the bound or with a control character, naming the field", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.nat({ max: 40 }), (text, max) => {
        const bad =
          text.length > max ||
          [...text].some((c) => c <= "\u001f" || (c >= "\u007f" && c <= "\u009f"));
        const r = refusal(() => checkText(text, "Trip.why", max));
        assert.equal(r !== undefined, bad, JSON.stringify(text));
        if (r !== undefined) assert.match(r.message, /^Trip\.why: /);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The token scope matcher's laws over random scopes and requests: `*` covers every route,
 * a route is covered only by a glob that matches it, actions never widen, an empty list covers
 * nothing, and adding an address restriction never covers more.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  checkScope,
  EVERY_ROUTE,
  type ScopeRequest,
  scopeCovers,
  scopeDenial,
  TOKEN_ACTIONS,
  type TokenScope,
} from "./token-scope.ts";

const routeId = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const action = fc.constantFrom(...TOKEN_ACTIONS);
const actions = fc.uniqueArray(action, { maxLength: TOKEN_ACTIONS.length });
const saddr = fc
  .tuple(
    fc.constantFrom("obs", "core", "app"),
    fc.constantFrom("api", "extension", "stream"),
    fc.constantFrom("logger", "events", "metrics"),
    fc.constantFrom("1.0.0", "1.9.9", "2.0.0"),
  )
  .map(([ns, type, name, v]) => `rtt://${ns}/${type}/${name}@${v}`);
const saddrPattern = fc
  .tuple(
    fc.constantFrom("obs", "core", "*"),
    fc.constantFrom("api", "extension", "*"),
    fc.constantFrom("logger", "events", "*"),
  )
  .map(([ns, type, name]) => `rtt://${ns}/${type}/${name}`);

/** A route id with a glob made from it: a prefix or suffix replaced by `*`. */
const globOf = (id: string, cut: number, front: boolean) =>
  front ? `*${id.slice(Math.min(cut, id.length))}` : `${id.slice(0, cut)}*`;

const request = (over: Partial<ScopeRequest> = {}): fc.Arbitrary<ScopeRequest> =>
  fc.record({
    action: over.action === undefined ? action : fc.constant(over.action),
    route: over.route === undefined ? routeId : fc.constant(over.route),
    saddrs:
      over.saddrs === undefined ? fc.array(saddr, { maxLength: 3 }) : fc.constant(over.saddrs),
  });

describe("token scope", () => {
  it("`*` with every action covers every route and every request", () => {
    fc.assert(
      fc.property(request(), fc.boolean(), (req, panelWide) => {
        const scope = { actions: TOKEN_ACTIONS, routes: ["*"], saddrs: [] };
        return scopeCovers(scope, panelWide ? { ...req, route: EVERY_ROUTE } : req);
      }),
    );
  });

  it("a token for route A never covers route B unless a glob says so", () => {
    fc.assert(
      fc.property(routeId, routeId, action, (a, b, act) => {
        fc.pre(a !== b);
        const scope = { actions: [act], routes: [a], saddrs: [] };
        assert.equal(scopeCovers(scope, { action: act, route: a, saddrs: [] }), true);
        assert.equal(scopeCovers(scope, { action: act, route: b, saddrs: [] }), false);
        assert.equal(scopeDenial(scope, { action: act, route: b, saddrs: [] })?.missing, "route");
        assert.equal(scopeCovers(scope, { action: act, route: EVERY_ROUTE, saddrs: [] }), false);
      }),
    );
  });

  it("a glob covers exactly the ids it matches", () => {
    fc.assert(
      fc.property(
        routeId,
        routeId,
        fc.nat(12),
        fc.boolean(),
        action,
        (id, other, cut, front, act) => {
          const glob = globOf(id, cut, front);
          const scope = { actions: [act], routes: [glob], saddrs: [] };
          assert.equal(scopeCovers(scope, { action: act, route: id, saddrs: [] }), true);
          const kept = front ? glob.slice(1) : glob.slice(0, -1);
          const expected = front ? other.endsWith(kept) : other.startsWith(kept);
          assert.equal(scopeCovers(scope, { action: act, route: other, saddrs: [] }), expected);
        },
      ),
    );
  });

  it("actions never widen: an action not listed is refused whatever the routes", () => {
    fc.assert(
      fc.property(actions, request(), (acts, req) => {
        const scope = { actions: acts, routes: ["*"], saddrs: [] };
        assert.equal(scopeCovers(scope, req), acts.includes(req.action));
        if (!acts.includes(req.action)) assert.equal(scopeDenial(scope, req)?.missing, "action");
      }),
    );
  });

  it("empty lists cover nothing", () => {
    fc.assert(
      fc.property(request(), fc.array(routeId), (req, routes) => {
        assert.equal(scopeCovers({ actions: [], routes: ["*"], saddrs: [] }, req), false);
        assert.equal(scopeCovers({ actions: TOKEN_ACTIONS, routes: [], saddrs: [] }, req), false);
        assert.equal(
          scopeCovers({ actions: [req.action], routes, saddrs: [] }, req),
          routes.some((r) => r === req.route),
        );
      }),
    );
  });

  it("an address restriction never covers more than the same scope without it", () => {
    fc.assert(
      fc.property(
        actions,
        fc.array(fc.oneof(routeId, fc.constant("*")), { minLength: 1, maxLength: 3 }),
        fc.array(saddrPattern, { minLength: 1, maxLength: 3 }),
        request(),
        (acts, routes, saddrs, req) => {
          const narrow: TokenScope = { actions: acts, routes, saddrs };
          if (scopeCovers(narrow, req)) {
            assert.equal(scopeCovers({ actions: acts, routes, saddrs: [] }, req), true);
            assert.ok(
              req.saddrs.length > 0,
              "an address scope covers only requests naming addresses",
            );
          }
          assert.equal(scopeCovers(narrow, { ...req, route: EVERY_ROUTE }), false);
        },
      ),
    );
  });

  it("an address scope covers a request when every address it touches matches", () => {
    const scope = { actions: ["qc" as const], routes: [], saddrs: ["rtt://obs/*/logger"] };
    const logger = "rtt://obs/extension/logger@1.9.9";
    const events = "rtt://core/stream/events@1.0.0";
    assert.equal(scopeCovers(scope, { action: "qc", route: "x", saddrs: [logger] }), true);
    assert.equal(
      scopeDenial(scope, { action: "qc", route: "x", saddrs: [logger, events] })?.missing,
      "saddr",
    );
    assert.equal(scopeCovers(scope, { action: "qc", route: "x", saddrs: [] }), false);
  });

  it("refuses a malformed scope naming the part", () => {
    assert.throws(
      () => checkScope({ actions: ["fly" as never], routes: [], saddrs: [] }, "t"),
      /unknown action "fly"/,
    );
    assert.throws(
      () => checkScope({ actions: [], routes: ["A B"], saddrs: [] }, "t"),
      /route glob "A B"/,
    );
    assert.throws(
      () => checkScope({ actions: [], routes: [], saddrs: ["nope"] }, "t"),
      /address pattern "nope"/,
    );
  });
});

// swapTarget: the router's checks of a hot swap, remembered per catalog and policy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import { compilePolicy } from "../policy/policy-engine.ts";
import { manifestTrust } from "../router/router.ts";
import { swapTarget } from "./live-ops.ts";
import { BUS, busAndLoggers, LOGGER, LOGGER2, wiredOneWay } from "./route-fixtures.ts";

const NOT_STRICT = manifestTrust(undefined);
const route = wiredOneWay("events-to-log", BUS, LOGGER, "process");
const allowing = compilePolicy({
  allow: [{ from: "rtt://core/bus/*", to: "rtt://obs/extension/*", scopes: ["*"] }],
});
const denyingLogger2 = compilePolicy({
  allow: [{ from: "rtt://core/bus/*", to: "rtt://obs/extension/*", scopes: ["*"] }],
  deny: [{ from: "rtt://core/bus/*", to: "rtt://obs/extension/logger2" }],
});

/** The outcome of a swap as data: the target and driver, or the error code. */
function outcome(run: () => ReturnType<typeof swapTarget>): string {
  try {
    const swap = run();
    return `${swap.target.saddr} via ${swap.driver}`;
  } catch (error) {
    assert.ok(error instanceof RttError, String(error));
    return `${error.code}: ${error.message}`;
  }
}

describe("swapTarget", () => {
  const catalog = busAndLoggers();

  it("resolves the target, checks it and names its driver; the route is the one asked about", () => {
    const swap = swapTarget(route, "rtt://obs/extension/logger2", catalog, allowing, NOT_STRICT);
    assert.equal(swap.target.saddr, LOGGER2);
    assert.equal(swap.driver, "process");
    assert.equal(swap.route, route);
  });

  it("a policy that denies the target refuses it, whatever an earlier policy allowed", () => {
    assert.equal(
      outcome(() => swapTarget(route, LOGGER2, catalog, allowing, NOT_STRICT)),
      `${LOGGER2} via process`,
    );
    assert.match(
      outcome(() => swapTarget(route, LOGGER2, catalog, denyingLogger2, NOT_STRICT)),
      /^RTT_ERR_PLAN_INVALID: route events-to-log may not be wired to /,
    );
    assert.equal(
      outcome(() => swapTarget(route, LOGGER2, catalog, allowing, NOT_STRICT)),
      `${LOGGER2} via process`,
    );
  });

  it("strict mode refuses an unsigned target, as a plan would; allow_unsigned lets it through", () => {
    const strict = manifestTrust({ strict_manifests: true, allow_unsigned: [] });
    assert.match(
      outcome(() => swapTarget(route, LOGGER2, catalog, allowing, strict)),
      /^RTT_ERR_PLAN_INVALID: route events-to-log may not be wired to .*unsigned manifest/,
    );
    const allowed = manifestTrust({
      strict_manifests: true,
      allow_unsigned: ["rtt://obs/extension/logger2"],
    });
    assert.equal(
      outcome(() => swapTarget(route, LOGGER2, catalog, allowing, allowed)),
      `${LOGGER2} via process`,
    );
  });

  it("a target missing from the catalog is refused", () => {
    assert.equal(
      outcome(() =>
        swapTarget(route, "rtt://obs/extension/nowhere", catalog, allowing, NOT_STRICT),
      ),
      "RTT_ERR_PLAN_INVALID: rtt://obs/extension/nowhere must resolve to exactly one symbol; it resolves to 0",
    );
  });

  it("property: remembered checks agree with fresh ones, over any sequence of swaps", () => {
    const targets = [
      LOGGER,
      LOGGER2,
      "rtt://obs/extension/logger2",
      "rtt://obs/extension/*",
      "nope",
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.constantFrom("events-to-log", "other"),
            from: fc.constantFrom(BUS, "rtt://core/bus/gone@1.0.0"),
            lane: fc.constantFrom("uds", "shm"),
            to: fc.constantFrom(...targets),
            deny: fc.boolean(),
          }),
          { maxLength: 20 },
        ),
        (swaps) => {
          for (const { id, from, lane, to, deny } of swaps) {
            const base = wiredOneWay(id, from, LOGGER, "process");
            const wired = { ...base, edge: { ...base.edge, lane } } as const;
            const policy = deny ? denyingLogger2 : allowing;
            // A copy of the catalog is a new cache key: a fresh check.
            assert.equal(
              outcome(() => swapTarget(wired, to, catalog, policy, NOT_STRICT)),
              outcome(() => swapTarget(wired, to, [...catalog], policy, NOT_STRICT)),
            );
          }
        },
      ),
    );
  });
});

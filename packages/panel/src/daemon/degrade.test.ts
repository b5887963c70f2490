import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CatalogSymbol,
  type Contract,
  launchHash,
  launchOf,
  symbolFromContract,
} from "@rtt/core";
import { type LinkPattern, STUB_DRIVER } from "../plan/topology.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import { isDegraded, realEnd, stubEnd } from "./degrade.ts";

const API = "rtt://core/api/metrics@1.0.0";

function api(extra: Record<string, unknown>): CatalogSymbol {
  return symbolFromContract(
    { saddr: API, type: "api", direction: "provider", io: "req", ...extra } as Contract,
    { file: "services/metrics/rtt.manifest.json", scanner: "manifest", score: 1 },
  );
}

function route(driver: string, pattern: LinkPattern = "reqrep"): WiredRoute {
  const end = (saddr: string, d: string) => ({ saddr, driver: d, contract_hash: "h" });
  return {
    edge: {
      route: "ui-refresh",
      from: end("rtt://ui/hook/refresh@1.0.0", "process"),
      to: end(API, driver),
      lane: "shm",
      pattern,
      prio: 4,
      params: {},
    },
    from: { driver: "process", link: "l1" },
    to: { driver, link: "l2" },
  };
}

describe("degrade modes", () => {
  const withExamples = api({ "x-examples": [{ response: { status: 200 } }] });
  // The stub and the real end both record what runs at the symbol (its http launch).
  const launch = launchOf(withExamples);
  const launched = { launch, launch_hash: launchHash(launch) };

  it("a request/response target with examples gets the stub, same symbol and hash", () => {
    assert.deepEqual(stubEnd(route("http"), [withExamples]), {
      to: {
        saddr: API,
        driver: STUB_DRIVER,
        contract_hash: withExamples.contract_hash,
        ...launched,
      },
    });
  });

  it("anything else is held, and says why", () => {
    const cases: [WiredRoute, CatalogSymbol[], RegExp][] = [
      [route("http"), [api({})], /declares no x-examples/],
      [route("http"), [api({ "x-examples": [] })], /non-empty array/],
      [route("http", "oneway"), [withExamples], /one-way route/],
      [route("http"), [], /not in the catalog/],
    ];
    for (const [r, catalog, why] of cases) {
      const end = stubEnd(r, catalog);
      assert.ok("held" in end);
      if ("held" in end) assert.match(end.held, why);
    }
  });

  it("a degraded route's real end is the driver the catalog names", () => {
    const degraded = route(STUB_DRIVER);
    assert.equal(isDegraded(degraded), true);
    assert.equal(isDegraded(route("http")), false);
    assert.deepEqual(realEnd(degraded, [withExamples]), {
      saddr: API,
      driver: "http",
      contract_hash: withExamples.contract_hash,
      ...launched,
    });
    assert.equal(realEnd(degraded, []), undefined);
  });
});

/**
 * Fixtures for tests of the daemon's route logic (route health, fallback, the fault suite's
 * clock case): a wired one-way route and a link health sample, so each test says only what
 * differs.
 */
import type { HealthSample } from "@rtt/connector-sdk";
import { type CatalogSymbol, type Contract, symbolFromContract } from "@rtt/core";
import type { WiredRoute } from "../reconcile/graph.ts";

/** A wired one-way route `id` from `from` to `to`, both ends in driver `driver`. */
export function wiredOneWay(
  id = "r",
  from = "rtt://core/bus/a@1.0.0",
  to = "rtt://obs/extension/b@1.0.0",
  driver = "d",
): WiredRoute {
  return {
    edge: {
      route: id,
      from: { saddr: from, driver, contract_hash: "x" },
      to: { saddr: to, driver, contract_hash: "y" },
      lane: "uds",
      pattern: "oneway",
      prio: 0,
      params: {},
    },
    from: { driver, link: "a" },
    to: { driver, link: "b" },
  };
}

/**
 * A link's health sample: ok or not ("down"), taken at `at_unix_ms` (0: unknown), with `errors`
 * failed messages so far (cumulative), all else 0.
 */
export function linkSample(ok: boolean, at_unix_ms = 0, errors = 0): HealthSample {
  return {
    link_id: "l",
    ok,
    lag_ms: 0,
    err: ok ? "" : "down",
    qdepth: 0,
    frames_in: 0,
    frames_out: 0,
    bytes_in: 0,
    bytes_out: 0,
    at_unix_ms,
    drops: 0,
    marked: 0,
    nacked: 0,
    buffered: 0,
    errors,
    client_errors: 0,
    shared: 0,
    unaccounted: 0,
  };
}

export const BUS = "rtt://core/bus/events@1.0.0";
export const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";
export const LOGGER2 = "rtt://obs/extension/logger2@1.0.0#ndjson";

function symbol(contract: Record<string, unknown>): CatalogSymbol {
  return symbolFromContract({ "x-run": ["prog"], ...contract } as unknown as Contract, {
    file: "rtt.manifest.json",
    scanner: "manifest",
    score: 1,
  });
}

/** The quickstart's shape: a bus (BUS) that two loggers (LOGGER, LOGGER2) can consume. */
export function busAndLoggers(): CatalogSymbol[] {
  return [
    symbol({
      saddr: BUS,
      type: "bus",
      direction: "provider",
      capabilities: ["push", "stream"],
      io: "pubsub",
    }),
    ...[LOGGER, LOGGER2].map((saddr) =>
      symbol({
        saddr,
        type: "extension",
        direction: "consumer",
        capabilities: ["stream"],
        io: "stream",
      }),
    ),
  ];
}

/**
 * Where the drivers say each committed route's source writes (driver-truth.ts, ADR 0030): the
 * link reading the lane the source link writes, whatever driver holds it and however the lane
 * address's fields came ordered; nothing when that is the committed target, or unknown.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ListedLink } from "@rtt/connector-sdk";
import type { LaneAddress } from "@rtt/fabric";
import fc from "fast-check";
import type { WiredRoute } from "../reconcile/graph.ts";
import { observedMoves } from "./driver-truth.ts";

const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";
const LOGGER2 = "rtt://obs/extension/logger2@1.0.0#ndjson";
const uds = (path: string): LaneAddress => ({ kind: "uds", path });

/** events-to-log as committed: source process/s1, target process/t1. */
function route(id = "events-to-log"): WiredRoute {
  const end = (saddr: string) => ({ saddr, driver: "process", contract_hash: "h" });
  return {
    edge: {
      route: id,
      from: end("rtt://core/bus/events@1.0.0"),
      to: end(LOGGER),
      lane: "uds",
      pattern: "oneway",
      prio: 0,
      params: {},
    },
    from: { driver: "process", link: "s1" },
    to: { driver: "process", link: "t1" },
  } as unknown as WiredRoute;
}

function held(source: Partial<ListedLink>, ...targets: [string, ListedLink][]) {
  const byDriver = new Map<string, ListedLink[]>([
    ["process", [{ linkId: "s1", saddr: "rtt://core/bus/events@1.0.0", ...source }]],
  ]);
  for (const [driver, link] of targets)
    byDriver.set(driver, [...(byDriver.get(driver) ?? []), link]);
  return byDriver;
}

describe("observedMoves", () => {
  it("a source writing to another link's lane runs to that link", () => {
    const moves = observedMoves(
      [route()],
      held(
        { outbound: uds("/run/b") },
        ["process", { linkId: "t1", saddr: LOGGER, inbound: uds("/run/a") }],
        ["process", { linkId: "t2", saddr: LOGGER2, inbound: uds("/run/b") }],
      ),
    );
    assert.deepEqual(
      moves.map((m) => m.to),
      [{ driver: "process", link: "t2", saddr: LOGGER2 }],
    );
  });

  it("nothing moves when the source writes the committed target's lane, none, or an unknown one", () => {
    const target: [string, ListedLink] = [
      "process",
      { linkId: "t1", saddr: LOGGER, inbound: uds("/run/a") },
    ];
    for (const source of [{ outbound: uds("/run/a") }, {}, { outbound: uds("/run/gone") }])
      assert.deepEqual(observedMoves([route()], held(source, target)), []);
  });

  it("the same target link in another driver is another link", () => {
    const moves = observedMoves(
      [route()],
      held({ outbound: uds("/run/a") }, [
        "file",
        { linkId: "t1", saddr: LOGGER, inbound: uds("/run/a") },
      ]),
    );
    assert.deepEqual(
      moves.map((m) => `${m.to.driver}/${m.to.link}`),
      ["file/t1"],
    );
  });

  it("a lane is one lane however its address's fields are ordered", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 65535 }), (host, port) => {
        const written = { kind: "tcp", host, port } as LaneAddress;
        const read = { port, host, kind: "tcp" } as LaneAddress;
        const moves = observedMoves(
          [route()],
          held({ outbound: written }, ["process", { linkId: "t2", saddr: LOGGER2, inbound: read }]),
        );
        assert.equal(moves.length, 1);
      }),
    );
  });
});

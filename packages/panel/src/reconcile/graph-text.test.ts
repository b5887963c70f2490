// The commit's graph text, and Status's topology text, are JSON.stringify's, whatever the
// routes, ids, drivers and breakers, also after a route's edge is replaced (a move) with
// objects encoded before.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { JsonValue } from "@rtt/core";
import fc from "fast-check";
import { wiredOneWay } from "../daemon/route-fixtures.ts";
import { graphOf, type WiredRoute } from "./graph.ts";
import { graphText, topologyText } from "./graph-text.ts";

/** Drivers' and breakers' records: any JSON, by name. */
const records = fc
  .dictionary(fc.string(), fc.jsonValue())
  .map((d) => d as Record<string, JsonValue>);

const route = fc
  .record({
    id: fc.string({ minLength: 1, unit: "grapheme" }),
    from: fc.string(),
    to: fc.string(),
    driver: fc.string(),
  })
  .map(({ id, from, to, driver }) => wiredOneWay(id, from, to, driver));

test("graphText is JSON.stringify of the graph, before and after a route moves", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(route, { selector: (r) => r.edge.route, maxLength: 12 }),
      records,
      records,
      fc.array(fc.string()),
      fc.string(),
      (routes, drivers, breakers, failedOver, movedTo) => {
        const graph = graphOf(routes, drivers, breakers, failedOver);
        assert.equal(graphText(graph), JSON.stringify(graph));
        const topology = { format: graph.format, edges: graph.edges };
        assert.equal(topologyText(graph), JSON.stringify(topology));
        const first = routes[0];
        if (first === undefined) return;
        const moved: WiredRoute = {
          edge: { ...first.edge, to: { ...first.edge.to, saddr: movedTo } },
          from: first.from,
          to: { ...first.to, link: movedTo },
        };
        const after = graphOf([moved, ...routes.slice(1)], drivers, breakers, failedOver);
        assert.equal(graphText(after), JSON.stringify(after));
        assert.equal(
          topologyText(after),
          JSON.stringify({ format: after.format, edges: after.edges }),
        );
      },
    ),
  );
});

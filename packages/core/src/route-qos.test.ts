import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { RttError } from "./errors.ts";
import { DROP_POLICIES } from "./qos.ts";
import {
  DEFAULT_ROUTE_BUFFER,
  defaultBurst,
  ROUTE_FANOUT_PARAM,
  readRouteQos,
  reservedRouteParams,
  routeQosParams,
} from "./route-qos.ts";

const SOURCE = "rtt://core/bus/events@1.0.0";

describe("route QoS as Open params", () => {
  test("no rate: no keys, and the params pass through untouched", () => {
    assert.deepEqual(routeQosParams(SOURCE, { drop: "buffer", burst: 5, buffer: 9 }), {});
    assert.deepEqual(readRouteQos({ framing: "lines" }), {
      source: undefined,
      qos: undefined,
      params: { framing: "lines" },
    });
  });

  test("the fan-out mark: taken out, said, with or without a rate; any other value refused", () => {
    assert.deepEqual(readRouteQos({ framing: "lines", [ROUTE_FANOUT_PARAM]: "source" }), {
      source: undefined,
      qos: undefined,
      params: { framing: "lines" },
      fanout: true,
    });
    const withRate = readRouteQos({
      ...routeQosParams(SOURCE, { rate: 10, drop: "taildrop" }),
      [ROUTE_FANOUT_PARAM]: "source",
    });
    assert.equal(withRate.fanout, true);
    assert.deepEqual(withRate.qos, { rate: 10, burst: 1, drop: "taildrop" });
    assert.deepEqual(withRate.params, {});
    assert.throws(
      () => readRouteQos({ [ROUTE_FANOUT_PARAM]: "target" }),
      (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_DOC_SCHEMA",
    );
  });

  test("defaults are written out: burst 100 ms of the rate, buffer 1024 only for drop buffer", () => {
    assert.deepEqual(routeQosParams(SOURCE, { rate: 5000, drop: "buffer" }), {
      "qos.source": SOURCE,
      "qos.rate": "5000",
      "qos.burst": "500",
      "qos.drop": "buffer",
      "qos.buffer": String(DEFAULT_ROUTE_BUFFER),
    });
    assert.deepEqual(routeQosParams(SOURCE, { rate: 0.5, drop: "taildrop", buffer: 8 }), {
      "qos.source": SOURCE,
      "qos.rate": "0.5",
      "qos.burst": "1",
      "qos.drop": "taildrop",
    });
    assert.equal(defaultBurst(3), 1);
  });

  test("property: what the panel writes, the driver reads back, apart from the connector's params", () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            rate: fc.oneof(
              fc.integer({ min: 1, max: 1e6 }),
              fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
            ),
            burst: fc.integer({ min: 1, max: 1e5 }),
            drop: fc.constantFrom(...DROP_POLICIES),
            buffer: fc.integer({ min: 1, max: 1e5 }),
          },
          { requiredKeys: ["rate", "drop"] },
        ),
        fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string()),
        (qos, own) => {
          const read = readRouteQos({ ...own, ...routeQosParams(SOURCE, qos) });
          assert.equal(read.source, SOURCE);
          assert.deepEqual(read.params, { ...own });
          assert.equal(read.qos?.rate, qos.rate);
          assert.equal(read.qos?.burst, qos.burst ?? defaultBurst(qos.rate));
          assert.equal(read.qos?.drop, qos.drop);
          assert.equal(
            read.qos?.buffer,
            qos.drop === "buffer" ? (qos.buffer ?? DEFAULT_ROUTE_BUFFER) : undefined,
          );
        },
      ),
    );
  });

  test("bad values are refused, naming the key, what was expected and what came", () => {
    const good = routeQosParams(SOURCE, { rate: 10, drop: "buffer", buffer: 4 });
    const cases: [Record<string, string>, RegExp][] = [
      [{ "qos.rate": "fast" }, /qos\.rate: expected a finite number > 0 \(frames\/s\); got "fast"/],
      [{ "qos.rate": "0" }, /qos\.rate: expected a finite number > 0/],
      [{ "qos.rate": "Infinity" }, /qos\.rate: expected a finite number > 0/],
      [{ "qos.burst": "0.5" }, /qos\.burst: expected a finite number >= 1/],
      [
        { "qos.drop": "lifo" },
        /qos\.drop: expected taildrop \| mark \| nack \| buffer; got "lifo"/,
      ],
      [{ "qos.buffer": "1.5" }, /qos\.buffer: expected an integer >= 1/],
      [{ "qos.buffer": "0" }, /qos\.buffer: expected an integer >= 1/],
      [{ "qos.source": "" }, /qos\.source: expected a saddr; got ""/],
      [{ "qos.speed": "1" }, /qos\.speed: expected a known key/],
      [{ "qos.drop": "nack" }, /qos\.buffer: expected no buffer unless drop is buffer/],
      [{ "qos.journal": "run/routes/r1" }, /qos\.journal: expected an absolute directory path/],
    ];
    for (const [change, message] of cases) {
      assert.throws(
        () => readRouteQos({ ...good, ...change }),
        (e: unknown) =>
          e instanceof RttError && e.code === "RTT_ERR_DOC_SCHEMA" && message.test(e.message),
        JSON.stringify(change),
      );
    }
    const { "qos.buffer": _omitted, ...noBuffer } = good;
    assert.throws(
      () => readRouteQos({ ...noBuffer, "qos.drop": "mark", "qos.journal": "/j" }),
      /qos\.journal: expected no journal unless drop is buffer/,
    );
    assert.equal(
      readRouteQos({ ...good, "qos.journal": "/w/.rtt/run/r1" }).journal,
      "/w/.rtt/run/r1",
    );
    assert.throws(
      () => readRouteQos(noBuffer),
      /qos\.buffer: expected an integer >= 1 \(frames\); got nothing/,
    );
  });

  test("routes.json keys that collide with the panel's", () => {
    assert.deepEqual(reservedRouteParams({ framing: "lines", "qos.rate": 9, qosx: 1 }), [
      "qos.rate",
    ]);
    assert.deepEqual(reservedRouteParams(undefined), []);
  });
});

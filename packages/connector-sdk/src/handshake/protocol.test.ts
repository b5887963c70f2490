import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  formatVersionList,
  negotiateVersion,
  parseVersionList,
  versionMismatch,
} from "./protocol.ts";

const versions = fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 });

describe("protocol version lists", () => {
  test("parse sorted, deduplicated, spaces allowed", () => {
    assert.deepEqual(parseVersionList("1"), [1]);
    assert.deepEqual(parseVersionList(" 3, 1,2 ,3"), [1, 2, 3]);
  });

  test("anything else is RTT_ERR_DRIVER_VERSION naming the variable", () => {
    for (const bad of ["", "0", "1,", "a", "1;2", "-1", "01", "1.5"]) {
      assert.throws(
        () => parseVersionList(bad),
        (e: unknown) =>
          e instanceof RttError &&
          e.code === "RTT_ERR_DRIVER_VERSION" &&
          e.message.includes("RTT_PROTOCOL_VERSIONS"),
        bad,
      );
    }
  });

  test("property: format then parse is the sorted set", () => {
    fc.assert(
      fc.property(versions, (v) => {
        assert.deepEqual(
          parseVersionList(formatVersionList(v)),
          [...v].sort((a, b) => a - b),
        );
      }),
    );
  });

  test("property: any text parses to positive integers or fails with the version code", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."0123456789, x"), maxLength: 20 }), (t) => {
        try {
          for (const v of parseVersionList(t)) assert.ok(Number.isInteger(v) && v > 0);
        } catch (e) {
          assert.ok(e instanceof RttError && e.code === "RTT_ERR_DRIVER_VERSION");
        }
      }),
    );
  });

  test("property: negotiation picks the highest shared version, or none", () => {
    fc.assert(
      fc.property(versions, versions, (host, driver) => {
        const got = negotiateVersion(host, driver);
        const shared = host.filter((v) => driver.includes(v));
        assert.equal(got, shared.length === 0 ? undefined : Math.max(...shared));
        assert.equal(negotiateVersion(driver, host), got);
      }),
    );
  });

  test("the mismatch names both sides", () => {
    const e = versionMismatch("echo", [7, 8], [1]);
    assert.equal(e.code, "RTT_ERR_DRIVER_VERSION");
    assert.match(e.message, /driver "echo" speaks protocol versions 1, but the host offered 7,8/);
  });
});

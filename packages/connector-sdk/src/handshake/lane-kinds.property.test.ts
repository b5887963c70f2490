// Field 10 of the handshake line comes from another process: any text either reads as the
// declared kinds (in order, without repeats) or is refused with RTT_ERR_DRIVER_HANDSHAKE.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LANE_KINDS, RttError } from "@rtt/core";
import fc from "fast-check";
import { lanesOfLine, UNDECLARED_LANES } from "./lane-kinds.ts";

test("a list of lane kinds reads back in order, without repeats", () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...LANE_KINDS), { maxLength: 8 }), (kinds) => {
      const got = lanesOfLine([kinds.join(",")]);
      const want = kinds.length === 0 ? [...UNDECLARED_LANES] : [...new Set(kinds)];
      assert.deepEqual(got, want);
    }),
  );
});

test("any other text is refused with the handshake's code, never thrown otherwise", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        const got = lanesOfLine([text]);
        for (const k of got) assert.ok((LANE_KINDS as readonly string[]).includes(k));
      } catch (error) {
        assert.ok(error instanceof RttError && error.code === "RTT_ERR_DRIVER_HANDSHAKE");
      }
    }),
  );
});

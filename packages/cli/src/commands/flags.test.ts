import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { wholeNumber } from "./flags.ts";

test("wholeNumber: decimal digits in range are their number; anything else is a usage error (property)", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.nat(1000), fc.nat(1000), (text, a, b) => {
      const [min, max] = a <= b ? [a, b] : [b, a];
      const ok = /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max;
      if (ok) assert.equal(wholeNumber("--n", text, min, max), Number(text));
      else assert.throws(() => wholeNumber("--n", text, min, max), { code: "RTT_ERR_USAGE" });
    }),
  );
  for (const bad of ["1e3", "0x10", "1.5", "-1", " 1", ""])
    assert.throws(() => wholeNumber("--n", bad, 0, 10_000), { code: "RTT_ERR_USAGE" });
  assert.equal(wholeNumber("--n", "007", 0, 10), 7);
});

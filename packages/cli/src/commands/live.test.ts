import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseSwap } from "./live.ts";

// A route id or an address: no spaces, no arrow, not starting with "-".
const token = fc.stringMatching(/^[A-Za-z0-9_.:/@#^~*][A-Za-z0-9_.:/@#^~*-]{0,30}$/);

test("parseSwap: every way the shell can hand over `A -> B` gives A and B (property)", () => {
  fc.assert(
    fc.property(token, token, (a, b) => {
      const forms = [
        [`${a} -> ${b}`],
        [`${a}->${b}`],
        [a, "->", b],
        [a, `-> ${b}`],
        [`${a} ->`, b],
        [a, b],
      ];
      for (const words of forms)
        assert.deepEqual(parseSwap(words), { from: a, to: b }, words.join("|"));
    }),
  );
});

test("parseSwap: a missing end, a third word or an option is a usage error (property)", () => {
  fc.assert(
    fc.property(token, token, token, (a, b, c) => {
      const bad = [
        [a],
        [`${a} ->`],
        [`-> ${b}`],
        [a, b, c],
        [`${a} -> ${b} -> ${c}`],
        [a, `--${b}`, c],
      ];
      for (const words of bad)
        assert.throws(() => parseSwap(words), { code: "RTT_ERR_USAGE" }, words.join("|"));
    }),
  );
});

test("parseSwap names the option it does not know", () => {
  assert.throws(() => parseSwap(["events-to-log", "--jsn", "rtt://obs/extension/logger2"]), {
    message: "qc: unknown option --jsn",
  });
});

test("parseSwap points at an arrow spelt otherwise, with its column (property)", () => {
  const arrow = fc.constantFrom("=>", "==>", "→", "⇒", ">", "<-");
  fc.assert(
    fc.property(token, arrow, token, (a, spelt, b) => {
      const column = a.length + 2;
      const message = `found ${JSON.stringify(spelt)} at column ${column}; expected "->"`;
      for (const words of [[`${a} ${spelt} ${b}`], [a, spelt, b]])
        assert.throws(
          () => parseSwap(words),
          { code: "RTT_ERR_USAGE", message: `qc ${a} ${spelt} ${b}: ${message}` },
          words.join("|"),
        );
    }),
  );
});

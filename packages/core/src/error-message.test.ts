import assert from "node:assert/strict";
import { test } from "node:test";
import { errorMessage } from "./error-message.ts";
import { RttError } from "./errors.ts";

test("an Error gives its message, without the class name or stack", () => {
  assert.equal(errorMessage(new TypeError("not a function")), "not a function");
  assert.equal(errorMessage(new RttError("RTT_ERR_IO", "cannot read x")), "cannot read x");
});

test("anything else thrown is shown as String() shows it", () => {
  assert.equal(errorMessage("plain text"), "plain text");
  assert.equal(errorMessage(42), "42");
  assert.equal(errorMessage(undefined), "undefined");
  assert.equal(errorMessage(null), "null");
  // Only a real Error is trusted for `.message`: a look-alike object is not read.
  assert.equal(errorMessage({ message: "look-alike" }), "[object Object]");
});

// docs/connectors.md quotes the echo connector that the driver tests run as a real process;
// this keeps the quote and the file identical, and the documented constants true.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  COOKIE_ENV,
  COOKIE_VALUE,
  GRACE_ENV,
  HEARTBEAT_ENV,
  PROTOCOL_VERSIONS_ENV,
  SOCKET_DIR_ENV,
} from "@rtt/connector-sdk";

const doc = readFileSync(new URL("../../../docs/connectors.md", import.meta.url), "utf8");

test("docs/connectors.md quotes test/fixtures/echo-driver.ts verbatim", () => {
  const example = readFileSync(new URL("./fixtures/echo-driver.ts", import.meta.url), "utf8");
  assert.ok(
    doc.includes(`\`\`\`ts\n${example}\`\`\``),
    "the example in the doc differs from the file",
  );
});

test("docs/connectors.md names the real environment variables and cookie", () => {
  for (const name of [
    COOKIE_ENV,
    PROTOCOL_VERSIONS_ENV,
    HEARTBEAT_ENV,
    GRACE_ENV,
    SOCKET_DIR_ENV,
  ]) {
    assert.ok(doc.includes(`\`${name}\``), name);
  }
  assert.ok(doc.includes(`\`${COOKIE_VALUE}\``));
});

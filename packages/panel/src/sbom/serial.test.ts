import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bomLink, contentSerial, uuidV5 } from "./serial.ts";

describe("SBOM serials", () => {
  it("computes RFC 4122 version 5 UUIDs", () => {
    // The DNS namespace's well-known vector.
    assert.equal(
      uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("derives the serial from the content: same content, same serial; other content, other", () => {
    assert.equal(contentSerial("{}"), contentSerial("{}"));
    assert.notEqual(contentSerial("{}"), contentSerial('{"a":1}'));
    assert.match(
      contentSerial("{}"),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("links to an element, its SADDR percent-encoded so the fragment stays one", () => {
    const serial = contentSerial("{}");
    const link = bomLink(serial, "rtt://obs/extension/logger@1.9.9#ndjson");
    assert.equal(
      link,
      `urn:cdx:${serial.slice(9)}/1#rtt%3A%2F%2Fobs%2Fextension%2Flogger%401.9.9%23ndjson`,
    );
    assert.equal(
      decodeURIComponent(link.split("#")[1] ?? ""),
      "rtt://obs/extension/logger@1.9.9#ndjson",
    );
  });
});

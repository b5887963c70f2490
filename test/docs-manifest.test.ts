// docs/manifest.md documents every manifest member, x- key and route parameter; this keeps it
// in step with the schema, the key table (extension-keys.ts) and the drivers' sources.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RESPAWN_POLICIES } from "@rtt/connector-sdk";
import {
  extensionKeyWarnings,
  IO_MODES,
  LAUNCH_ROUTE_PARAMS,
  SYMBOL_TYPES,
  validateDocument,
} from "@rtt/core";
import { parseRequest, parseResponse } from "../packages/connectors/http/src/messages.ts";
import { FRAMINGS } from "../packages/connectors/process/src/framing.ts";
import { withKeysTable } from "../packages/core/scripts/generate-manifest-doc.ts";
import { AUTH_MODES, DIRECTIONS, manifestSchema } from "../packages/core/src/schemas/manifest.ts";
import { paramsRead } from "./support/connector-params.ts";

const REPO = new URL("..", import.meta.url).pathname;
const DOC = readFileSync(join(REPO, "docs/manifest.md"), "utf8");

/** Whether the doc names `word` as code or as a JSON key: `word` or "word". */
const named = (word: string) => DOC.includes(`\`${word}\``) || DOC.includes(`"${word}"`);

const missing = (words: Iterable<string>) => [...new Set(words)].filter((w) => !named(w)).sort();

describe("docs/manifest.md", () => {
  it("has the x- key table npm run generate writes from extension-keys.ts", () => {
    assert.ok(
      DOC === withKeysTable(DOC),
      "docs/manifest.md's x- key table is stale: run npm run generate",
    );
  });

  it("names every member of the manifest schema and every value of its enums", () => {
    const symbol = manifestSchema.properties.symbol.properties;
    const members = [
      ...Object.keys(manifestSchema.properties),
      ...Object.keys(symbol),
      ...Object.keys(symbol.qos.properties),
      ...Object.keys(symbol.auth.properties),
      ...Object.keys(manifestSchema.properties.signature.properties),
    ];
    assert.deepEqual(missing(members), []);
    assert.deepEqual(missing([...SYMBOL_TYPES, ...DIRECTIONS, ...AUTH_MODES, ...IO_MODES]), []);
  });

  it("names every route parameter a built-in driver reads, and those routes.json may not set", () => {
    const read = paramsRead();
    assert.ok(read.includes("append") && read.includes("timeout_ms"), read.join(", "));
    assert.deepEqual(missing([...read, "optional_caps", ...LAUNCH_ROUTE_PARAMS]), []);
    assert.deepEqual(missing([...FRAMINGS, ...RESPAWN_POLICIES]), []);
  });

  it("shows examples that hold: manifests, routes and policy validate, http messages parse", () => {
    const blocks = [...DOC.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const kinds = blocks.map((text) => {
      const value = JSON.parse(text) as Record<string, unknown>;
      const kind =
        "symbol" in value
          ? "manifest"
          : "routes" in value
            ? "routes"
            : "allow" in value
              ? "policy"
              : "method" in value
                ? "request"
                : "response";
      if (kind === "request") parseRequest(Buffer.from(text));
      else if (kind === "response") parseResponse(Buffer.from(text));
      else {
        const r = validateDocument(kind, text, "docs/manifest.md");
        assert.ok(r.ok, `${text}\n${JSON.stringify(r.ok ? [] : r.diagnostics)}`);
        if (kind === "manifest") assert.deepEqual(extensionKeyWarnings(r.document), []);
      }
      return kind;
    });
    assert.deepEqual(
      new Set(kinds),
      new Set(["manifest", "routes", "policy", "request", "response"]),
    );
  });
});

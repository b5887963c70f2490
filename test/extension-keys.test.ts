// Every `"x-…"` literal in RTT's sources is a manifest key in extension-keys.ts (so the scan
// does not warn about a key RTT reads, and docs/manifest.md documents it) or one of the few
// strings below that only look like one.
import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { EXTENSION_KEYS } from "@rtt/core";

const REPO = new URL("..", import.meta.url).pathname;

/** `x-` strings in the sources that are no manifest key, and what they are. */
const NOT_MANIFEST_KEYS: Readonly<Record<string, string>> = {
  "x-content-type-options": "an HTTP header rtt ui sends",
  "x-frame-options": "an HTTP header rtt ui sends",
  "x-rtt-secret": "the HTTP header rtt ui's page authenticates with",
};

// Quoted only: a key in backticks is a code span in a comment, e.g. a typo shown as an example.
const LITERAL = /["'](x-[a-z0-9][a-z0-9-]*)["']/g;

it("every x- key the sources name is in EXTENSION_KEYS", () => {
  const files = globSync(["packages/*/src/**/*.ts", "packages/connectors/*/src/**/*.ts"], {
    cwd: REPO,
  }).filter((f) => !f.endsWith(".test.ts") && !f.includes("/generated/"));
  assert.ok(files.some((f) => f.startsWith("packages/connectors/process/src/")));
  const unlisted = new Map<string, string>();
  for (const file of files) {
    for (const [, key] of readFileSync(join(REPO, file), "utf8").matchAll(LITERAL)) {
      if (key === undefined || key in EXTENSION_KEYS || key in NOT_MANIFEST_KEYS) continue;
      unlisted.set(key, file);
    }
  }
  assert.deepEqual(
    [...unlisted].map(([key, file]) => `${key} (${file})`),
    [],
    "add these keys to packages/core/src/extension-keys.ts, then npm run generate",
  );
});

it("lists no key twice as a manifest key and as something else", () => {
  assert.deepEqual(
    Object.keys(NOT_MANIFEST_KEYS).filter((k) => k in EXTENSION_KEYS),
    [],
  );
});

// The ahead-of-time validators must match the schemas; regenerate with `npm run generate`.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { it } from "node:test";
import { generatedPath, generateValidator } from "../scripts/generate-validators.ts";
import { DOCUMENT_SCHEMAS } from "./document-schemas.ts";
import type { DocumentKind } from "./validate.ts";

const KINDS = Object.keys(DOCUMENT_SCHEMAS) as DocumentKind[];

it("schemas/validate-KIND.generated.cjs are up to date with the schemas (else: npm run generate)", () => {
  for (const kind of KINDS)
    assert.equal(readFileSync(generatedPath(kind), "utf8"), generateValidator(kind), kind);
});

it("no generated validator is left of a kind that is gone", () => {
  const generated = readdirSync(new URL("./schemas/", import.meta.url)).filter((f) =>
    f.endsWith(".generated.cjs"),
  );
  assert.deepEqual(generated.sort(), KINDS.map((k) => `validate-${k}.generated.cjs`).sort());
});

// The ahead-of-time validators must match the schemas; regenerate with `npm run generate`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { GENERATED_PATH, generateValidators } from "../scripts/generate-validators.ts";

it("schemas/validators.generated.cjs is up to date with the schemas (else: npm run generate)", () => {
  assert.equal(readFileSync(GENERATED_PATH, "utf8"), generateValidators());
});

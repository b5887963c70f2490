/**
 * The JSON Schema of each kind of document: what scripts/generate-validators.ts compiles into
 * schemas/validate-KIND.generated.cjs, and what the property tests generate documents from.
 * Apart from validate.ts, which runs the compiled validators and needs none of these objects.
 */
import { manifestSchema } from "./schemas/manifest.ts";
import { panelConfigSchema } from "./schemas/panel-config.ts";
import { policySchema } from "./schemas/policy.ts";
import { routesSchema } from "./schemas/routes.ts";
import type { DocumentKind } from "./validate.ts";

export const DOCUMENT_SCHEMAS = {
  manifest: manifestSchema,
  routes: routesSchema,
  policy: policySchema,
  "panel-config": panelConfigSchema,
} as const satisfies Record<DocumentKind, object>;

/** `.rtt/routes.json`: the desired routes (docs/design.md §The model: routes and policy). */
import { identifier } from "./common.ts";

export interface RouteSpec {
  /**
   * Stable name; when absent the id is a hash of from/to
   * (docs/design.md §The model: routes and policy).
   */
  readonly id?: string;
  readonly from: string;
  /** One target, or a failover list tried in order. */
  readonly to: string | readonly string[];
  readonly params?: Readonly<Record<string, string | number | boolean>>;
}

export interface RoutesFile {
  readonly $schema?: string;
  readonly routes: readonly RouteSpec[];
}

const reference = { type: "string", format: "rtt-reference" } as const;

export const routesSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "rtt:routes",
  title: "RTT routes.json",
  type: "object",
  required: ["routes"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    routes: {
      type: "array",
      items: {
        type: "object",
        required: ["from", "to"],
        additionalProperties: false,
        properties: {
          id: identifier,
          from: reference,
          to: {
            anyOf: [reference, { type: "array", minItems: 1, items: reference }],
          },
          params: {
            type: "object",
            additionalProperties: { type: ["string", "number", "boolean"] },
          },
        },
      },
    },
  },
} as const;

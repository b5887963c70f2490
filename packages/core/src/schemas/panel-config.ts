/** `.rtt/panel.yaml`: the node's own configuration (docs/design.md §The model: the workspace). */
import { LANE_KINDS, type LaneKind } from "../qos.ts";
import { stringList } from "./common.ts";

export interface PanelConfig {
  readonly api?: {
    readonly listen?: string;
    /** Streams (Health, Audit follow, ListSymbols, …) open at once, over every connection. */
    readonly max_streams?: number;
    /** …and on one connection. */
    readonly max_streams_per_connection?: number;
  };
  readonly scan?: {
    readonly roots?: readonly string[];
    readonly ignore?: readonly string[];
    readonly follow_symlinks?: boolean;
    readonly max_manifest_bytes?: number;
  };
  readonly routing?: { readonly prefer?: readonly LaneKind[]; readonly rewire_atomic?: boolean };
  readonly security?: {
    readonly strict_manifests?: boolean;
    /** SADDR patterns (as policy.json's) strict mode lets through unsigned. */
    readonly allow_unsigned?: readonly string[];
    /** Every mutating API call needs a capability token that covers it (ADR 0018). */
    readonly require_tokens?: boolean;
  };
  readonly health?: {
    readonly heartbeat_ms?: number;
    readonly trip_threshold?: { readonly errors?: number; readonly window_ms?: number };
  };
}

export const panelConfigSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "rtt:panel-config",
  title: "RTT panel.yaml",
  type: "object",
  additionalProperties: false,
  properties: {
    api: {
      type: "object",
      additionalProperties: false,
      properties: {
        listen: {
          type: "string",
          pattern: "^(unix://.+|tcp://(127\\.\\d+\\.\\d+\\.\\d+|localhost|\\[::1\\]):\\d+)$",
        },
        max_streams: { type: "integer", minimum: 1, maximum: 65536 },
        max_streams_per_connection: { type: "integer", minimum: 1, maximum: 65536 },
      },
    },
    scan: {
      type: "object",
      additionalProperties: false,
      properties: {
        roots: { ...stringList, minItems: 1 },
        ignore: stringList,
        follow_symlinks: { type: "boolean" },
        max_manifest_bytes: { type: "integer", minimum: 1024 },
      },
    },
    routing: {
      type: "object",
      additionalProperties: false,
      properties: {
        prefer: { type: "array", uniqueItems: true, minItems: 1, items: { enum: LANE_KINDS } },
        rewire_atomic: { type: "boolean" },
      },
    },
    security: {
      type: "object",
      additionalProperties: false,
      properties: {
        strict_manifests: { type: "boolean" },
        allow_unsigned: { type: "array", items: { type: "string", format: "rtt-pattern" } },
        require_tokens: { type: "boolean" },
      },
    },
    health: {
      type: "object",
      additionalProperties: false,
      properties: {
        heartbeat_ms: { type: "integer", minimum: 10 },
        trip_threshold: {
          type: "object",
          additionalProperties: false,
          properties: {
            errors: { type: "integer", minimum: 1 },
            window_ms: { type: "integer", minimum: 1 },
          },
        },
      },
    },
  },
} as const;

/** `.rtt/panel.yaml`: the node's own configuration (docs/design.md §The model: the workspace). */
import { LANE_KINDS, type LaneKind } from "../qos.ts";
import { stringList } from "./common.ts";

/** within: only links whose target lies inside a scan root; always: any; never: none. */
export const FOLLOW_SYMLINKS = ["within", "always", "never"] as const;
export type FollowSymlinks = (typeof FOLLOW_SYMLINKS)[number];

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
    /**
     * Which symbolic links the scan walks through (ADR 0021). The old booleans still load:
     * true means "within" (what was safe of it), false "never".
     */
    readonly follow_symlinks?: FollowSymlinks | boolean;
    readonly max_manifest_bytes?: number;
    /** The panel watches the roots and rescans on change (default true; issue 17). */
    readonly watch?: boolean;
  };
  readonly routing?: {
    readonly prefer?: readonly LaneKind[];
    readonly rewire_atomic?: boolean;
    /**
     * When a wired symbol changes or vanishes under a watching panel: `auto` applies the new
     * plan (audited as `reroute`) when it only touches those routes; `plan-only` (the default)
     * logs it and leaves it to `rtt plan` / `rtt apply`.
     */
    readonly reroute?: RerouteSetting;
  };
  readonly security?: {
    readonly strict_manifests?: boolean;
    /** SADDR patterns (as policy.json's) strict mode lets through unsigned. */
    readonly allow_unsigned?: readonly string[];
    /** Every mutating API call needs a capability token that covers it (ADR 0018). */
    readonly require_tokens?: boolean;
    /** How drivers are confined (ADR 0023); auto = bwrap when it works, else node. */
    readonly sandbox?: SandboxSetting;
    /** Uids besides the panel's own that may connect to its sockets (ADR 0020). */
    readonly allow_uids?: readonly number[];
    /**
     * Absolute path prefixes outside the workspace that file symbols may point into (ADR 0022);
     * the workspace itself is always allowed.
     */
    readonly allow_paths?: readonly string[];
  };
  readonly health?: {
    readonly heartbeat_ms?: number;
    readonly trip_threshold?: { readonly errors?: number; readonly window_ms?: number };
  };
}

/** `routing.reroute`: what a watching panel does by itself when a wired symbol changes. */
export const REROUTE_SETTINGS = ["auto", "plan-only"] as const;
export type RerouteSetting = (typeof REROUTE_SETTINGS)[number];

/** `security.sandbox`: the level asked for (ADR 0023). */
export const SANDBOX_SETTINGS = ["auto", "bwrap", "node", "none"] as const;
export type SandboxSetting = (typeof SANDBOX_SETTINGS)[number];

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
        // A Unix socket only (ADR 0020): the workspace checks it is in .rtt/sockets.
        listen: { type: "string", pattern: "^unix:///.+$" },
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
        follow_symlinks: { enum: [...FOLLOW_SYMLINKS, true, false] },
        max_manifest_bytes: { type: "integer", minimum: 1024 },
        watch: { type: "boolean" },
      },
    },
    routing: {
      type: "object",
      additionalProperties: false,
      properties: {
        prefer: { type: "array", uniqueItems: true, minItems: 1, items: { enum: LANE_KINDS } },
        rewire_atomic: { type: "boolean" },
        reroute: { enum: REROUTE_SETTINGS },
      },
    },
    security: {
      type: "object",
      additionalProperties: false,
      properties: {
        strict_manifests: { type: "boolean" },
        allow_unsigned: { type: "array", items: { type: "string", format: "rtt-pattern" } },
        require_tokens: { type: "boolean" },
        sandbox: { enum: SANDBOX_SETTINGS },
        allow_uids: {
          type: "array",
          uniqueItems: true,
          items: { type: "integer", minimum: 0, maximum: 4294967294 },
        },
        allow_paths: {
          type: "array",
          uniqueItems: true,
          items: { type: "string", format: "rtt-abs-path" },
        },
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

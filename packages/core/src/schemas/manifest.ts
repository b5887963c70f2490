/**
 * `rtt.manifest.json` and `.rtt/manifests/*.json`
 * (docs/design.md §The model: contracts and symbols): one symbol's contract.
 */
import type { IoMode, SymbolType } from "../saddr.ts";
import { IO_MODES, SYMBOL_TYPES } from "../saddr.ts";
import { extensionKeys, identifier } from "./common.ts";

export const DIRECTIONS = ["provider", "consumer", "both"] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const AUTH_MODES = ["none", "token", "mtls", "caps"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface IoSlot {
  readonly name: string;
  /** A schema reference, e.g. `json://metrics.query` or `jsonschema://...`. */
  readonly schema: string;
}

export interface Qos {
  readonly latency_budget_ms?: number;
  readonly throughput_qps?: number;
  readonly burst?: number;
  readonly priority?: number;
  readonly busy_poll?: boolean;
}

export interface Auth {
  readonly mode: AuthMode;
  readonly scopes?: readonly string[];
}

/** The contract a manifest declares for one symbol. */
export interface Contract {
  readonly saddr: string;
  readonly type: SymbolType;
  readonly direction: Direction;
  readonly capabilities?: readonly string[];
  readonly io?: IoMode;
  readonly inputs?: readonly IoSlot[];
  readonly outputs?: readonly IoSlot[];
  readonly qos?: Qos;
  readonly version_set?: string;
  readonly auth?: Auth;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An Ed25519 signature over the RFC 8785 form of the manifest without this member, so
 * reformatting the file keeps it valid (ADR 0017).
 */
export interface ManifestSignature {
  readonly alg: "ed25519";
  /** The signer's key id: hex of the first 16 bytes of SHA-256 over the raw public key. */
  readonly key: string;
  /** The 64-byte signature, base64. */
  readonly sig: string;
}

export interface Manifest {
  readonly $schema?: string;
  readonly symbol: Contract;
  readonly signature?: ManifestSignature;
}

export const MANIFEST_SCHEMA_ID = "https://rtt/spec/v1";

const ioSlot = {
  type: "object",
  required: ["name", "schema"],
  additionalProperties: false,
  properties: { name: identifier, schema: { type: "string", minLength: 1 } },
} as const;

export const manifestSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "rtt:manifest",
  title: "RTT manifest",
  type: "object",
  required: ["symbol"],
  additionalProperties: false,
  patternProperties: extensionKeys,
  properties: {
    $schema: { const: MANIFEST_SCHEMA_ID },
    symbol: {
      type: "object",
      required: ["saddr", "type", "direction"],
      additionalProperties: false,
      patternProperties: extensionKeys,
      properties: {
        saddr: { type: "string", format: "rtt-concrete" },
        type: { enum: SYMBOL_TYPES },
        direction: { enum: DIRECTIONS },
        capabilities: { type: "array", uniqueItems: true, items: identifier },
        io: { enum: IO_MODES },
        inputs: { type: "array", items: ioSlot },
        outputs: { type: "array", items: ioSlot },
        qos: {
          type: "object",
          additionalProperties: false,
          properties: {
            latency_budget_ms: { type: "number", exclusiveMinimum: 0 },
            throughput_qps: { type: "number", exclusiveMinimum: 0 },
            burst: { type: "integer", minimum: 1 },
            priority: { type: "integer", minimum: 0, maximum: 7 },
            busy_poll: { type: "boolean" },
          },
        },
        version_set: { type: "string", format: "semver-range" },
        auth: {
          type: "object",
          required: ["mode"],
          additionalProperties: false,
          properties: {
            mode: { enum: AUTH_MODES },
            scopes: { type: "array", items: { type: "string", minLength: 1 } },
          },
        },
        tags: { type: "object", additionalProperties: { type: "string" } },
        // A program at a route's target end, retired (ADR 0024): how long it has to finish
        // after EOF before SIGTERM, and whether it may be kept as a warm spare mid-stream.
        "x-drain-ms": { type: "integer", minimum: 0, maximum: 600_000 },
        "x-reattach": { type: "boolean" },
        // Added to the environment of the program x-run starts (the process driver checks the
        // names, which the validator's messages could not point at as well).
        "x-env": { type: "object", additionalProperties: { type: "string" } },
      },
    },
    signature: {
      type: "object",
      required: ["alg", "key", "sig"],
      additionalProperties: false,
      properties: {
        alg: { const: "ed25519" },
        key: { type: "string", pattern: "^[0-9a-f]{32}$" },
        sig: { type: "string", pattern: "^[A-Za-z0-9+/]{86}==$" },
      },
    },
  },
} as const;

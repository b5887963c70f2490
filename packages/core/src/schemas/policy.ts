/**
 * `.rtt/policy.json`: who may talk to whom, QoS, pins and failover sets
 * (docs/design.md §The model: routes and policy).
 */
import { DROP_POLICIES, type DropPolicy } from "../qos.ts";

export interface AclRule {
  readonly from: string;
  readonly to: string;
  readonly scopes?: readonly string[];
}

export interface PinRule {
  /** `<reference> -> <concrete address>` */
  readonly route: string;
}

export interface QosRule {
  readonly match: string;
  readonly latency_ms?: number;
  readonly prio?: number;
  readonly rate?: number;
  readonly burst?: number;
  readonly drop?: DropPolicy;
  readonly buffer?: number;
  readonly busy_poll?: boolean;
}

export interface FailoverRule {
  /** `<reference> -> [<reference>, ...]` */
  readonly route: string;
  /** e.g. `p95<5ms,err<0.1%` */
  readonly health?: string;
}

export interface Policy {
  readonly $schema?: string;
  readonly allow?: readonly AclRule[];
  readonly deny?: readonly AclRule[];
  readonly pin?: readonly PinRule[];
  readonly qos?: readonly QosRule[];
  readonly failover?: readonly FailoverRule[];
}

const pattern = { type: "string", format: "rtt-pattern" } as const;

const aclRule = {
  type: "object",
  required: ["from", "to"],
  additionalProperties: false,
  properties: {
    from: pattern,
    to: pattern,
    scopes: { type: "array", items: { type: "string", minLength: 1 } },
  },
} as const;

export const policySchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "rtt:policy",
  title: "RTT policy.json",
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    allow: { type: "array", items: aclRule },
    deny: { type: "array", items: aclRule },
    pin: {
      type: "array",
      items: {
        type: "object",
        required: ["route"],
        additionalProperties: false,
        properties: { route: { type: "string", format: "rtt-route" } },
      },
    },
    qos: {
      type: "array",
      items: {
        type: "object",
        required: ["match"],
        additionalProperties: false,
        properties: {
          match: pattern,
          latency_ms: { type: "number", exclusiveMinimum: 0 },
          prio: { type: "integer", minimum: 0, maximum: 7 },
          rate: { type: "number", exclusiveMinimum: 0 },
          burst: { type: "integer", minimum: 1 },
          drop: { enum: DROP_POLICIES },
          buffer: { type: "integer", minimum: 1 },
          busy_poll: { type: "boolean" },
        },
      },
    },
    failover: {
      type: "array",
      items: {
        type: "object",
        required: ["route"],
        additionalProperties: false,
        properties: {
          route: { type: "string", format: "rtt-route" },
          health: { type: "string", format: "rtt-health" },
        },
      },
    },
  },
} as const;

/**
 * The policy engine (docs/design.md §The model: routes and policy): `.rtt/policy.json` compiled
 * once into a pure decision function.
 *
 * Every pattern, route and health expression is parsed up front by `compilePolicy`, so the
 * decisions themselves never parse and never throw. After schema validation a bad expression
 * cannot occur, but the compiler still reports one as a typed `PolicyError` naming the JSON
 * pointer of the offending field.
 *
 * Semantics, all in file order and deterministic:
 *
 * - ACL (`decide`): a matching `deny` rule always wins (the first one is named). Otherwise the
 *   first matching `allow` rule allows. Once the policy has any allow rule, a pair no allow rule
 *   matches is denied ("default deny"); with no allow rule at all, every pair no deny rule
 *   matches is allowed ("open by default").
 *   Scopes: with a `scope` asked for, a rule applies when it lists no scopes, lists `*` or lists
 *   that scope. Without a scope (the wiring question "may these two be connected at all?") every
 *   allow rule applies (it grants some right), but only an unscoped or `*` deny rule applies (a
 *   deny scoped to some rights takes those rights away, not the whole wire).
 * - Pin (`pinFor`): the first pin whose left side covers the route's source.
 * - QoS (`qosFor`): every matching rule, merged field by field in file order; a later rule
 *   overrides only the fields it sets. Fields no rule sets take `QOS_DEFAULTS` (prio 4 — the middle
 *   of 0 (highest) .. 7 —, drop "taildrop", busy_poll false) or stay absent (no latency budget,
 *   no rate limit, no burst cap, no buffer size: the lane's own).
 * - Failover (`failoverFor`): the first failover rule whose left side covers the route's source.
 *
 * "Covers": against a concrete address, the core `matches` (globs, semver ranges, caps ⊆). Against
 * a reference (a route's `from` as written): namespace, type and name equal; the left side's
 * version, variant and io, when given, equal the reference's (versions compared as written, in
 * normal form); its caps a subset of the reference's.
 *
 * Every decision carries a reason naming the rule, e.g. `allow[1] rtt://ui/*\/* -> rtt://core/api/*`.
 */
import {
  type AclRule,
  type ConcreteAddress,
  type DropPolicy,
  type ErrorCode,
  type FailoverRule,
  formatSaddr,
  type HealthBound,
  matches,
  memoByObject,
  type PinRule,
  type Policy,
  parseHealthExpr,
  parseRouteExpr,
  parseSaddr,
  type QosRule,
  type Reference,
  RttError,
  type Saddr,
} from "@rtt/core";

/** A compile failure: the core error, re-issued with the JSON pointer of the field. */
export class PolicyError extends RttError {
  /** JSON pointer into policy.json, e.g. `/pin/0/route`. */
  readonly pointer: string;

  constructor(code: ErrorCode, pointer: string, message: string, cause?: unknown) {
    super(code, `policy.json ${pointer}: ${message}`, cause === undefined ? {} : { cause });
    this.name = "PolicyError";
    this.pointer = pointer;
  }
}

export type PolicyRuleKind = "allow" | "deny" | "pin" | "qos" | "failover";

/** Names one rule of policy.json: its list, its index there, and how it reads. */
export interface PolicyRuleRef {
  readonly kind: PolicyRuleKind;
  readonly index: number;
  /** e.g. `allow[1] rtt://ui/*\/* -> rtt://core/api/*`. */
  readonly label: string;
}

export interface AclRuleRef extends PolicyRuleRef {
  readonly kind: "allow" | "deny";
}

export interface AclDecision {
  readonly allowed: boolean;
  /** The rule that decided; absent when a default did (default deny, open by default). */
  readonly rule?: AclRuleRef;
  readonly reason: string;
}

export interface PinDecision {
  /**
   * The pinned endpoint. Usually concrete; a pin may name a partial version
   * (`@2`), which the router resolves among the candidates it already has.
   */
  readonly target: ConcreteAddress | Reference;
  readonly exact: boolean;
  readonly rule: PolicyRuleRef;
  readonly reason: string;
}

export interface FailoverDecision {
  /** In order of preference. */
  readonly targets: readonly (ConcreteAddress | Reference)[];
  /** Bounds a healthy target meets; empty when the rule has no `health`. */
  readonly health: readonly HealthBound[];
  readonly rule: PolicyRuleRef;
  readonly reason: string;
}

export interface EffectiveQos {
  readonly prio: number;
  readonly drop: DropPolicy;
  readonly busy_poll: boolean;
  readonly latency_ms?: number;
  readonly rate?: number;
  readonly burst?: number;
  readonly buffer?: number;
}

export type QosField = keyof EffectiveQos;

export interface QosDecision {
  readonly qos: EffectiveQos;
  /** For each field, the index of the qos rule that set it; absent fields came from defaults. */
  readonly sources: Readonly<Partial<Record<QosField, number>>>;
  /** The matching qos rules, in file order. */
  readonly rules: readonly PolicyRuleRef[];
  readonly reason: string;
}

/** What a field is when no matching qos rule sets it. */
export const QOS_DEFAULTS = { prio: 4, drop: "taildrop", busy_poll: false } as const satisfies {
  readonly prio: number;
  readonly drop: DropPolicy;
  readonly busy_poll: boolean;
};

/** Field order of reasons and merges. */
export const QOS_FIELDS = [
  "latency_ms",
  "prio",
  "rate",
  "burst",
  "drop",
  "buffer",
  "busy_poll",
] as const satisfies readonly QosField[];

export interface DecideOptions {
  /** Ask about one right; without it, "may these two be wired at all?" (see the module doc). */
  readonly scope?: string;
}

export interface PolicyEngine {
  readonly policy: Policy;
  /** True when any allow rule exists, so unmatched pairs are denied. */
  readonly defaultDeny: boolean;
  decide(from: ConcreteAddress, to: ConcreteAddress, options?: DecideOptions): AclDecision;
  pinFor(source: ConcreteAddress | Reference): PinDecision | undefined;
  qosFor(address: ConcreteAddress): QosDecision;
  failoverFor(source: ConcreteAddress | Reference): FailoverDecision | undefined;
}

interface CompiledAcl {
  readonly ref: AclRuleRef;
  readonly from: Saddr;
  readonly to: Saddr;
  readonly scopes: readonly string[] | undefined;
}

interface CompiledRoute<T> {
  readonly ref: PolicyRuleRef;
  readonly from: ConcreteAddress | Reference;
  readonly value: T;
}

interface CompiledQos {
  readonly ref: PolicyRuleRef;
  readonly match: Saddr;
  readonly set: Partial<EffectiveQos>;
}

/** A failover rule's right side: its targets in order of preference and the health they keep. */
interface FailoverSet {
  readonly targets: readonly (ConcreteAddress | Reference)[];
  readonly health: readonly HealthBound[];
}

type MutableQos = { -readonly [K in QosField]?: EffectiveQos[K] };

function rethrow(pointer: string, error: unknown): never {
  if (error instanceof RttError) throw new PolicyError(error.code, pointer, error.message, error);
  throw error;
}

function compileSaddr(text: string, pointer: string): Saddr {
  try {
    return parseSaddr(text);
  } catch (error) {
    rethrow(pointer, error);
  }
}

function compileRoute(text: string, pointer: string): ReturnType<typeof parseRouteExpr> {
  try {
    return parseRouteExpr(text);
  } catch (error) {
    rethrow(pointer, error);
  }
}

function compileHealth(text: string, pointer: string): HealthBound[] {
  try {
    return parseHealthExpr(text);
  } catch (error) {
    rethrow(pointer, error);
  }
}

function aclLabel(
  kind: "allow" | "deny",
  index: number,
  rule: { from: string; to: string; scopes?: readonly string[] },
): string {
  const scopes = rule.scopes === undefined ? "" : ` scopes=[${rule.scopes.join(",")}]`;
  return `${kind}[${index}] ${rule.from.trim()} -> ${rule.to.trim()}${scopes}`;
}

/** Does a route's left side cover a source (see the module doc)? */
export function covers(left: ConcreteAddress | Reference, source: ConcreteAddress | Reference) {
  if (source.form === "concrete") return matches(left, source);
  if (left.namespace !== source.namespace) return false;
  if (left.type !== source.type || left.name !== source.name) return false;
  if (left.version !== undefined && left.version !== source.version) return false;
  if (left.variant !== undefined && left.variant !== source.variant) return false;
  if (left.io !== undefined && left.io !== source.io) return false;
  return left.caps.every((c) => source.caps.includes(c));
}

function scopeApplies(rule: CompiledAcl, scope: string | undefined): boolean {
  if (rule.scopes === undefined || rule.scopes.includes("*")) return true;
  if (scope === undefined) return rule.ref.kind === "allow";
  return rule.scopes.includes(scope);
}

function compileAcl(kind: "allow" | "deny", rules: readonly AclRule[]): CompiledAcl[] {
  return rules.map((rule, index) => ({
    ref: { kind, index, label: aclLabel(kind, index, rule) },
    from: compileSaddr(rule.from, `/${kind}/${index}/from`),
    to: compileSaddr(rule.to, `/${kind}/${index}/to`),
    scopes: rule.scopes,
  }));
}

function compilePins(rules: readonly PinRule[]): CompiledRoute<ConcreteAddress | Reference>[] {
  return rules.map((rule, index) => {
    const pointer = `/pin/${index}/route`;
    const expr = compileRoute(rule.route, pointer);
    const [target] = expr.to;
    if (expr.list || expr.to.length !== 1 || target === undefined) {
      throw new PolicyError(
        "RTT_ERR_EXPR_SYNTAX",
        pointer,
        `a pin names exactly one target, not a list: ${JSON.stringify(rule.route)}`,
      );
    }
    return {
      ref: { kind: "pin", index, label: `pin[${index}] ${rule.route.trim()}` },
      from: expr.from,
      value: target,
    };
  });
}

function compileFailovers(rules: readonly FailoverRule[]): CompiledRoute<FailoverSet>[] {
  return rules.map((rule, index) => {
    const expr = compileRoute(rule.route, `/failover/${index}/route`);
    const health =
      rule.health === undefined ? [] : compileHealth(rule.health, `/failover/${index}/health`);
    const healthText = rule.health === undefined ? "" : ` health=${rule.health.trim()}`;
    return {
      ref: {
        kind: "failover",
        index,
        label: `failover[${index}] ${rule.route.trim()}${healthText}`,
      },
      from: expr.from,
      value: { targets: expr.to, health },
    };
  });
}

/** The fields one qos rule sets; a field it leaves out stays absent, so it overrides nothing. */
function qosSettings(rule: QosRule): Partial<EffectiveQos> {
  const set: MutableQos = {};
  if (rule.latency_ms !== undefined) set.latency_ms = rule.latency_ms;
  if (rule.prio !== undefined) set.prio = rule.prio;
  if (rule.rate !== undefined) set.rate = rule.rate;
  if (rule.burst !== undefined) set.burst = rule.burst;
  if (rule.drop !== undefined) set.drop = rule.drop;
  if (rule.buffer !== undefined) set.buffer = rule.buffer;
  if (rule.busy_poll !== undefined) set.busy_poll = rule.busy_poll;
  return set;
}

function compileQos(rules: readonly QosRule[]): CompiledQos[] {
  return rules.map((rule, index) => {
    const set = qosSettings(rule);
    return {
      ref: { kind: "qos", index, label: `qos[${index}] ${rule.match.trim()}` },
      match: compileSaddr(rule.match, `/qos/${index}/match`),
      set,
    };
  });
}

/** The explanation of a merged QoS: each field with the rule that set it, or "default". */
function qosReason(
  qos: EffectiveQos,
  sources: Partial<Record<QosField, number>>,
  hits: readonly CompiledQos[],
): string {
  const parts = QOS_FIELDS.flatMap((field) => {
    const value = qos[field];
    if (value === undefined) return [];
    const source = sources[field];
    return [`${field}=${String(value)} (${source === undefined ? "default" : `qos[${source}]`})`];
  });
  return hits.length === 0
    ? `no qos rule matches; defaults ${parts.join(", ")}`
    : `${parts.join(", ")} from ${hits.map((h) => h.ref.label).join("; ")} (later rules override earlier fields)`;
}

/** A policy with every expression parsed: its decisions only match, never parse or throw. */
class CompiledPolicy implements PolicyEngine {
  readonly policy: Policy;
  readonly defaultDeny: boolean;
  readonly #allow: readonly CompiledAcl[];
  readonly #deny: readonly CompiledAcl[];
  readonly #pins: readonly CompiledRoute<ConcreteAddress | Reference>[];
  readonly #failovers: readonly CompiledRoute<FailoverSet>[];
  readonly #qos: readonly CompiledQos[];

  constructor(policy: Policy) {
    this.policy = policy;
    this.#allow = compileAcl("allow", policy.allow ?? []);
    this.#deny = compileAcl("deny", policy.deny ?? []);
    this.#pins = compilePins(policy.pin ?? []);
    this.#failovers = compileFailovers(policy.failover ?? []);
    this.#qos = compileQos(policy.qos ?? []);
    this.defaultDeny = this.#allow.length > 0;
  }

  decide(from: ConcreteAddress, to: ConcreteAddress, options: DecideOptions = {}): AclDecision {
    const hit = (rule: CompiledAcl) =>
      scopeApplies(rule, options.scope) && matches(rule.from, from) && matches(rule.to, to);
    const denied = this.#deny.find(hit);
    if (denied !== undefined) {
      return { allowed: false, rule: denied.ref, reason: `denied by ${denied.ref.label}` };
    }
    const allowed = this.#allow.find(hit);
    if (allowed !== undefined) {
      return { allowed: true, rule: allowed.ref, reason: `allowed by ${allowed.ref.label}` };
    }
    const scope = options.scope === undefined ? "" : ` for scope ${JSON.stringify(options.scope)}`;
    if (this.defaultDeny) {
      return {
        allowed: false,
        reason: `denied by default: none of the ${this.#allow.length} allow rule(s) matches${scope} (default deny once any allow rule exists)`,
      };
    }
    return {
      allowed: true,
      reason: `allowed: the policy has no allow rules (open by default) and no deny rule matches${scope}`,
    };
  }

  pinFor(source: ConcreteAddress | Reference): PinDecision | undefined {
    const pin = this.#pins.find((p) => covers(p.from, source));
    if (pin === undefined) return undefined;
    return {
      target: pin.value,
      exact: pin.value.form === "concrete",
      rule: pin.ref,
      reason: `pinned to ${formatSaddr(pin.value)} by ${pin.ref.label}`,
    };
  }

  failoverFor(source: ConcreteAddress | Reference): FailoverDecision | undefined {
    const rule = this.#failovers.find((f) => covers(f.from, source));
    if (rule === undefined) return undefined;
    return {
      targets: rule.value.targets,
      health: rule.value.health,
      rule: rule.ref,
      reason: `failover ${rule.value.targets.map(formatSaddr).join(" → ")} by ${rule.ref.label}`,
    };
  }

  qosFor(address: ConcreteAddress): QosDecision {
    // The router and the plan each ask once per route, of addresses shared per symbol.
    const known = this.#qosOf.get(address);
    if (known !== undefined) return known;
    const decision = this.#qosUncached(address);
    this.#qosOf.set(address, decision);
    return decision;
  }

  readonly #qosOf = new WeakMap<ConcreteAddress, QosDecision>();

  #qosUncached(address: ConcreteAddress): QosDecision {
    const merged: MutableQos = {};
    const sources: Partial<Record<QosField, number>> = {};
    const hits = this.#qos.filter((q) => matches(q.match, address));
    for (const q of hits) {
      Object.assign(merged, q.set);
      for (const field of QOS_FIELDS) if (q.set[field] !== undefined) sources[field] = q.ref.index;
    }
    const qos: EffectiveQos = {
      ...merged,
      prio: merged.prio ?? QOS_DEFAULTS.prio,
      drop: merged.drop ?? QOS_DEFAULTS.drop,
      busy_poll: merged.busy_poll ?? QOS_DEFAULTS.busy_poll,
    };
    return {
      qos,
      sources,
      rules: hits.map((h) => h.ref),
      // Built when read: a plan asks for the QoS of every route, and seldom for why.
      get reason() {
        return qosReason(qos, sources, hits);
      },
    };
  }
}

/**
 * Compiles a (validated) policy; throws `PolicyError` on an expression that does not parse.
 * Once per policy object: a panel plans with the same policy until policy.json changes, and
 * the engine keeps what it decided per address (its QoS) from plan to plan.
 */
export const compilePolicy: (policy: Policy) => PolicyEngine = memoByObject(
  (policy: Policy) => new CompiledPolicy(policy),
);

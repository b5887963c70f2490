/**
 * The compatibility resolver (docs/design.md §The life of a route: plan): can a consumer (a route's
 * source) be wired to a provider (a route's target)? Pure: two catalog symbols and the declared
 * coercers in, a verdict out. A rejection lists every rule that failed, each as a machine code and
 * one sentence naming both sides' values, in a fixed order so the plan prints byte-identical text:
 *
 *   version → io → caps → schema (by slot name, then schemas) → auth
 *
 * The consumer is the end that says `direction: consumer` when the other says `provider` (a
 * route from an event bus to a logger has the logger consume); otherwise the route's source.
 *
 * Required capabilities: every capability the consumer declares is required, except those the
 * route marks optional (`options.optionalCaps`, usually from the route param `optional_caps`,
 * read with `optionalCapsFromParams`). Optional ones still join the negotiated set when both
 * sides have them.
 *
 * Schemas: data flows from the consumer's outputs into the provider's inputs (a call), or with
 * `options.flow` "to-consumer" from the provider's outputs into the consumer's inputs (a route
 * whose target consumes what its source provides: a stream into a logger, or into a `both`
 * processor in the middle of a chain); slots pair up by name. A pair with different schema
 * references passes only when a coercer is declared in that direction (`from` = the sending
 * end's schema, `to` = the receiving end's).
 */
import { addressOf, type CatalogSymbol, versionSatisfies } from "@rtt/core";

/**
 * io modes must be equal, with one widening: a `stream` consumer takes a `pubsub` provider's
 * events (a subscription is a stream to its subscriber).
 */
function ioFits(consumer: string, provider: string): boolean {
  return consumer === provider || (consumer === "stream" && provider === "pubsub");
}

/** A declared conversion from one schema reference to another. */
export interface Coercer {
  readonly from: string;
  readonly to: string;
}

export interface CompatOptions {
  readonly coercers?: readonly Coercer[];
  /** Consumer capabilities the route does not require; a provider may lack them. */
  readonly optionalCaps?: readonly string[];
  /**
   * How the reasons name the two ends: which of them is the route's source and which its target
   * (compatStep), so a reader knows which manifest to fix. Default "the consumer" and
   * "the provider".
   */
  readonly roles?: Roles;
  /** Which way data flows between the two (see above); default "to-provider". */
  readonly flow?: "to-provider" | "to-consumer";
}

/** The words for the consumer and the provider in a reason, lower case. */
export interface Roles {
  readonly consumer: string;
  readonly provider: string;
}

const DEFAULT_ROLES: Roles = { consumer: "the consumer", provider: "the provider" };

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Order of the codes is the order reasons are reported in. */
export const COMPAT_CODES = ["version", "io", "caps", "schema", "auth"] as const;
export type CompatCode = (typeof COMPAT_CODES)[number];

export interface CompatReason {
  readonly code: CompatCode;
  /** One sentence naming the consumer's and the provider's values; the plan prints it. */
  readonly message: string;
}

/** A slot whose schemas differ but a declared coercer bridges them; apply must install it. */
export interface Coercion {
  readonly slot: string;
  readonly from: string;
  readonly to: string;
}

export type CompatResult =
  | {
      readonly ok: true;
      /** Negotiated capabilities: both sides have them; sorted, no repeats. */
      readonly caps: readonly string[];
      /** Sorted by slot, then from, then to. */
      readonly coercions: readonly Coercion[];
    }
  | { readonly ok: false; readonly reasons: readonly CompatReason[] };

/** The route param that lists optional consumer capabilities, comma-separated. */
export const OPTIONAL_CAPS_PARAM = "optional_caps";

/** Reads `optional_caps` ("a,b") from a route's params; anything else yields none. */
export function optionalCapsFromParams(
  params: Readonly<Record<string, string | number | boolean>> | undefined,
): string[] {
  const value = params?.[OPTIONAL_CAPS_PARAM];
  if (typeof value !== "string") return [];
  return sortedUnique(
    value
      .split(",")
      .map((c) => c.trim())
      .filter((c) => c !== ""),
  );
}

export function compat(
  consumer: CatalogSymbol,
  provider: CatalogSymbol,
  options: CompatOptions = {},
): CompatResult {
  const reasons: CompatReason[] = [];
  const roles = options.roles ?? DEFAULT_ROLES;
  // Only a reason names them; most candidates fit (this runs per candidate of every route).
  const C = () => capital(roles.consumer);
  const P = roles.provider;

  const version = checkVersion(consumer, provider, roles);
  if (version !== undefined) reasons.push(version);

  if (consumer.io !== undefined && provider.io !== undefined && !ioFits(consumer.io, provider.io)) {
    reasons.push({
      code: "io",
      message: `${C()} uses io mode "${consumer.io}" but ${P} uses "${provider.io}".`,
    });
  }

  // A handful of caps each side: arrays are searched faster than sets are built.
  const offered = provider.capabilities;
  const optional = options.optionalCaps ?? [];
  const declared = sortedUnique(consumer.capabilities);
  const missing = declared.filter((c) => !optional.includes(c) && !offered.includes(c));
  if (missing.length > 0) {
    reasons.push({
      code: "caps",
      message:
        `${C()} requires ${plural(missing, "capability", "capabilities")} ${list(missing)} ` +
        `but ${P} offers ${listOrNone(sortedUnique(provider.capabilities))}.`,
    });
  }

  const schemas =
    options.flow === "to-consumer"
      ? checkSchemas(provider, consumer, options.coercers ?? [], {
          sender: roles.provider,
          receiver: roles.consumer,
        })
      : checkSchemas(consumer, provider, options.coercers ?? [], {
          sender: roles.consumer,
          receiver: roles.provider,
        });
  reasons.push(...schemas.reasons);

  const auth = checkAuth(consumer, provider, roles);
  if (auth !== undefined) reasons.push(auth);

  if (reasons.length > 0) return { ok: false, reasons };
  return {
    ok: true,
    caps: declared.filter((c) => offered.includes(c)),
    coercions: schemas.coercions,
  };
}

function checkVersion(
  consumer: CatalogSymbol,
  provider: CatalogSymbol,
  roles: Roles,
): CompatReason | undefined {
  if (consumer.version_set === undefined) return undefined;
  const target = addressOf(provider);
  // What @rtt/core's matcher decides for a selector that differs only in the version: semver
  // `satisfies` (each range and version parsed once: this runs per candidate of every route).
  if (versionSatisfies(target.version, consumer.version_set)) return undefined;
  return {
    code: "version",
    message:
      `${capital(roles.consumer)}'s version set "${consumer.version_set}" does not contain ` +
      `${roles.provider}'s version ${target.version}.`,
  };
}

/** The sending end's outputs against the receiving end's inputs, slot by slot. */
function checkSchemas(
  sender: CatalogSymbol,
  receiver: CatalogSymbol,
  coercers: readonly Coercer[],
  roles: { readonly sender: string; readonly receiver: string },
): { reasons: CompatReason[]; coercions: Coercion[] } {
  // No slot on one side, no pair: the common case of a plan's every candidate, without the sets.
  if (sender.outputs.length === 0 || receiver.inputs.length === 0)
    return { reasons: [], coercions: [] };
  const declaredCoercers = new Set(coercers.map((c) => coercerKey(c.from, c.to)));
  const pairs: Coercion[] = [];
  for (const output of sender.outputs) {
    for (const input of receiver.inputs) {
      if (output.name === input.name && output.schema !== input.schema) {
        pairs.push({ slot: output.name, from: output.schema, to: input.schema });
      }
    }
  }
  const sorted = uniqueBy(pairs.sort(compareCoercions), (p) =>
    coercerKey(p.slot, coercerKey(p.from, p.to)),
  );
  const reasons: CompatReason[] = [];
  const coercions: Coercion[] = [];
  for (const p of sorted) {
    if (declaredCoercers.has(coercerKey(p.from, p.to))) {
      coercions.push(p);
    } else {
      reasons.push({
        code: "schema",
        message:
          `Slot "${p.slot}": ${roles.sender} sends schema "${p.from}" but ${roles.receiver} takes ` +
          `"${p.to}", and no coercer maps "${p.from}" to "${p.to}".`,
      });
    }
  }
  return { reasons, coercions };
}

function checkAuth(
  consumer: CatalogSymbol,
  provider: CatalogSymbol,
  roles: Roles,
): CompatReason | undefined {
  const want = consumer.auth.mode;
  const have = provider.auth.mode;
  // A provider that asks for nothing accepts every consumer.
  if (have === "none") return undefined;
  const C = capital(roles.consumer);
  if (want !== have) {
    return {
      code: "auth",
      message: `${C} authenticates with "${want}" but ${roles.provider} requires "${have}".`,
    };
  }
  if (have !== "caps") return undefined;
  const asked = sortedUnique(consumer.auth.scopes ?? []);
  const granted = sortedUnique(provider.auth.scopes ?? []);
  const grantedSet = new Set(granted);
  const missing = asked.filter((s) => !grantedSet.has(s));
  if (missing.length === 0) return undefined;
  return {
    code: "auth",
    message:
      `${C} asks for ${plural(asked, "scope", "scopes")} ${list(asked)} ` +
      `but ${roles.provider} grants ${listOrNone(granted)} (missing ${list(missing)}).`,
  };
}

/** Code-unit order: locale-independent, so the plan is the same on every machine. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareCoercions(a: Coercion, b: Coercion): number {
  return (
    compareStrings(a.slot, b.slot) || compareStrings(a.from, b.from) || compareStrings(a.to, b.to)
  );
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings);
}

function uniqueBy<T>(values: readonly T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// JSON.stringify of the pair: unambiguous whatever characters the references hold.
function coercerKey(from: string, to: string): string {
  return JSON.stringify([from, to]);
}

function list(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

function listOrNone(values: readonly string[]): string {
  return values.length === 0 ? "none" : list(values);
}

function plural(values: readonly string[], one: string, many: string): string {
  return values.length === 1 ? one : many;
}

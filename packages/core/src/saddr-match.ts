/**
 * Which concrete addresses a selector matches (docs/design.md §The model: addresses): globs in
 * namespace, type, name and variant, a version range or partial version, required caps and io.
 * Selectors are compiled once and shared, so parsed addresses are never mutated.
 */
// Single modules, not semver's index: it loads every module it has (~18 ms at start-up).
import type Range from "semver/classes/range.js";
import type SemVer from "semver/classes/semver.js";
import { memoByObject, memoByString } from "./memo.ts";
import { CACHE_LIMIT, type ConcreteAddress, EXACT_VERSION, type Selector } from "./saddr.ts";
import { semver } from "./semver-parts.ts";
import { simpleRange } from "./version-range.ts";

/** A glob as a test, compiled once: `*` matches anything, a glob without `*` only itself. */
const globTest = memoByString(CACHE_LIMIT, (glob): ((text: string) => boolean) => {
  if (glob === "*") return () => true;
  if (!glob.includes("*")) return (text) => text === glob;
  const re = new RegExp(`^${glob.split("*").map(escapeRegExp).join(".*")}$`);
  return (text) => re.test(text);
});

/**
 * Whether `version` (one semver version) is in `range`, as semver's `satisfies`: a range or a
 * version that does not parse satisfies nothing. Both are parsed once per text (`satisfies`
 * parses both per call, which a plan makes for every candidate of every route).
 */
export function versionSatisfies(version: string, range: string): boolean {
  if (isPinned(range) && isPinned(version)) return sameVersion(range, version);
  const simple = simpleRangeOf(range)?.(version);
  if (simple !== undefined) return simple;
  const parsed = rangeOf(range);
  const v = semverOf(version);
  return parsed !== undefined && v !== undefined && parsed.test(v);
}

/** The ranges read without semver (version-range.ts), compiled once per text. */
const simpleRangeOf = memoByString(CACHE_LIMIT, simpleRange);

const rangeOf = memoByString(CACHE_LIMIT, (range): Range | undefined => {
  try {
    return new (semver().Range)(range);
  } catch {
    return undefined;
  }
});

/** Never mutated once parsed (semver's `inc` is never called on it). */
const semverOf = memoByString(CACHE_LIMIT, (version): SemVer | undefined => {
  try {
    return new (semver().SemVer)(version);
  } catch {
    return undefined;
  }
});

/**
 * Whether `text` is one version as SADDR writes it (SemVer 2.0.0's grammar) whose every number
 * has at most 15 digits: semver reads such a text as exactly that version, as a version and as
 * a range. Longer numbers go to semver, which treats them its own way (past 16 digits a range's
 * grammar no longer takes them as numbers).
 */
function isPinned(text: string): boolean {
  return EXACT_VERSION.test(text) && !LONG_NUMBER.test(text.split("+", 1)[0] as string);
}

const LONG_NUMBER = /(?:^|[.-])[0-9]{16,}(?=$|[.-])/;

/**
 * semver's equality of two pinned versions, without loading semver (19 modules, ≈ 13 ms of a
 * CLI's start, docs/performance.md): build metadata aside, the rest as text — a pinned version's
 * numbers have no leading zero and are exact as JavaScript numbers, so equal text is equal value.
 * The one way RTT compares pinned versions; a range or anything else goes to semver.
 */
function sameVersion(a: string, b: string): boolean {
  return a.split("+", 1)[0] === b.split("+", 1)[0];
}

/** A test for one exact version: semver's equality (build metadata aside). */
function exactly(version: string): (v: string) => boolean {
  if (!isPinned(version)) {
    const { eq } = semver();
    return (v) => eq(version, v);
  }
  return (v) => (isPinned(v) ? sameVersion(version, v) : semver().eq(version, v));
}

/** `versionSatisfies(v, range)` with the range looked up once, not once per version tested. */
function rangeTest(range: string): (version: string) => boolean {
  if (isPinned(range)) return (version) => versionSatisfies(version, range);
  // A version the simple test leaves to semver (a `v` before it) is semver's, as a range is.
  const simple = simpleRangeOf(range);
  if (simple !== undefined) return (version) => simple(version) ?? versionSatisfies(version, range);
  const parsed = rangeOf(range);
  if (parsed === undefined) return () => false;
  return (version) => {
    const v = semverOf(version);
    return v !== undefined && parsed.test(v);
  };
}

/** A selector's fields as tests, compiled once per selector (parsed selectors are shared). */
interface CompiledSelector {
  readonly namespace: (text: string) => boolean;
  readonly type: (text: string) => boolean;
  readonly name: (text: string) => boolean;
  readonly variant: ((text: string) => boolean) | undefined;
  readonly version: ((version: string) => boolean) | undefined;
}

const compiledSelector = memoByObject((selector: Selector): CompiledSelector => {
  const version = selector.version;
  return {
    namespace: globTest(selector.namespace),
    type: globTest(selector.type),
    name: globTest(selector.name),
    variant: selector.variant === undefined ? undefined : globTest(selector.variant),
    version:
      version === undefined
        ? undefined
        : selector.form === "concrete"
          ? exactly(version)
          : rangeTest(version),
  };
});

/** `s` as a regular expression that matches it literally. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Why a selector does not select an address: the first field that differs. */
export interface Mismatch {
  readonly field: "namespace" | "type" | "name" | "version" | "variant" | "caps" | "io";
  readonly expected: string;
  readonly found: string;
}

/**
 * Compares a selector with a concrete address, field by field in address order, and returns
 * the first difference, or undefined when the selector selects it. A selector without a
 * version, variant or io accepts any; its caps must all be offered.
 */
export function mismatch(selector: Selector, target: ConcreteAddress): Mismatch | undefined {
  switch (firstDifference(selector, target)) {
    case undefined:
      return undefined;
    case "namespace":
      return { field: "namespace", expected: selector.namespace, found: target.namespace };
    case "type":
      return { field: "type", expected: selector.type, found: target.type };
    case "name":
      return { field: "name", expected: selector.name, found: target.name };
    case "version":
      return { field: "version", expected: selector.version ?? "", found: target.version };
    case "variant":
      return {
        field: "variant",
        expected: selector.variant ?? "",
        found: target.variant ?? "(none)",
      };
    case "caps":
      return { field: "caps", expected: selector.caps.join(","), found: target.caps.join(",") };
    case "io":
      return { field: "io", expected: selector.io ?? "", found: target.io ?? "(none)" };
  }
}

/**
 * The field `mismatch` reports, without building its record: `matches` runs for every symbol a
 * plan resolves a route end against, and most of them differ.
 */
function firstDifference(
  selector: Selector,
  target: ConcreteAddress,
  test: CompiledSelector = compiledSelector(selector),
): Mismatch["field"] | undefined {
  if (!test.namespace(target.namespace)) return "namespace";
  if (!test.type(target.type)) return "type";
  if (!test.name(target.name)) return "name";
  if (selector.version !== undefined && test.version?.(target.version) !== true) return "version";
  if (selector.variant !== undefined) {
    if (target.variant === undefined || test.variant?.(target.variant) !== true) return "variant";
  }
  if (!selector.caps.every((c) => target.caps.includes(c))) return "caps";
  if (selector.io !== undefined && selector.io !== target.io) return "io";
  return undefined;
}

export function matches(selector: Selector, target: ConcreteAddress): boolean {
  return firstDifference(selector, target) === undefined;
}

/** `matches` as a test of one selector, compiled once: for resolving it against many addresses. */
export function selectorTest(selector: Selector): (target: ConcreteAddress) => boolean {
  const test = compiledSelector(selector);
  return (target) => firstDifference(selector, target, test) === undefined;
}

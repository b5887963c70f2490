/**
 * The ranges SADDRs mostly carry — `^1`, `~1.2`, `1.2`, `>=1.2.3 <2.0.0` — read without semver:
 * its modules (about twenty, building a hundred regular expressions as they load) were ≈ 13 ms of
 * `rtt ls routes` on the quickstart's `@^1` (issue 20: a client within 2 × Node's start). One
 * comparator set of carets, tildes, partial versions and operators on whole versions, single
 * spaces between; anything else — `||`, hyphen ranges, `x` and `*`, prereleases in a range,
 * `>= 1.2` with a space, numbers of 16 digits or more — is declined and goes to semver, which
 * stays the definition: the property tests hold every range read here to semver's `validRange`
 * and `satisfies`.
 */
import { semver } from "./semver-parts.ts";

/**
 * Whether a version is in the range, as semver's `satisfies` says; undefined for a version
 * this module does not read (a `v` before it, a number of 16 digits or more): semver's to judge.
 */
export type RangeTest = (version: string) => boolean | undefined;

/** A number as a range or a pinned version writes it: no leading zero, at most 15 digits. */
const NUMBER = "(?:0|[1-9][0-9]{0,14})";
const PARTIAL = new RegExp(`^(\\^|~)?(${NUMBER})(?:\\.(${NUMBER})(?:\\.(${NUMBER}))?)?$`);
const OPERATOR = new RegExp(`^(>=|<=|>|<|=)(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})$`);
/** A version without prerelease or build: the only kind a range read here can contain. */
const BUILD = "(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
const RELEASE = new RegExp(`^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})${BUILD}$`);
/** A SemVer 2.0.0 version with a prerelease, numbers of at most 15 digits. */
const PRERELEASE_ID = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
const PRERELEASE = new RegExp(
  `^${NUMBER}\\.${NUMBER}\\.${NUMBER}-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*${BUILD}$`,
);

type Triple = readonly [number, number, number];

const compare = (a: Triple, b: Triple): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator as bounds: at least `from` (inclusive), below `below` when there is one. */
interface Bounds {
  readonly from?: Triple;
  readonly fromExclusive?: boolean;
  readonly below?: Triple;
  readonly belowInclusive?: boolean;
}

/** `^`, `~` or no operator before a partial version, as semver expands it. */
function partialBounds(op: string | undefined, M: number, m?: number, p?: number): Bounds {
  const from: Triple = [M, m ?? 0, p ?? 0];
  if (op === "^") {
    if (m === undefined || M > 0) return { from, below: [M + 1, 0, 0] };
    if (p === undefined || m > 0) return { from, below: [0, m + 1, 0] };
    return { from, below: [0, 0, p + 1] };
  }
  if (m === undefined) return { from, below: [M + 1, 0, 0] };
  if (op === "~" || p === undefined) return { from, below: [M, m + 1, 0] };
  // A whole version and no operator: that version.
  return { from, below: from, belowInclusive: true };
}

function operatorBounds(op: string, v: Triple): Bounds {
  switch (op) {
    case ">=":
      return { from: v };
    case ">":
      return { from: v, fromExclusive: true };
    case "<=":
      return { below: v, belowInclusive: true };
    case "<":
      return { below: v };
    default:
      return { from: v, below: v, belowInclusive: true };
  }
}

function comparatorOf(text: string): Bounds | undefined {
  const partial = PARTIAL.exec(text);
  if (partial !== null) {
    const [, op, M, m, p] = partial;
    return partialBounds(
      op,
      Number(M),
      m === undefined ? undefined : Number(m),
      p === undefined ? undefined : Number(p),
    );
  }
  const operator = OPERATOR.exec(text);
  if (operator === null) return undefined;
  const [, op, M, m, p] = operator;
  return operatorBounds(op as string, [Number(M), Number(m), Number(p)]);
}

function within(v: Triple, b: Bounds): boolean {
  if (b.from !== undefined) {
    const c = compare(v, b.from);
    if (c < 0 || (c === 0 && b.fromExclusive === true)) return false;
  }
  if (b.below !== undefined) {
    const c = compare(v, b.below);
    if (c > 0 || (c === 0 && b.belowInclusive !== true)) return false;
  }
  return true;
}

/**
 * The range as a test of versions, or undefined when it is not one this module reads (semver
 * then decides). A range read here is valid to semver.
 */
export function simpleRange(range: string): RangeTest | undefined {
  const parts = range.split(" ");
  const comparators: Bounds[] = [];
  for (const part of parts) {
    const bounds = comparatorOf(part);
    if (bounds === undefined) return undefined;
    comparators.push(bounds);
  }
  return (version) => {
    const release = RELEASE.exec(version);
    if (release === null) {
      // A prerelease is in no range read here (none names a prerelease); anything else semver's.
      return PRERELEASE.test(version) ? false : undefined;
    }
    const v: Triple = [Number(release[1]), Number(release[2]), Number(release[3])];
    return comparators.every((b) => within(v, b));
  };
}

/** Whether `text` is a range semver accepts: without loading semver when it is one read here. */
export function isSemverRange(text: string): boolean {
  return simpleRange(text) !== undefined || semver().validRange(text) !== null;
}

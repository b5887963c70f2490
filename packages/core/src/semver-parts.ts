/**
 * The few parts of `semver` RTT uses, loaded on first use: its modules (about twenty, even one
 * at a time) cost every CLI start several milliseconds, and most commands — a scan of concrete
 * addresses among them — never compare a range. Single modules, not semver's index, which loads
 * every module it has.
 */
import { createRequire } from "node:module";
import type RangeClass from "semver/classes/range.js";
import type SemVerClass from "semver/classes/semver.js";
import type semverEq from "semver/functions/eq.js";
import type validRange from "semver/ranges/valid.js";

interface SemverParts {
  readonly Range: typeof RangeClass;
  readonly SemVer: typeof SemVerClass;
  readonly eq: typeof semverEq;
  readonly validRange: typeof validRange;
}

const requireLazily = createRequire(import.meta.url);
let parts: SemverParts | undefined;

export function semver(): SemverParts {
  parts ??= {
    Range: requireLazily("semver/classes/range.js"),
    SemVer: requireLazily("semver/classes/semver.js"),
    eq: requireLazily("semver/functions/eq.js"),
    validRange: requireLazily("semver/ranges/valid.js"),
  };
  return parts;
}

/**
 * Where a file symbol may point (issue 15 finding 4, ADR 0022): inside the workspace, or inside
 * a prefix panel.yaml's `security.allow_paths` lists. This is the pure part — whether a path
 * lies within a prefix, component by component; resolving symlinks first is the caller's job
 * (`realLocation` in @rtt/connector-sdk), so that a link cannot smuggle a path out.
 */
import { posix } from "node:path";
import { RttError } from "./errors.ts";

/** The contract key a driver is told its allowed path prefixes in (the workspace root first). */
export const ALLOW_PATHS_KEY = "x-allow-paths";

/**
 * Whether `path` is `prefix` or below it. Both are absolute and normalized (no `.`, `..` or
 * `//`). By components: `/ws-other` is not within `/ws`.
 */
export function pathWithin(path: string, prefix: string): boolean {
  if (prefix === "/") return path.startsWith("/");
  const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return path === bare || path.startsWith(`${bare}/`);
}

/** The first of `prefixes` that contains `path`, or undefined when none does. */
export function allowingPrefix(path: string, prefixes: readonly string[]): string | undefined {
  return prefixes.find((p) => pathWithin(path, p));
}

/**
 * Whether `p` is an absolute, normalized path a prefix list may hold: no `.`/`..` component, no
 * empty one, no NUL. (panel.yaml's schema says the same for `security.allow_paths`.)
 */
export function isNormalizedAbsolute(p: string): boolean {
  if (!posix.isAbsolute(p) || p.includes("\0")) return false;
  const trimmed = p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
  return posix.normalize(trimmed) === trimmed;
}

/**
 * The allowed prefixes in a driver's contract (`x-allow-paths`), checked: an array of normalized
 * absolute paths, at least one (the workspace). A contract without them is refused — a driver
 * that does not know its bounds must not guess them.
 */
export function allowPathsOf(contract: object, what: string): string[] {
  const value = (contract as Record<string, unknown>)[ALLOW_PATHS_KEY];
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((p) => typeof p === "string" && isNormalizedAbsolute(p));
  if (!ok)
    throw new RttError(
      "RTT_ERR_PATH_OUTSIDE",
      `${what}: the contract has no valid ${ALLOW_PATHS_KEY} (absolute path prefixes): refusing to open a path without knowing where it may lie`,
      {
        hint: "open file symbols through the panel, which sends the workspace and security.allow_paths",
      },
    );
  return value as string[];
}

/**
 * Why a symbol's path is refused, for the plan and the driver alike: the symbol, the path as
 * given, where it really leads, and the rule — the first prefix being the workspace.
 */
export function pathOutsideMessage(
  saddr: string,
  given: string,
  real: string,
  prefixes: readonly string[],
): string {
  const [workspace, ...allowed] = prefixes;
  const rule =
    allowed.length === 0
      ? "security.allow_paths lists no other prefix"
      : `nor under security.allow_paths ${JSON.stringify(allowed)}`;
  return `${saddr}: path ${JSON.stringify(given)} leads to ${real}, outside the workspace ${workspace} (${rule}); a file symbol's path must lie inside the workspace or an allowed prefix`;
}

/** The hint that goes with `pathOutsideMessage`. */
export const PATH_OUTSIDE_HINT =
  "move the file into the workspace, or list a prefix that contains it under security.allow_paths in .rtt/panel.yaml";
